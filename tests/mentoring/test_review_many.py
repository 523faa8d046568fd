"""Many reviews at once (the demo's weeks of mentoring) keep add_feedback's rules: only
the trainee's current mentor decides, only on work waiting for review, a return says
what to revise; one refusal writes nothing. Decisions are audited and told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from iil_lms.accounts.models import AuditEntry
from iil_lms.db import as_utc
from iil_lms.learning.models import Feedback, SubmissionStatus
from iil_lms.mentoring import review
from iil_lms.mentoring.service import MentoringError
from iil_lms.notifications.models import Notification
from tests.mentoring.helpers import assign, curriculum, fresh, submit


def _setup(factory, session):
    c = factory.cohort(trainees=2, mentors=2)
    first, second = c.trainees
    mentor = c.mentors[0]
    exercise = curriculum(session, c.cohort, milestones=1, exercises=1)[0]
    assign(session, c.cohort, mentor, first, second)
    return c, first, second, mentor, exercise


def _feedback_count(session):
    return session.exec(select(func.count()).select_from(Feedback)).one()


def test_a_mentors_reviews_decide_date_audit_and_tell_the_trainees(factory, session):
    c, first, second, mentor, exercise = _setup(factory, session)
    one = submit(session, c.cohort, first, exercise)
    two = submit(session, c.cohort, second, exercise)
    when = datetime.now(UTC) - timedelta(days=3)
    review.review_many(
        session,
        [
            review.MentorReview(one.id, mentor.id, "Clear.", SubmissionStatus.ACCEPTED, when),
            review.MentorReview(two.id, mentor.id, "Say who is affected.", "returned", when),
        ],
    )
    session.commit()
    fresh(session, one)
    fresh(session, two)
    assert (one.status, two.status) == (SubmissionStatus.ACCEPTED, SubmissionStatus.RETURNED)
    assert as_utc(one.reviewed_at) == when and one.reviewed_by_id == mentor.id
    audited = session.exec(select(AuditEntry.action).where(AuditEntry.actor_id == mentor.id))
    assert sorted(audited) == ["work.accepted", "work.returned"]
    told = session.exec(select(Notification.user_id, Notification.kind)).all()
    assert sorted(told) == sorted([(first.id, "feedback"), (second.id, "returned")])


@pytest.mark.parametrize(
    ("who", "body", "decision", "refused"),
    [
        ("other_mentor", "Fine.", SubmissionStatus.ACCEPTED, MentoringError),
        ("mentor", "", SubmissionStatus.RETURNED, review.FeedbackInvalid),
        ("mentor", "Fine.", "approved", review.FeedbackInvalid),
    ],
)
def test_one_refused_review_writes_none(factory, session, who, body, decision, refused):
    c, first, second, mentor, exercise = _setup(factory, session)
    one = submit(session, c.cohort, first, exercise)
    two = submit(session, c.cohort, second, exercise)
    author = mentor if who == "mentor" else c.mentors[1]
    with pytest.raises(refused):
        review.review_many(
            session,
            [
                review.MentorReview(one.id, mentor.id, "Clear.", SubmissionStatus.ACCEPTED),
                review.MentorReview(two.id, author.id, body, decision),
            ],
        )
    session.rollback()
    assert _feedback_count(session) == 0
    assert fresh(session, one).status == SubmissionStatus.SUBMITTED


def test_no_decision_on_work_already_reviewed(factory, session):
    c, first, _second, mentor, exercise = _setup(factory, session)
    done = submit(session, c.cohort, first, exercise, status=SubmissionStatus.ACCEPTED)
    with pytest.raises(review.FeedbackInvalid, match="not waiting for a review"):
        review.review_many(session, [review.MentorReview(done.id, mentor.id, "Again.", "returned")])
