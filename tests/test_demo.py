"""The demo data: the Pakistan and Nepal cohorts, idempotence, passwords, printed logins."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from iil_lms import cli
from iil_lms.accounts.models import User
from iil_lms.accounts.service import verify_password
from iil_lms.all_models import metadata
from iil_lms.cohorts.models import Cohort, Membership
from iil_lms.db import transaction
from iil_lms.demo import DEFAULT_PASSWORD, DemoLogin, build_demo
from iil_lms.settings import get_settings

ROLES = ("admin", "trainer", "organiser", "mentor", "trainee")


def run_demo(engine: Engine, password: str | None = None) -> list[DemoLogin]:
    with transaction(engine) as session:
        return build_demo(session, password=password)


def role_counts(engine: Engine, cohort_slug: str) -> dict[str, int]:
    query = (
        select(Membership.role, func.count())
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .where(Cohort.slug == cohort_slug)
        .group_by(Membership.role)
    )
    with engine.connect() as connection:
        return {role: count for role, count in connection.execute(query)}


def snapshot(engine: Engine) -> tuple[dict[str, int], str]:
    """Row counts of every table and a digest of the whole users table."""
    with engine.connect() as connection:
        counts = {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
        }
        users = connection.execute(select(User.__table__).order_by(User.__table__.c.id)).all()
    return counts, hashlib.sha256(repr(users).encode()).hexdigest()


def demo_password_hashes(engine: Engine) -> set[str | None]:
    query = select(User.password_hash).where(User.email.endswith("example.org")).distinct()
    with engine.connect() as connection:
        return set(connection.execute(query).scalars())


def test_demo_builds_the_pakistan_and_nepal_cohorts(engine):
    run_demo(engine)
    assert role_counts(engine, "ctp-2026") == {
        "trainee": 275,
        "mentor": 12,
        "trainer": 3,
        "organiser": 2,
    }
    nepal = role_counts(engine, "yics-2026")
    assert nepal["trainee"] == 12
    assert nepal["mentor"] == 2


def test_trainee_names_are_distinct_within_each_cohort(engine):
    run_demo(engine)
    query = (
        select(Cohort.slug, User.display_name)
        .join(Membership, Membership.user_id == User.id)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .where(Membership.role == "trainee")
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    for slug in ("ctp-2026", "yics-2026"):
        names = [name for cohort, name in rows if cohort == slug]
        assert len(names) == len(set(names)), f"repeated trainee names in {slug}"


def test_running_the_demo_twice_changes_nothing(engine):
    first_logins = run_demo(engine)
    before = snapshot(engine)
    second_logins = run_demo(engine)
    assert snapshot(engine) == before
    assert second_logins == first_logins


def test_demo_password_option_sets_every_demo_accounts_password(engine, client):
    run_demo(engine)
    logins = run_demo(engine, password="another-demo-pass")
    hashes = demo_password_hashes(engine)
    assert len(hashes) == 1, "every demo account shares the chosen password"
    (only,) = hashes
    assert verify_password(only, "another-demo-pass")
    assert not verify_password(only, DEFAULT_PASSWORD)
    by_role = {login.role: login.email for login in reversed(logins)}
    assert set(by_role) == set(ROLES)
    for role in ROLES:
        client.cookies.clear()
        assert client.login(by_role[role], "another-demo-pass").status_code == 303, role
        assert client.get("/account").status_code == 200, role


def test_demo_logins_work_with_the_default_password(engine, client):
    logins = run_demo(engine)
    trainee = next(login.email for login in logins if login.role == "trainee")
    assert client.login(trainee, DEFAULT_PASSWORD).status_code == 303


@pytest.fixture
def demo_command_env(monkeypatch, tmp_path, settings) -> Iterator[None]:
    monkeypatch.setenv("IIL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("IIL_DATA_DIR", str(tmp_path / "cli-data"))
    monkeypatch.setenv("IIL_SECRET_KEY", "cli-test-secret-key-0123456789")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_demo_command_prints_one_login_per_line_with_role_and_email(demo_command_env, capsys):
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert f"password: {DEFAULT_PASSWORD}" in out
    login_lines = [line.split() for line in out.splitlines() if "@" in line]
    roles = {fields[0] for fields in login_lines}
    assert {"trainer", "trainee", "mentor", "organiser"} <= roles
    for fields in login_lines:
        assert fields[0] in ROLES
        assert "@" in fields[1] and fields[1].endswith("example.org")


def test_demo_work_gives_mentors_reviews_and_work_waiting_for_them(engine, client):
    from iil_lms.learning.models import Feedback, Submission

    run_demo(engine)
    query = (
        select(User.email, Submission.status, Submission.score, func.count(Feedback.id))
        .join(Submission, Submission.user_id == User.id)
        .outerjoin(Feedback, Feedback.submission_id == Submission.id)
        .group_by(User.email, Submission.id, Submission.status, Submission.score)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    by_trainee: dict[str, list[str]] = {}
    for email, status, score, feedback in rows:
        by_trainee.setdefault(email, []).append(status)
        if status in ("accepted", "returned"):
            assert feedback == 1, f"{email}: a decision comes with the mentor's comment"
        if status == "scored" and score is not None:
            assert 0 <= score <= 100
    statuses = {status for found in by_trainee.values() for status in found}
    assert {"submitted", "accepted", "returned", "scored"} <= statuses
    assert len(by_trainee) > 200  # eleven weeks into the year, nearly everyone has work

    # A mentor of a trainee with work waiting sees it on their overview.
    waiting = next(email for email, found in by_trainee.items() if "submitted" in found)
    mentor_query = text(
        'SELECT m.email, t.display_name FROM mentor_assignment a JOIN "user" t ON t.id = '
        'a.trainee_id JOIN "user" m ON m.id = a.mentor_id WHERE t.email = :e AND a.ended_at IS NULL'
    )
    with engine.connect() as connection:
        mentor_email, trainee_name = connection.execute(mentor_query, {"e": waiting}).one()
    client.login(mentor_email, DEFAULT_PASSWORD)
    overview = client.get("/mentees").text
    awaiting = overview.split('class="awaiting"', 1)[1].split("</ol>", 1)[0]
    assert trainee_name in awaiting
