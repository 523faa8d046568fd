"""`iil-lms backup` and `iil-lms restore`: the database and the files people uploaded, in
one file, taken while the server runs.

A backup is a gzip'd tar: the database (SQLite's online backup API, so a consistent
snapshot while others write; `pg_dump --format=custom` for PostgreSQL, which reads one
snapshot too), the data folder's own files (uploads, logos, signature images, signing
keys, the secret key, issued certificate bundles) and, written last, a manifest with the
SHA-256 of every member and the row count of every table. Files are copied after the
database snapshot: every row committed before it points at a file already on disk.

Restore checks the whole file before it writes anything: a missing manifest (a truncated
copy), a member whose checksum differs, or a damaged archive is refused with the name of
what is wrong. It writes into an empty database only, unless told `--force`.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine, make_url

from iil_lms.db import make_engine
from iil_lms.migrations import alembic_config, upgrade
from iil_lms.settings import Settings

FORMAT = 1
MANIFEST = "iil-backup.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
FILES_PREFIX = "data/"
# Rebuilt on demand or private to one running install: never part of a backup.
SKIPPED_IN_DATA_DIR = ("cache", "jobs.sqlite3", "jobs.sqlite3-wal", "jobs.sqlite3-shm")


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    engine: str
    tables: int
    rows: int
    files: int
    size_bytes: int


def backup(settings: Settings, destination: Path) -> BackupSummary:
    engine = make_engine(settings.database_url)
    try:
        with tempfile.TemporaryDirectory(prefix="iil-backup-") as work:
            dump = Path(work) / "dump"
            kind = engine.dialect.name
            if kind == "sqlite":
                _sqlite_snapshot(_sqlite_path(engine), dump)
                rows = _sqlite_row_counts(dump)
                member = SQLITE_MEMBER
            else:
                rows = _pg_dump(engine, dump)
                member = POSTGRES_MEMBER
            data_files = list(_data_files(settings, engine))
            manifest: dict[str, object] = {
                "format": FORMAT,
                "revision": _revision(engine),
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "engine": kind,
                "rows": rows,
                "members": {},
            }
            checksums: dict[str, str] = {}
            partial = destination.with_name(destination.name + ".partial")
            with tarfile.open(partial, "w:gz") as archive:
                checksums[member] = _add(archive, dump, member)
                for path, name in data_files:
                    checksums[name] = _add(archive, path, name)
                manifest["members"] = checksums
                body = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(body)
                info.mtime = int(datetime.now(UTC).timestamp())
                archive.addfile(info, io.BytesIO(body))
            partial.replace(destination)
    finally:
        engine.dispose()
    return BackupSummary(
        engine=kind,
        tables=len(rows),
        rows=sum(rows.values()),
        files=len(data_files),
        size_bytes=destination.stat().st_size,
    )


def restore(settings: Settings, source: Path, *, force: bool = False) -> BackupSummary:
    engine = make_engine(settings.database_url)
    try:
        with tempfile.TemporaryDirectory(prefix="iil-restore-") as work:
            unpacked = Path(work)
            manifest = _unpack_checked(source, unpacked)
            kind = manifest["engine"]
            if kind != engine.dialect.name:
                raise BackupError(
                    f"{source} is a backup of a {kind} database; the configured database "
                    f"is {engine.dialect.name}. Restore it into a {kind} database."
                )
            _check_revision_known(manifest.get("revision"), source)
            filled = _filled_tables(engine)
            if filled and not force:
                raise BackupError(
                    f"The database is not empty ({len(filled)} tables have rows, e.g. "
                    f"{', '.join(filled[:3])}). Restore into an empty database, or pass "
                    "--force to replace everything in it."
                )
            if kind == "sqlite":
                _sqlite_restore(unpacked / SQLITE_MEMBER, _sqlite_path(engine), engine)
            else:
                _pg_restore(unpacked / POSTGRES_MEMBER, engine)
            members: dict[str, str] = manifest["members"]
            files = [name for name in members if name.startswith(FILES_PREFIX)]
            for name in files:
                target = settings.data_dir / name.removeprefix(FILES_PREFIX)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(unpacked / name, target)
        rows: dict[str, int] = manifest["rows"]
        if manifest.get("revision"):
            upgrade(engine)  # a backup from an older version comes up to this one's schema
    finally:
        engine.dispose()
    return BackupSummary(
        engine=kind,
        tables=len(rows),
        rows=sum(rows.values()),
        files=len(files),
        size_bytes=source.stat().st_size,
    )


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _check_revision_known(revision: str | None, source: Path) -> None:
    if revision is None:
        return
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError as error:
        raise BackupError(
            f"{source} was made by a newer iil-lms (database revision {revision}). "
            "Install that version or newer, then restore."
        ) from error


# --- reading a backup ---------------------------------------------------------------


def _unpack_checked(source: Path, into: Path) -> dict[str, Any]:
    """Every member out, checked against the manifest, before anything is restored."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
    checksums: dict[str, str] = {}
    manifest: dict[str, Any] | None = None
    try:
        with tarfile.open(source, "r:gz") as archive:
            for info in archive:
                name = _safe_member_name(info, source)
                reader = archive.extractfile(info)
                if reader is None:
                    continue
                if name == MANIFEST:
                    manifest = json.loads(reader.read())
                    continue
                target = into / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while chunk := reader.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
                checksums[name] = digest.hexdigest()
    except (tarfile.TarError, EOFError, OSError, zlib.error, json.JSONDecodeError) as error:
        raise BackupError(
            f"{source} is damaged or truncated and cannot be read ({error}). Nothing was restored."
        ) from error
    if manifest is None:
        raise BackupError(
            f"{source} has no manifest ({MANIFEST}): it is truncated or not an iil-lms "
            "backup. Nothing was restored."
        )
    if manifest.get("format") != FORMAT or manifest.get("engine") not in ("sqlite", "postgresql"):
        raise BackupError(f"{source} is not an iil-lms backup of format {FORMAT}.")
    expected: dict[str, str] = manifest.get("members", {})
    for name, stored in expected.items():
        if name not in checksums:
            raise BackupError(
                f"{source} lacks {name}, which its manifest lists. Nothing was restored."
            )
        if checksums[name] != stored:
            raise BackupError(
                f"{name} in {source} does not match its checksum: the backup is corrupted. "
                "Nothing was restored."
            )
    unexpected = sorted(set(checksums) - set(expected))
    if unexpected:
        raise BackupError(f"{source} holds files its manifest does not list: {unexpected[:3]}.")
    return manifest


def _safe_member_name(info: tarfile.TarInfo, source: Path) -> str:
    path = PurePosixPath(info.name)
    if path.is_absolute() or ".." in path.parts or not (info.isfile() or info.isdir()):
        raise BackupError(f"{source} holds an unsafe entry ({info.name!r}); refused.")
    return str(path)


# --- SQLite -------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def _sqlite_snapshot(database: Path, destination: Path) -> None:
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(destination)
    try:
        # One step: the copy is one read transaction, a snapshot however busy the writers.
        source.backup(target)
    finally:
        target.close()
        source.close()


def _sqlite_row_counts(database: Path) -> dict[str, int]:
    connection = sqlite3.connect(database)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        count = 'SELECT count(*) FROM "{}"'  # names come from the schema itself
        return {t: connection.execute(count.format(t)).fetchone()[0] for t in tables}
    finally:
        connection.close()


def _sqlite_restore(snapshot: Path, database: Path, engine: Engine) -> None:
    checked = sqlite3.connect(snapshot)
    try:
        problems = checked.execute("PRAGMA integrity_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"The database in the backup is damaged: {problems[0][0]}.")
        if checked.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise BackupError("The database in the backup has rows that point nowhere.")
    finally:
        checked.close()
    engine.dispose()
    database.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(snapshot)
    target = sqlite3.connect(database, timeout=30)
    try:
        # The backup API replaces the target's pages in one transaction: an existing
        # database (with --force) is replaced whole, never half.
        source.backup(target)
    finally:
        target.close()
        source.close()


# --- PostgreSQL ---------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    """The newest installed client tool: pg_dump refuses a server newer than itself."""

    def version(path: str) -> int:
        parts = Path(path).parts
        return int(parts[-3]) if parts[-3].isdigit() else 0

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    tool = found[-1] if found else shutil.which(name)
    if not tool:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return tool


def _pg_connection(engine: Engine) -> tuple[list[str], dict[str, str]]:
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    args += ["--dbname", url.database or ""]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _pg_dump(engine: Engine, destination: Path) -> dict[str, int]:
    """Dump and count in one exported snapshot, so the manifest's counts are the dump's."""
    args, env = _pg_connection(engine)
    command = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    isolated = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with isolated as connection, connection.begin():
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        counts = _counts(connection)
        _run(
            [*command, *args, f"--snapshot={snapshot}", "--file", str(destination)],
            env,
            "pg_dump",
        )
    return counts


def _pg_restore(dump: Path, engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    args, env = _pg_connection(engine)
    command = [
        _pg_tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    _run([*command, *args, str(dump)], env, "pg_restore")


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 - our own tool and arguments
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip() or result.stdout.strip()}")


def _counts(connection: Connection) -> dict[str, int]:
    count = 'SELECT count(*) FROM "{}"'  # names come from the schema itself
    return {
        table: connection.execute(text(count.format(table))).scalar_one()
        for table in sorted(inspect(connection).get_table_names())
    }


# --- both ---------------------------------------------------------------------------


def _filled_tables(engine: Engine) -> list[str]:
    if engine.dialect.name == "sqlite" and not _sqlite_path(engine).exists():
        return []
    with engine.connect() as connection:
        counts = _counts(connection)
    return [t for t, n in counts.items() if n and t != "alembic_version"]


def _data_files(settings: Settings, engine: Engine) -> Iterator[tuple[Path, str]]:
    root = settings.data_dir
    if not root.is_dir():
        return
    skipped = {root / name for name in SKIPPED_IN_DATA_DIR}
    if engine.dialect.name == "sqlite":
        database = _sqlite_path(engine).resolve()
        skipped |= {Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")}
    for path in sorted(root.rglob("*")):
        resolved = path.resolve()
        if not path.is_file() or path.is_symlink():
            continue
        if resolved in skipped or any(p in skipped for p in path.parents) or path in skipped:
            continue
        if path.name.endswith(".partial"):
            continue
        yield path, FILES_PREFIX + path.relative_to(root).as_posix()


def _add(archive: tarfile.TarFile, path: Path, name: str) -> str:
    """Copy once into a spool, hashing as it goes: the checksum is of the bytes stored,
    even if the file changes while it is read."""
    digest = hashlib.sha256()
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
        with path.open("rb") as source:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                spool.write(chunk)
        info = tarfile.TarInfo(name)
        info.size = spool.tell()
        info.mtime = int(path.stat().st_mtime)
        info.mode = 0o600
        spool.seek(0)
        archive.addfile(info, spool)
    return digest.hexdigest()
