"""Demo data for issue 5: mentors for every trainee of the demo cohorts (the balanced
assignment with its default rules), a trainer's welcome post in every learning circle,
a first mentoring conversation, and one approved outreach story per academy so that
the showcase is not empty. Each part is written only when its cohort has none yet, so
running the demo again changes nothing. Nobody is notified: this is set-up, not news."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlmodel import Session, col, select

from iil_lms.accounts.service import audit
from iil_lms.cohorts.models import Cohort, LearningCircle, Membership, Role
from iil_lms.db import utcnow
from iil_lms.mentoring.matching import MatchOptions
from iil_lms.mentoring.models import CirclePost, LogMode, MentorAssignment, MentoringLogEntry
from iil_lms.mentoring.proposals import propose
from iil_lms.outreach.models import OutreachDecision, OutreachItem, OutreachKind, OutreachStatus

DEMO_COHORTS = ("ctp-2026", "yics-2026")

WELCOME = (
    "Welcome to your learning circle. Use this space between convenings: ask for help, "
    "share what worked in your department, and tell each other how your integrity "
    "project is going. Mention someone with @ and their name to let them know."
)
LOG_TOPICS = (
    "First conversation: expectations for the year, the trainee's department and the "
    "integrity risks they see in their daily work."
)
LOG_NEXT_STEPS = "Map one service process with the people who use it before we next meet."
STORY_TITLE = "A queue token system at the district land office"
STORY_BODY = (
    "Citizens used to wait all day to submit land record requests, and some paid "
    "*facilitators* to jump the queue. With the office staff we introduced numbered "
    "tokens and a notice board showing which number is being served.\n\n"
    "- Waiting times are visible to everyone\n"
    "- Staff asked for the board themselves after the first week\n\n"
    "Next, we want to publish the fee schedule at the entrance."
)


def seed_demo(session: Session, actor_id: int | None) -> None:
    """Add the mentoring and outreach demo data to the demo cohorts that lack it."""
    cohorts = session.exec(select(Cohort).where(col(Cohort.slug).in_(DEMO_COHORTS))).all()
    for cohort in sorted(cohorts, key=lambda c: c.slug):
        assert cohort.id is not None
        _assign_mentors(session, cohort.id, actor_id)
        _welcome_posts(session, cohort.id)
        _first_conversation(session, cohort.id)
        _approved_story(session, cohort.id)
    session.flush()


def _assign_mentors(session: Session, cohort_id: int, actor_id: int | None) -> None:
    if session.exec(
        select(MentorAssignment.id).where(MentorAssignment.cohort_id == cohort_id)
    ).first():
        return
    proposal = propose(session, cohort_id, MatchOptions())
    for trainee_id, mentor_id in sorted(proposal.result.pairs.items()):
        session.add(
            MentorAssignment(
                cohort_id=cohort_id,
                mentor_id=mentor_id,
                trainee_id=trainee_id,
                assigned_by_id=actor_id,
                method="auto",
            )
        )
    audit(
        session,
        actor_id=actor_id,
        action="mentor.auto_assign",
        subject=f"cohort:{cohort_id}",
        detail=f"demo: {len(proposal.result.pairs)} trainees",
    )
    session.flush()


def _first_trainer(session: Session, cohort_id: int) -> int | None:
    return session.exec(
        select(Membership.user_id)
        .where(Membership.cohort_id == cohort_id, Membership.role == Role.TRAINER.value)
        .order_by(col(Membership.id))
    ).first()


def _welcome_posts(session: Session, cohort_id: int) -> None:
    trainer_id = _first_trainer(session, cohort_id)
    circle_ids = session.exec(
        select(LearningCircle.id)
        .where(LearningCircle.cohort_id == cohort_id)
        .order_by(col(LearningCircle.id))
    ).all()
    if trainer_id is None or not circle_ids:
        return
    if session.exec(select(CirclePost.id).where(col(CirclePost.circle_id).in_(circle_ids))).first():
        return
    for circle_id in circle_ids:
        if circle_id is not None:
            session.add(CirclePost(circle_id=circle_id, author_id=trainer_id, body=WELCOME))


def _first_conversation(session: Session, cohort_id: int) -> None:
    """A log entry for the first trainee (the demo's trainee login) with their mentor."""
    if session.exec(
        select(MentoringLogEntry.id).where(MentoringLogEntry.cohort_id == cohort_id)
    ).first():
        return
    pair = session.exec(
        select(MentorAssignment.trainee_id, MentorAssignment.mentor_id)
        .join(
            Membership,
            (col(Membership.user_id) == MentorAssignment.trainee_id)
            & (col(Membership.cohort_id) == MentorAssignment.cohort_id),
        )
        .where(
            MentorAssignment.cohort_id == cohort_id,
            col(MentorAssignment.ended_at).is_(None),
            Membership.role == Role.TRAINEE.value,
        )
        .order_by(col(Membership.id))
    ).first()
    if pair is None:
        return
    trainee_id, mentor_id = pair
    cohort = session.get(Cohort, cohort_id)
    starts = cohort.starts_on if cohort and cohort.starts_on else date(2026, 9, 1)
    session.add(
        MentoringLogEntry(
            cohort_id=cohort_id,
            mentor_id=mentor_id,
            trainee_id=trainee_id,
            held_on=starts + timedelta(days=3),
            mode=LogMode.IN_PERSON,
            topics=LOG_TOPICS,
            next_steps=LOG_NEXT_STEPS,
        )
    )


def _approved_story(session: Session, cohort_id: int) -> None:
    if session.exec(select(OutreachItem.id).where(OutreachItem.cohort_id == cohort_id)).first():
        return
    trainer_id = _first_trainer(session, cohort_id)
    author = session.exec(
        select(Membership.user_id, Membership.department)
        .where(Membership.cohort_id == cohort_id, Membership.role == Role.TRAINEE.value)
        .order_by(col(Membership.id))
    ).first()
    if trainer_id is None or author is None:
        return
    now = utcnow()
    item = OutreachItem(
        public_id=secrets.token_urlsafe(12),
        cohort_id=cohort_id,
        author_id=author[0],
        kind=OutreachKind.STORY,
        title=STORY_TITLE,
        body=STORY_BODY,
        department=author[1],
        show_name=True,
        status=OutreachStatus.APPROVED,
        moderated_by_id=trainer_id,
        moderated_at=now,
        approved_at=now,
    )
    session.add(item)
    session.flush()
    assert item.id is not None
    session.add(OutreachDecision(item_id=item.id, actor_id=author[0], action="submitted"))
    session.add(OutreachDecision(item_id=item.id, actor_id=trainer_id, action="approved"))
