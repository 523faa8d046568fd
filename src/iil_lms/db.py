"""Engine, per-request session, SQLite pragmas and the transaction helper."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

# Set for requests that write, so SQLite takes the write lock when the transaction
# starts instead of failing to upgrade a read lock under concurrent writers.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


# Set only while the demo writes past activity through the services (`clock_at`).
_clock: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("clock", default=None)


def utcnow() -> datetime:
    return _clock.get() or datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """`utcnow()` answers `moment` meanwhile: the demo writes a cohort's past work
    through the services as of the hour it happened."""
    token = _clock.set(moment)
    try:
        yield
    finally:
        _clock.reset(token)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 30}
        )
        _configure_sqlite(engine)
        return engine
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return create_engine(database_url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook issue BEGIN itself (pysqlite's own is too late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Straight to the driver: every request begins a transaction, and SQLAlchemy's
        # statement machinery costs more than this statement.
        connection.connection.driver_connection.execute(
            "BEGIN IMMEDIATE" if write_intent.get() else "BEGIN"
        )


@contextmanager
def transaction(engine: Engine, *, writes: bool = True) -> Iterator[Session]:
    """A session for commands and jobs: all or nothing."""
    token = write_intent.set(writes)
    try:
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
            except BaseException:
                session.rollback()
                raise
            session.commit()
    finally:
        write_intent.reset(token)
