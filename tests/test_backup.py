"""`iil-lms backup` / `restore`: a backup taken while people write holds every row and file
committed before it; restore writes only into an empty database, and only a whole,
unaltered backup."""

from __future__ import annotations

import io
import tarfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from iil_lms.accounts.models import User
from iil_lms.backup import MANIFEST, BackupError, backup, restore
from iil_lms.cli import main
from iil_lms.db import make_engine
from iil_lms.migrations import upgrade
from iil_lms.settings import Settings, get_settings

Install = Callable[[str], Settings]


@pytest.fixture
def install(tmp_path: Path, postgres_url: str | None) -> Iterator[Install]:
    """A migrated, empty install (database and data folder) per name."""
    made: list[str] = []

    def make(name: str) -> Settings:
        if postgres_url is None:
            url = f"sqlite:///{tmp_path / name / 'iil.sqlite3'}"
        else:
            from tests.pg_server import create_database

            url = create_database(postgres_url)
            made.append(url)
        settings = Settings(
            data_dir=tmp_path / name / "data",
            database_url=url,
            secret_key=f"secret-of-{name}-0123456789",
        )
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return settings

    yield make
    if postgres_url is not None:
        from tests.pg_server import drop_database

        for url in made:
            drop_database(url, postgres_url)


def _users(settings: Settings) -> dict[int, str]:
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            return {u.id: u.email for u in session.exec(select(User)) if u.id is not None}
    finally:
        engine.dispose()


def _add_people(settings: Settings, count: int) -> None:
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            for n in range(count):
                session.add(User(email=f"person{n}@example.org", display_name=f"Person {n}"))
            session.commit()
    finally:
        engine.dispose()


class Writer(threading.Thread):
    """People signing up while the backup runs: each file is written before its row is
    committed, as uploads are; `committed` lists rows whose commit has returned."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.committed: list[int] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        engine = make_engine(self.settings.database_url)
        folder = self.settings.uploads_dir / "submissions"
        folder.mkdir(parents=True, exist_ok=True)
        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                (folder / f"answer-{n}.txt").write_text(f"answer {n} ✓ دیانت")
                with Session(engine) as session:
                    session.add(User(email=f"writer{n}@example.org", display_name=f"Writer {n}"))
                    session.commit()
                self.committed.append(n)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error
        finally:
            engine.dispose()


def test_backup_while_writing_restores_every_committed_row_and_file(
    install: Install, tmp_path: Path
) -> None:
    source = install("source")
    writer = Writer(source)
    writer.start()
    while len(writer.committed) < 20:
        threading.Event().wait(0.01)
    committed_before = len(writer.committed)
    file = tmp_path / "backup.tar.gz"
    summary = backup(source, file)
    while len(writer.committed) < committed_before + 10:
        threading.Event().wait(0.01)
    writer.stop.set()
    writer.join(timeout=30)
    assert writer.error is None

    target = install("target")
    restored = restore(target, file)

    emails = set(_users(target).values())
    for n in range(1, committed_before + 1):
        assert f"writer{n}@example.org" in emails
        stored = target.uploads_dir / "submissions" / f"answer-{n}.txt"
        assert stored.read_text() == f"answer {n} ✓ دیانت"
    # One snapshot: the restored rows are exactly the ones the backup counted, and the
    # rows written after it are not there.
    assert restored.rows == summary.rows
    assert len(emails) < len(writer.committed)
    assert (target.data_dir / "secret_key").exists() is (source.data_dir / "secret_key").exists()


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(
    install: Install, tmp_path: Path
) -> None:
    source = install("source")
    _add_people(source, 3)
    file = tmp_path / "backup.tar.gz"
    backup(source, file)
    target = install("target")
    _add_people(target, 1)
    kept = _users(target)

    with pytest.raises(BackupError, match=r"not empty.*--force"):
        restore(target, file)
    assert _users(target) == kept

    restore(target, file, force=True)
    assert sorted(_users(target).values()) == sorted(_users(source).values())


def _damaged(file: Path, tmp_path: Path, how: str) -> Path:
    data = file.read_bytes()
    damaged = tmp_path / f"{how}.tar.gz"
    if how == "truncated":
        damaged.write_bytes(data[: len(data) // 2])
    elif how == "bit-flipped":
        middle = len(data) // 2
        damaged.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    elif how == "altered":
        # A well-formed archive whose database was swapped, manifest kept: only the
        # checksum can tell.
        with tarfile.open(file, "r:gz") as old, tarfile.open(damaged, "w:gz") as new:
            for info in old:
                body = old.extractfile(info)
                content = body.read() if body else b""
                if info.name.startswith("database."):
                    content = content[:200] + bytes([content[200] ^ 0xFF]) + content[201:]
                info.size = len(content)
                new.addfile(info, io.BytesIO(content))
    elif how == "without-manifest":
        with tarfile.open(file, "r:gz") as old, tarfile.open(damaged, "w:gz") as new:
            for info in old:
                if info.name != MANIFEST:
                    body = old.extractfile(info)
                    new.addfile(info, body)
    else:
        damaged.write_bytes(b"not a backup at all")
    return damaged


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("truncated", r"damaged or truncated|no manifest|lacks"),
        ("bit-flipped", r"damaged or truncated|checksum|no manifest"),
        ("altered", r"database\.\w+ in .* does not match its checksum"),
        ("without-manifest", r"no manifest"),
        ("garbage", r"damaged or truncated"),
    ],
)
def test_a_damaged_backup_is_refused_and_nothing_is_written(
    install: Install, tmp_path: Path, how: str, message: str
) -> None:
    source = install("source")
    _add_people(source, 5)
    (source.uploads_dir / "logos").mkdir(parents=True)
    (source.uploads_dir / "logos" / "academy.png").write_bytes(b"\x89PNG" + b"x" * 50_000)
    file = tmp_path / "backup.tar.gz"
    backup(source, file)
    target = install("target")

    with pytest.raises(BackupError, match=message):
        restore(target, _damaged(file, tmp_path, how))
    assert _users(target) == {}
    assert not (target.uploads_dir / "logos" / "academy.png").exists()


def test_backup_and_restore_commands(
    install: Install,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = install("source")
    _add_people(source, 2)
    target = install("target")
    file = tmp_path / "nightly.tar.gz"

    def use(settings: Settings) -> None:
        monkeypatch.setenv("IIL_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("IIL_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("IIL_SECRET_KEY", settings.secret_key or "")
        get_settings.cache_clear()

    use(source)
    assert main(["backup", str(file)]) == 0
    assert "Backed up" in capsys.readouterr().out
    use(target)
    assert main(["restore", str(file)]) == 0
    assert "Restored" in capsys.readouterr().out
    assert main(["restore", str(file)]) == 1
    assert "not empty" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing.tar.gz")]) == 1
    assert "does not exist" in capsys.readouterr().err
    get_settings.cache_clear()
    engine = make_engine(target.database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    engine.dispose()
