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


def test_demo_work_keeps_the_rules_the_app_enforces(engine):
    """Every demo submission, review, log entry and outreach item is one the services
    would accept: versions counted from 1, a new version only after a return, answers
    complete, quizzes scored, work inside the trainee's plan and marked late when it
    was, decisions only by the trainee's current mentor on work that waited for review,
    and outreach on the showcase only after a trainer's approval."""
    from sqlmodel import Session

    from iil_lms.curriculum.models import Exercise
    from iil_lms.curriculum.plans import plan_for_cohort
    from iil_lms.db import as_utc
    from iil_lms.learning.answers import AUTO_SCORED, answer_errors, quiz_score
    from iil_lms.learning.models import Feedback, Submission
    from iil_lms.mentoring.models import MentorAssignment, MentoringLogEntry
    from iil_lms.outreach.models import OutreachDecision, OutreachItem

    run_demo(engine)
    with Session(engine) as session:
        cohort = session.scalars(select(Cohort).where(Cohort.slug == "ctp-2026")).one()
        plans = plan_for_cohort(session, cohort.id)
        circle_of = dict(
            session.execute(
                select(Membership.user_id, Membership.circle_id).where(
                    Membership.cohort_id == cohort.id, Membership.role == "trainee"
                )
            ).all()
        )
        mentor_of = {
            (a.cohort_id, a.trainee_id): a.mentor_id
            for a in session.scalars(
                select(MentorAssignment).where(MentorAssignment.ended_at.is_(None))
            )
        }
        exercises = {e.id: e for e in session.scalars(select(Exercise))}
        submissions = session.scalars(
            select(Submission).order_by(
                Submission.user_id, Submission.exercise_id, Submission.version
            )
        ).all()
        feedback = session.scalars(select(Feedback)).all()

        assert len(submissions) > 4000
        versions: dict[tuple[int, int], list[Submission]] = {}
        for s in submissions:
            versions.setdefault((s.user_id, s.exercise_id), []).append(s)
        for (user_id, exercise_id), found in versions.items():
            exercise = exercises[exercise_id]
            assert [s.version for s in found] == list(range(1, len(found) + 1))
            if exercise.type not in AUTO_SCORED:
                assert all(s.status == "returned" for s in found[:-1]), (user_id, exercise.slug)
            for s in found:
                assert answer_errors(exercise, s.content) == {}, (user_id, exercise.slug)
                if exercise.type in AUTO_SCORED:
                    assert s.status == "scored"
                else:
                    assert s.status in ("submitted", "accepted", "returned")
                if exercise.type == "quiz":
                    assert s.score == quiz_score(exercise.spec, s.content["answers"])
                if exercise.type == "upload":
                    assert s.file_name and s.file_type == "image/png"
                if s.cohort_id == cohort.id:
                    planned = next(
                        p
                        for p in plans.for_circle(circle_of[user_id])
                        if p.module_id == exercise.module_id
                    )
                    sent = as_utc(s.submitted_at).date()
                    assert planned.opens_on <= sent, (user_id, exercise.slug)
                    assert s.late == (sent > planned.due_on), (user_id, exercise.slug)

        by_id = {s.id: s for s in submissions}
        decisions: dict[int, int] = {}
        for f in feedback:
            s = by_id[f.submission_id]
            assert exercises[s.exercise_id].type not in AUTO_SCORED
            assert f.author_id == mentor_of[(s.cohort_id, s.user_id)]
            assert as_utc(f.created_at) >= as_utc(s.submitted_at)
            if f.decision:
                decisions[s.id] = decisions.get(s.id, 0) + 1
                assert f.decision == s.status and s.reviewed_by_id == f.author_id
        reviewed = {s.id for s in submissions if s.status in ("accepted", "returned")}
        assert set(decisions) == reviewed and set(decisions.values()) == {1}

        for entry in session.scalars(select(MentoringLogEntry)):
            assert entry.mentor_id == mentor_of[(entry.cohort_id, entry.trainee_id)]
        items = session.scalars(select(OutreachItem)).all()
        assert items and all(i.status == "approved" and i.approved_at for i in items)
        for item in items:
            steps = session.execute(
                select(OutreachDecision.action, OutreachDecision.actor_id)
                .where(OutreachDecision.item_id == item.id)
                .order_by(OutreachDecision.id)
            ).all()
            assert steps == [("submitted", item.author_id), ("approved", item.moderated_by_id)]
            trainer = session.execute(
                select(Membership.role).where(
                    Membership.cohort_id == item.cohort_id,
                    Membership.user_id == item.moderated_by_id,
                )
            ).scalar_one()
            assert trainer == "trainer"


def test_demo_cohorts_follow_the_data_file(engine):
    """cohorts.yaml is what the demo builds: each cohort's trainees, mentors and the
    logins `make run` prints."""
    from iil_lms.demo.people import demo_data

    logins = run_demo(engine)
    for spec in demo_data()["cohorts"]:
        counts = role_counts(engine, spec["slug"])
        assert counts["trainee"] == spec["trainees"]["count"]
        assert counts.get("trainer", 0) == len(spec["trainers"])
        for role, local in spec["logins"].items():
            assert DemoLogin(role, f"{local}@{spec['domain']}", spec["name"]) in logins
    assert role_counts(engine, "ctp-2026")["trainee"] == 275


def test_demo_audit_log_holds_the_mentors_decisions_and_its_chain_verifies(engine):
    """The demo's reviews are audited as the app audits them, and the audit chain the
    demo leaves is whole."""
    from sqlmodel import Session

    from iil_lms.accounts.models import AuditEntry
    from iil_lms.audit.chain import verify
    from iil_lms.learning.models import Submission

    run_demo(engine)
    with Session(engine) as session:
        decided = session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.status.in_(("accepted", "returned")))
        )
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action.in_(("work.accepted", "work.returned")))
        )
        assert decided and audited == decided
        verdict = verify(session)
        assert verdict.broken is None and verdict.entries >= audited
