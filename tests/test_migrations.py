"""The Alembic migrations build exactly the schema the models describe, on SQLite and on
PostgreSQL, and can be rolled back to an empty database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, DateTime, inspect
from sqlalchemy.engine import Engine

from iil_lms.all_models import metadata
from iil_lms.db import make_engine
from iil_lms.migrations import alembic_config, upgrade


@pytest.fixture
def empty_engine(empty_database_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_database_url)
    yield engine
    engine.dispose()


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def _downgrade_to_base(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")


def test_there_is_a_single_line_of_migrations():
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


def test_migrations_from_empty_match_the_models(empty_engine):
    upgrade(empty_engine)
    assert _differences(empty_engine) == []
    assert set(metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_migrating_twice_is_harmless(empty_engine):
    upgrade(empty_engine)
    upgrade(empty_engine)
    assert _differences(empty_engine) == []


def test_migrated_columns_keep_json_and_utc_times(empty_engine):
    upgrade(empty_engine)
    inspector = inspect(empty_engine)
    checked = 0
    for table in metadata.sorted_tables:
        reflected = {c["name"]: c["type"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if isinstance(column.type, JSON):
                assert isinstance(reflected[column.name], JSON), f"{table.name}.{column.name}"
                checked += 1
            elif isinstance(column.type, DateTime):
                assert isinstance(reflected[column.name], DateTime), f"{table.name}.{column.name}"
                # SQLite has no time zone type; PostgreSQL must store timestamptz.
                if empty_engine.dialect.name == "postgresql":
                    assert reflected[column.name].timezone == column.type.timezone, (
                        f"{table.name}.{column.name}"
                    )
                checked += 1
    assert checked > 0


def test_every_stored_time_is_timezone_aware():
    naive = [
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, DateTime) and not column.type.timezone
    ]
    assert naive == []


def test_downgrade_to_base_leaves_an_empty_database(empty_engine):
    upgrade(empty_engine)
    _downgrade_to_base(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_engine)
    assert _differences(empty_engine) == []


def test_a_database_with_people_in_it_migrates_to_the_newest_schema(empty_engine):
    """An install upgrading with its data: the user table is rebuilt on SQLite (a column
    became optional) while memberships and sessions refer to its rows."""
    from datetime import date

    from sqlalchemy import text
    from sqlmodel import Session

    from iil_lms.accounts.models import User
    from iil_lms.cohorts.models import Academy, Cohort, Membership

    upgrade(empty_engine, "5a1e0c7d9b21")  # the schema before user.language was optional
    with Session(empty_engine) as session:
        academy = Academy(slug="nasc", name="NASC", country="Nepal")
        user = User(email="sita@example.org", display_name="Sita", language="ne")
        session.add_all([academy, user])
        session.flush()
        cohort = Cohort(
            academy_id=academy.id or 0,
            slug="c",
            name="Cohort",
            starts_on=date(2026, 9, 1),
            ends_on=date(2027, 6, 30),
        )
        session.add(cohort)
        session.flush()
        session.add(Membership(cohort_id=cohort.id or 0, user_id=user.id or 0, role="trainee"))
        session.commit()
    upgrade(empty_engine)
    assert _differences(empty_engine) == []
    with empty_engine.connect() as connection:
        assert connection.execute(text('SELECT language FROM "user"')).scalar_one() == "ne"
        assert connection.execute(text("SELECT count(*) FROM membership")).scalar_one() == 1
