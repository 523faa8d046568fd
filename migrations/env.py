"""Alembic environment: the models' metadata and the URL from iil-lms settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from iil_lms.all_models import metadata
from iil_lms.db import make_engine
from iil_lms.migrations import migration_transaction
from iil_lms.settings import get_settings

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection, migration_transaction(connection):
        _run(connection)


if context.is_offline_mode():
    context.configure(url=get_settings().database_url, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
