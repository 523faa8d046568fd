"""Fixtures: a fresh database per test (SQLite in a temp folder, or the session's
PostgreSQL server when IIL_TEST_DB=postgres), the app, a web client and factories."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import iil_lms.all_models  # noqa: F401
from iil_lms.accounts import service as accounts_service
from iil_lms.accounts.models import User
from iil_lms.accounts.service import hash_password
from iil_lms.app import create_app
from iil_lms.cohorts.models import Academy, Cohort, LearningCircle, Membership, Role
from iil_lms.db import make_engine
from iil_lms.settings import Settings

# Password hashing at the production cost (argon2id, 64 MiB, 3 passes, 4 lanes) takes about
# 0.25 s of CPU per hash or check, and the suite logs in thousands of times: in tests the
# app hashes at the lowest cost instead (an argon2id hash carries its parameters, so
# checking one made here is as cheap). Tests marked `real_password_hashing` get the
# production hasher (tests/accounts/test_password_hashing.py checks its cost).
_REAL_HASHER = accounts_service._hasher
_TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
accounts_service._hasher = _TEST_HASHER

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = hash_password(PASSWORD)
USE_POSTGRES = os.environ.get("IIL_TEST_DB") == "postgres"


# The fixtures through which a test reaches a database (directly or through `app`,
# `client`, `session`, `factory`...: pytest's fixture closure includes those).
DATABASE_FIXTURES = {"engine", "postgres_engine", "postgres_url", "empty_database_url"}


def _runs_in_this_pass(item: pytest.Item) -> bool:
    """The SQLite pass runs every test but those of PostgreSQL deployments; the PostgreSQL
    pass repeats only what can differ there: the tests that reach a database, minus the
    browser journeys (they ran once, in the SQLite pass). A test without a database
    fixture (PDF fonts, catalogs, the scheduler, the lock file...) does the same in both
    passes, so it runs once, in the SQLite pass."""
    if not USE_POSTGRES:
        return "postgres_only" not in item.keywords
    if "browser" in item.keywords:
        return False
    if "postgres_only" in item.keywords:
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = [i for i in items if not _runs_in_this_pass(i)]
    items[:] = [i for i in items if _runs_in_this_pass(i)]
    config.hook.pytest_deselected(items=skip)


class NoSkipsInCI:
    """CI never goes green by skipping: with CI=true, any skipped test fails the run."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def _note(self, report: pytest.CollectReport | pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
            self.skipped.append(f"{report.nodeid}: {reason}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._note(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._note(report)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.skipped and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.skipped:
            terminalreporter.section("CI=true: skipped tests fail the run", red=True)
            for line in self.skipped:
                terminalreporter.line(f"SKIPPED {line}", red=True)


@pytest.fixture(autouse=True)
def _password_hashing_cost(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("real_password_hashing") is None:
        yield
        return
    accounts_service._hasher = _REAL_HASHER
    try:
        yield
    finally:
        accounts_service._hasher = _TEST_HASHER


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") == "true":
        config.pluginmanager.register(NoSkipsInCI(), "iil-no-skips-in-ci")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    if not USE_POSTGRES:
        yield None
        return
    given = os.environ.get("IIL_TEST_DATABASE_URL")
    if given:
        yield given
        return
    from tests.pg_server import PostgresServer

    server = PostgresServer()
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str | None) -> Iterator[Engine | None]:
    if postgres_url is None:
        yield None
        return
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_database_url(tmp_path: Path, postgres_url: str | None) -> Iterator[str]:
    """A database without any table (for migrations and `iil-lms migrate`)."""
    if postgres_url is None:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    from tests.pg_server import create_database, drop_database

    url = create_database(postgres_url)
    yield url
    drop_database(url, postgres_url)


def _empty_postgres(engine: Engine) -> None:
    """Every table emptied and every sequence back at 1, as TRUNCATE ... RESTART IDENTITY
    would, but cheaper: TRUNCATE makes new files for each table and index (0.2 s a test
    for all tables); a test writes to a few tables, and DELETE empties those in
    milliseconds (children before parents, so the foreign keys hold)."""
    # Table names come from the models, not from input.
    tables = SQLModel.metadata.sorted_tables
    exists = 'SELECT {} WHERE EXISTS (SELECT 1 FROM "{}")'
    used = " UNION ALL ".join(exists.format(i, t.name) for i, t in enumerate(tables))
    try:
        with engine.begin() as connection:
            written = {row[0] for row in connection.execute(text(used))}
            for i in sorted(written, reverse=True):
                connection.execute(text(f'DELETE FROM "{tables[i].name}"'))  # noqa: S608
            connection.execute(
                text("SELECT setval(oid::regclass, 1, false) FROM pg_class WHERE relkind = 'S'")
            )
    except Exception:  # e.g. a cycle of foreign keys: the sure way
        names = ", ".join(f'"{t.name}"' for t in tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every table, created once per test session (per xdist worker); each test's database
    is a copy of this file (creating the schema costs far more than copying it)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()  # the last connection closed: the WAL is folded into the file
    return path


@pytest.fixture
def engine(
    tmp_path: Path, postgres_engine: Engine | None, request: pytest.FixtureRequest
) -> Iterator[Engine]:
    if postgres_engine is not None:
        yield postgres_engine
        _empty_postgres(postgres_engine)
        return
    database = tmp_path / "test.sqlite3"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), database)
    engine = make_engine(f"sqlite:///{database}")
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, engine: Engine) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=str(engine.url.render_as_string(hide_password=False)),
        secret_key="test-secret-key-0123456789",
        base_url="http://testserver",
        outbox_interval_seconds=0,  # tests send the outbox themselves
    )


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Any:
    return create_app(settings, engine)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


class WebClient(TestClient):
    """A browser-like client: keeps cookies, finds the CSRF token like a form would."""

    def csrf(self, path: str = "/login") -> str:
        page = self.get(path)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, f"no CSRF token on {path} ({page.status_code})"
        return match.group(1)

    def login(self, email: str, password: str = PASSWORD) -> Any:
        token = self.csrf("/login")
        response = self.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:500]
        return response

    def post_form(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        token_from: str = "/account",
        **kwargs: Any,
    ) -> Any:
        payload = dict(data or {})
        payload["csrf_token"] = self.csrf(token_from)
        kwargs.setdefault("follow_redirects", False)
        return self.post(path, data=payload, **kwargs)


@pytest.fixture
def client(app: Any) -> Iterator[WebClient]:
    with WebClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def make_client(app: Any) -> Iterator[Any]:
    clients: list[WebClient] = []

    def factory() -> WebClient:
        c = WebClient(app, base_url="http://testserver")
        c.__enter__()
        clients.append(c)
        return c

    yield factory
    for c in clients:
        c.__exit__(None, None, None)


@dataclass
class CohortFixture:
    academy: Academy
    cohort: Cohort
    trainees: list[User] = field(default_factory=list)
    mentors: list[User] = field(default_factory=list)
    trainers: list[User] = field(default_factory=list)
    organisers: list[User] = field(default_factory=list)
    circles: list[LearningCircle] = field(default_factory=list)
    memberships: dict[tuple[int, str], Membership] = field(default_factory=dict)


class Factory:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.counter = 0

    def user(
        self,
        *,
        name: str | None = None,
        email: str | None = None,
        language: str = "en",
        is_admin: bool = False,
    ) -> User:
        self.counter += 1
        user = User(
            email=email or f"person{self.counter}@example.test",
            display_name=name or f"Person {self.counter}",
            language=language,
            is_admin=is_admin,
            password_hash=_PASSWORD_HASH,
        )
        self.session.add(user)
        self.session.commit()
        return user

    def cohort(
        self,
        *,
        trainees: int = 2,
        mentors: int = 1,
        trainers: int = 1,
        organisers: int = 1,
        circles: int = 1,
        name: str | None = None,
        language: str = "en",
        timeframe: str = "academy-year",
        # UTC keeps "today" in tests (tests.learning.factories.today) the academy's.
        timezone: str = "UTC",
    ) -> CohortFixture:
        self.counter += 1
        n = self.counter
        academy = Academy(
            slug=f"academy-{n}",
            name=f"Academy {n}",
            country="Pakistan",
            timezone=timezone,
            local_language="ur",
        )
        self.session.add(academy)
        self.session.flush()
        cohort = Cohort(
            academy_id=academy.id,
            slug=f"cohort-{n}",
            name=name or f"Cohort {n}",
            language=language,
            starts_on=date(2026, 9, 7),
            ends_on=date(2027, 7, 30),
            timeframe=timeframe,
        )
        self.session.add(cohort)
        self.session.flush()
        made = CohortFixture(academy=academy, cohort=cohort)
        for i in range(circles):
            circle = LearningCircle(cohort_id=cohort.id, name=f"Circle {i + 1}")
            self.session.add(circle)
            made.circles.append(circle)
        self.session.flush()
        for role, count, bucket in (
            (Role.TRAINEE, trainees, made.trainees),
            (Role.MENTOR, mentors, made.mentors),
            (Role.TRAINER, trainers, made.trainers),
            (Role.ORGANISER, organisers, made.organisers),
        ):
            for i in range(count):
                user = self.user(
                    name=f"{role.value.title()} {n}-{i + 1}",
                    email=f"{role.value}{i + 1}.c{n}@example.test",
                )
                membership = Membership(
                    cohort_id=cohort.id,
                    user_id=user.id,
                    role=role.value,
                    department=f"Department {i % 3}",
                    district="Lahore",
                    province="Punjab",
                    circle_id=(
                        made.circles[i % circles].id if role == Role.TRAINEE and circles else None
                    ),
                )
                self.session.add(membership)
                bucket.append(user)
                self.session.flush()
                made.memberships[(user.id, role.value)] = membership  # type: ignore[index]
        self.session.commit()
        return made


@pytest.fixture
def factory(session: Session) -> Factory:
    return Factory(session)
