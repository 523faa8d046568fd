"""Where the job queue lives: a SQLite file by default, Redis or PostgreSQL on a
multi-server install (IIL_JOBS_URL), and a clear refusal of anything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from huey import PostgresHuey, RedisHuey, SqliteHuey
from pydantic import ValidationError

from iil_lms.certificates import jobs
from iil_lms.settings import Settings


def test_the_queue_is_a_sqlite_file_in_the_data_folder_by_default(tmp_path: Path) -> None:
    cls, storage = jobs.queue_storage("", tmp_path)
    assert cls is SqliteHuey
    assert storage == {"filename": str(tmp_path / "jobs.sqlite3")}


def test_a_sqlite_url_names_the_queue_file(tmp_path: Path) -> None:
    cls, storage = jobs.queue_storage("sqlite:////srv/iil/jobs.db", tmp_path)
    assert cls is SqliteHuey and storage == {"filename": "/srv/iil/jobs.db"}


@pytest.mark.parametrize(
    "url",
    [
        "redis://queue.internal:6379/0",
        "rediss://:secret@queue.internal:6380/1",
        "unix:///run/redis.sock",
    ],
)
def test_a_redis_url_puts_the_queue_on_redis(tmp_path: Path, url: str) -> None:
    cls, storage = jobs.queue_storage(url, tmp_path)
    assert cls is RedisHuey and storage == {"url": url}


@pytest.mark.parametrize(
    "url", ["postgresql://iil@db.internal/iil", "postgresql+psycopg://iil@db.internal/iil"]
)
def test_a_postgresql_url_puts_the_queue_on_postgresql(tmp_path: Path, url: str) -> None:
    cls, storage = jobs.queue_storage(url, tmp_path)
    assert cls is PostgresHuey and storage == {"dsn": "postgresql://iil@db.internal/iil"}


@pytest.mark.parametrize("url", ["amqp://rabbit/", "queue.internal:6379", "sqlite://"])
def test_an_unusable_jobs_url_is_refused_with_what_to_use(tmp_path: Path, url: str) -> None:
    with pytest.raises(jobs.JobsConfigError, match="IIL_JOBS_URL") as refused:
        jobs.queue_storage(url, tmp_path)
    assert "redis://" in str(refused.value) or "sqlite:////" in str(refused.value)


def test_settings_refuse_an_unknown_jobs_scheme_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unknown scheme 'amqp'"):
        Settings(data_dir=tmp_path, secret_key="k" * 32, jobs_url="amqp://rabbit/")
    assert Settings(data_dir=tmp_path, secret_key="k" * 32, jobs_url="redis://q/0").jobs_url


def test_the_worker_and_the_app_share_the_default_queue_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key="k" * 32)
    huey = jobs.queue(settings)
    assert isinstance(huey, SqliteHuey)
    jobs.enqueue(settings, 7)
    assert huey.pending_count() == 1
    assert (tmp_path / "data" / "jobs.sqlite3").is_file()


def test_a_redis_queue_without_the_redis_client_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huey import storage

    # As on an install without the extra, whether or not this machine has the client.
    monkeypatch.setattr(storage, "Redis", None)
    settings = Settings(data_dir=tmp_path, secret_key="k" * 32, jobs_url="redis://127.0.0.1:1/0")
    with pytest.raises(jobs.JobsConfigError, match=r"iil-lms\[redis\]"):
        jobs.queue(settings)
