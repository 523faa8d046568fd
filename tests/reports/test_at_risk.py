"""At-risk flags on the progress page (behind plan by more than the cohort's days, or no
activity for its days), the trainer's thresholds, the filter, and the weekly digest to
trainers and mentors that never repeats within a week."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from iil_lms.db import utcnow
from iil_lms.learning import progress
from iil_lms.learning.models import Submission, SubmissionStatus
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.notifications.models import Notification, OutboxMessage
from iil_lms.reports.at_risk import send_at_risk_digest
from tests.conftest import CohortFixture, Factory
from tests.learning.factories import course, today


def cohort_with_risks(session: Session, factory: Factory) -> CohortFixture:
    """Milestone 2 was due 20 days ago. Trainee 1 did it yesterday (fine); trainee 2 did
    not (20 days behind); trainee 3 did it 25 days ago and nothing since (idle).
    Mentor 1 mentors trainees 2 and 3, mentor 2 trainee 1."""
    made = factory.cohort(trainees=3, mentors=2)
    cohort_id = made.cohort.id or 0
    c = course(session, made.cohort, milestones=2, types=("reflection",))
    m2 = c.modules[1]
    c.plan[m2.id or 0].opens_on = today() - timedelta(days=60)
    c.plan[m2.id or 0].due_on = today() - timedelta(days=20)
    session.add(c.plan[m2.id or 0])
    exercise = c.by_module[m2.id or 0][0]
    one, two, three = made.trainees
    long_ago = utcnow() - timedelta(days=40)
    for trainee in made.trainees:
        membership = made.memberships[(trainee.id or 0, "trainee")]
        membership.created_at = long_ago
        session.add(membership)
    for trainee, days_ago in ((one, 1), (three, 25)):
        session.add(
            Submission(
                cohort_id=cohort_id,
                user_id=trainee.id or 0,
                exercise_id=exercise.id or 0,
                content={"answer": "done"},
                status=SubmissionStatus.ACCEPTED,
                submitted_at=utcnow() - timedelta(days=days_ago),
            )
        )
    for mentor, trainee in ((0, two), (0, three), (1, one)):
        session.add(
            MentorAssignment(
                cohort_id=cohort_id,
                mentor_id=made.mentors[mentor].id or 0,
                trainee_id=trainee.id or 0,
            )
        )
    session.commit()
    return made


def test_the_at_risk_rule_counts_days_behind_beyond_the_limit_and_idle_days_from_it() -> None:
    assert not progress.at_risk(14, 0, behind_days=14, idle_days=21)
    assert progress.at_risk(15, 0, behind_days=14, idle_days=21)
    assert not progress.at_risk(0, 20, behind_days=14, idle_days=21)
    assert progress.at_risk(0, 21, behind_days=14, idle_days=21)


def test_progress_flags_trainees_behind_too_long_or_idle(
    session: Session, factory: Factory
) -> None:
    made = cohort_with_risks(session, factory)
    report = progress.cohort_progress(session, made.cohort.id or 0, today=today())
    rows = {r.name: r for r in report.rows}
    one, two, three = (rows[t.display_name] for t in made.trainees)
    assert (one.at_risk, one.days_behind, one.idle_days) == (False, 0, 1)
    assert (two.at_risk, two.days_behind) == (True, 20)
    assert (three.at_risk, three.days_behind, three.idle_days) == (True, 0, 25)
    assert report.at_risk == 2
    filtered = progress.cohort_progress(
        session, made.cohort.id or 0, today=today(), status=progress.AT_RISK
    )
    assert {r.user_id for r in filtered.rows} == {two.user_id, three.user_id}


def test_trainer_changes_the_thresholds_and_the_flags_follow(
    session: Session, factory: Factory, client: Any
) -> None:
    made = cohort_with_risks(session, factory)
    client.login(made.trainers[0].email)
    url = f"/cohorts/{made.cohort.id}/progress"
    page = client.get(url + "?status=at_risk")
    assert page.status_code == 200
    assert "At risk: 2." in page.text
    token = client.csrf(url)
    saved = client.post(
        url + "/at-risk",
        data={"behind_days": "30", "idle_days": "60", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "At risk: 0." in client.get(url).text
    refused = client.post(
        url + "/at-risk",
        data={"behind_days": "0", "idle_days": "abc", "csrf_token": token},
        follow_redirects=False,
    )
    assert refused.status_code == 400


def test_mentor_cannot_change_the_thresholds(
    session: Session, factory: Factory, client: Any
) -> None:
    made = cohort_with_risks(session, factory)
    client.login(made.mentors[0].email)
    token = client.csrf("/mentees")
    response = client.post(
        f"/cohorts/{made.cohort.id}/progress/at-risk",
        data={"behind_days": "30", "idle_days": "30", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_weekly_digest_names_who_is_at_risk_to_trainers_and_their_mentors_once_a_week(
    session: Session, factory: Factory
) -> None:
    made = cohort_with_risks(session, factory)
    day = today()
    assert send_at_risk_digest(session, day) == 2  # the trainer and mentor 1
    session.commit()
    notes = {n.user_id: n for n in session.exec(select(Notification)).all()}
    two, three = made.trainees[1].display_name, made.trainees[2].display_name
    trainer_note = notes[made.trainers[0].id or 0]
    assert two in trainer_note.text and three in trainer_note.text
    assert trainer_note.text.startswith("2 trainees of")
    mentor_note = notes[made.mentors[0].id or 0]
    assert two in mentor_note.text and three in mentor_note.text
    assert made.mentors[1].id not in notes  # their mentee is on track
    emails = session.exec(select(OutboxMessage)).all()
    assert {e.user_id for e in emails} == {made.trainers[0].id, made.mentors[0].id}
    # Again in the same week: nothing new.
    same_week = day + timedelta(days=(6 - day.weekday()))
    assert send_at_risk_digest(session, same_week) == 0
    session.commit()
    assert len(session.exec(select(Notification)).all()) == 2
    # The next week, a new digest.
    assert send_at_risk_digest(session, day + timedelta(days=7)) == 2
