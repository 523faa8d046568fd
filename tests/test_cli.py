"""The `iil-lms` command: migrate, create-user, serve's options."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import select

from iil_lms import cli
from iil_lms.accounts.models import User
from iil_lms.db import make_engine
from iil_lms.migrations import alembic_config
from iil_lms.settings import get_settings


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The command configures logging for the whole process; put it back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def use_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str) -> None:
    """Point the command's settings (read from the environment) at `url`."""
    monkeypatch.setenv("IIL_DATABASE_URL", url)
    monkeypatch.setenv("IIL_DATA_DIR", str(tmp_path / "cli-data"))
    monkeypatch.setenv("IIL_SECRET_KEY", "cli-test-secret-key-0123456789")
    monkeypatch.setenv("IIL_BASE_URL", "http://testserver")
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def cli_on_test_database(monkeypatch, tmp_path, settings) -> None:
    use_database(monkeypatch, tmp_path, settings.database_url)


def test_migrate_builds_an_empty_database_up_to_the_latest_revision(
    monkeypatch, tmp_path, capsys, empty_database_url
):
    use_database(monkeypatch, tmp_path, empty_database_url)
    assert cli.main(["migrate"]) == 0
    assert "Database is up to date." in capsys.readouterr().out
    engine = make_engine(empty_database_url)
    try:
        assert {"user", "cohort", "membership"} <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            applied = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert applied == ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert cli.main(["migrate"]) == 0, "a second migrate is a no-op"
    finally:
        engine.dispose()


def test_create_user_prints_an_invitation_link_that_lets_them_sign_in(
    cli_on_test_database, capsys, client
):
    code = cli.main(["create-user", "--email", "Rabia.Khan@Example.test", "--name", "Rabia Khan"])
    assert code == 0
    out = capsys.readouterr().out
    assert "Created rabia.khan@example.test" in out
    match = re.search(r"http://testserver(/invite/\S+)", out)
    assert match, out
    page = client.get(match.group(1))
    assert page.status_code == 200 and "Rabia Khan" in page.text
    response = client.post(
        match.group(1),
        data={
            "password": "a-long-password",
            "confirm": "a-long-password",
            "csrf_token": client.csrf(match.group(1)),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    fresh = client.__class__(client.app, base_url="http://testserver")
    assert fresh.login("rabia.khan@example.test", "a-long-password").status_code == 303


def test_create_user_can_make_a_site_admin(cli_on_test_database, capsys, session):
    assert cli.main(["create-user", "--email", "ops@example.test", "--name", "Ops", "--admin"]) == 0
    assert "(site admin)" in capsys.readouterr().out
    user = session.exec(select(User).where(User.email == "ops@example.test")).one()
    assert user.is_admin


def test_create_user_refuses_a_duplicate_email_with_exit_code_1(
    cli_on_test_database, capsys, session
):
    assert cli.main(["create-user", "--email", "sana@example.test", "--name", "Sana"]) == 0
    capsys.readouterr()
    code = cli.main(["create-user", "--email", "SANA@example.test", "--name", "Sana Again"])
    captured = capsys.readouterr()
    assert code == 1
    assert "error: An account with the email sana@example.test already exists." in captured.err
    assert "Invitation link" not in captured.out
    names = session.exec(select(User.display_name).where(User.email == "sana@example.test"))
    assert names.all() == ["Sana"]


def test_create_user_refuses_a_bad_email_and_writes_nothing(cli_on_test_database, capsys, session):
    assert cli.main(["create-user", "--email", "not-an-email", "--name", "Nobody"]) == 1
    assert "error: Enter a valid email address." in capsys.readouterr().err
    assert session.exec(select(User)).all() == []


def test_serve_help_lists_host_port_and_workers():
    script = Path(sys.executable).parent / "iil-lms"
    result = subprocess.run(
        [str(script), "serve", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    for option in ("--host", "--port", "--workers", "--forwarded-allow-ips"):
        assert option in result.stdout


def test_unknown_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
