"""The demo's mentoring data: every demo trainee has a balanced mentor, circles have a
welcome post, the showcase has a story, and running the demo again adds nothing."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func
from sqlmodel import col, select

from iil_lms.cohorts.models import Cohort, Membership
from iil_lms.db import transaction
from iil_lms.demo import DEFAULT_PASSWORD, build_demo
from iil_lms.mentoring.models import CirclePost, MentorAssignment, MentoringLogEntry
from iil_lms.notifications.models import Notification, OutboxMessage
from iil_lms.outreach.models import OutreachItem


def _counts(session):
    return tuple(
        session.exec(select(func.count()).select_from(table)).one()
        for table in (MentorAssignment, CirclePost, MentoringLogEntry, OutreachItem)
    )


def test_demo_trainees_have_balanced_mentors_and_rerunning_adds_nothing(engine, session, tmp_path):
    with transaction(engine) as s:
        build_demo(s, curricula_dir=tmp_path)
    cohort = session.exec(select(Cohort).where(Cohort.slug == "ctp-2026")).one()
    trainees = session.exec(
        select(Membership).where(Membership.cohort_id == cohort.id, Membership.role == "trainee")
    ).all()
    mentors = {
        m.user_id: m
        for m in session.exec(
            select(Membership).where(Membership.cohort_id == cohort.id, Membership.role == "mentor")
        )
    }
    open_rows = session.exec(
        select(MentorAssignment).where(
            MentorAssignment.cohort_id == cohort.id, col(MentorAssignment.ended_at).is_(None)
        )
    ).all()
    assert sorted(a.trainee_id for a in open_rows) == sorted(t.user_id for t in trainees)
    loads = Counter(a.mentor_id for a in open_rows)
    assert set(loads) == set(mentors)
    assert max(loads.values()) - min(loads.values()) <= 1
    department = {t.user_id: t.department for t in trainees}
    assert all(department[a.trainee_id] != mentors[a.mentor_id].department for a in open_rows)
    assert session.exec(select(OutreachItem).where(OutreachItem.cohort_id == cohort.id)).one()
    # set-up, not news: nobody is told and no email waits
    assert session.exec(select(func.count()).select_from(Notification)).one() == 0
    assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 0

    before = _counts(session)
    with transaction(engine) as s:
        build_demo(s, curricula_dir=tmp_path)
    session.expire_all()
    assert _counts(session) == before


def test_demo_mentor_sees_mentees_and_showcase_shows_the_story(engine, client, tmp_path):
    with transaction(engine) as s:
        build_demo(s, curricula_dir=tmp_path)
    assert client.get("/showcase/csa-lahore").text.count("queue token system") == 1
    client.login("mentor01@csa-pk.example.org", DEFAULT_PASSWORD)
    page = client.get("/mentees")
    assert page.status_code == 200
    assert page.text.count('href="/mentees/') >= 22
    client.cookies.clear()
    client.login("trainee001@csa-pk.example.org", DEFAULT_PASSWORD)
    mine = client.get("/mentoring")
    assert "Map one service process" in mine.text
