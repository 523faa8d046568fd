"""Apply the Alembic migrations in `migrations/` to the configured database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from iil_lms.settings import PROJECT_DIR


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_DIR / "migrations"))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@contextmanager
def migration_transaction(connection: Connection) -> Iterator[None]:
    """One transaction for a whole migration run. On SQLite, foreign keys are off
    meanwhile: a column change rebuilds its table (batch mode), and SQLite refuses to
    drop a table that other tables' rows refer to. The keys are checked before the
    commit, and any row left pointing nowhere fails the migration."""
    sqlite = connection.dialect.name == "sqlite"
    driver = connection.connection.driver_connection
    if sqlite:
        # On the driver, before BEGIN: inside a transaction SQLite ignores the pragma.
        driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    try:
        with connection.begin():
            yield
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"rows refer to rows that do not exist: {broken[:5]}")
    finally:
        if sqlite:
            driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to `revision` in one transaction (see migration_transaction)."""
    config = alembic_config()
    with engine.connect() as connection, migration_transaction(connection):
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
