"""A throwaway PostgreSQL server for the test session: initdb into a temporary folder,
listening on 127.0.0.1 only, run as an unprivileged user when the tests run as root
(PostgreSQL refuses to run as root). Plus empty databases for tests that need one."""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from iil_lms.db import make_engine


def _version(path: str) -> int:
    match = re.search(r"/postgresql/(\d+)/", path)
    return int(match.group(1)) if match else 0


def _bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version)
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} was not found; run `make test` to install it.")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class PostgresServer:
    def __init__(self) -> None:
        as_root = os.geteuid() == 0
        # Under root the server's user must reach the folder: /tmp, not root's own TMPDIR.
        self.dir = Path(tempfile.mkdtemp(prefix="iil-pg-", dir="/tmp" if as_root else None))
        self.port = _free_port()
        self.user: str | None = None
        if as_root:
            self.user = "postgres" if _user_exists("postgres") else "nobody"
            shutil.chown(self.dir, user=self.user)
        self.data = self.dir / "data"
        self.started = False

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.dir)
        if result.returncode != 0:
            log = self.dir / "log"
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}"
                f"{result.stderr}" + (log.read_text() if log.exists() else "")
            )

    def start(self) -> str:
        try:
            self._run(
                _bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C.UTF-8",
            )  # fmt: skip
            self._run(
                _bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
                "-w", "-t", "60",
                "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "start",
            )  # fmt: skip
            self.started = True
            self._wait_for_port()
        except BaseException:
            self.stop()
            raise
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _wait_for_port(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not listen on 127.0.0.1:{self.port}")

    def stop(self) -> None:
        try:
            if self.started:
                self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
                self.started = False
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def create_database(server_url: str) -> str:
    """A new, empty database on the server at `server_url`; returns its URL."""
    name = f"iil_test_{secrets.token_hex(4)}"
    _autocommit(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(database_url: str, server_url: str) -> None:
    name = make_url(database_url).database
    _autocommit(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _autocommit(server_url: str, statement: str) -> None:
    engine = make_engine(server_url)
    try:
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text(statement))
    finally:
        engine.dispose()
