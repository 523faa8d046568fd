"""Demo mentoring and outreach: mentors for every trainee of the demo cohorts (the
balanced assignment with its default rules, applied as a trainer would), a trainer's
welcome post in every learning circle, a first mentoring conversation in the mentor's
log, and one outreach story per academy, submitted by a trainee and approved by a
trainer, so that the showcase is not empty. All through the mentoring and outreach
services. Each part is written only when its cohort has none yet, so running the demo
again changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from iil_lms.cohorts.models import Cohort, LearningCircle, Membership, Role
from iil_lms.db import clock_at
from iil_lms.mentoring import circles, log
from iil_lms.mentoring.matching import MatchOptions
from iil_lms.mentoring.models import CirclePost, LogMode, MentorAssignment, MentoringLogEntry
from iil_lms.mentoring.proposals import apply_proposal, propose
from iil_lms.outreach import service as outreach
from iil_lms.outreach.models import OutreachItem, OutreachKind
from iil_lms.settings import Settings, get_settings

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


def seed_demo(
    session: Session, actor_id: int, today: date, settings: Settings | None = None
) -> None:
    """Add the mentoring and outreach demo data to the demo cohorts that lack it;
    `actor_id` (the site admin) applies the mentor assignment."""
    cohorts = session.exec(select(Cohort).where(col(Cohort.slug).in_(DEMO_COHORTS))).all()
    for cohort in sorted(cohorts, key=lambda c: c.slug):
        assert cohort.id is not None
        _assign_mentors(session, cohort.id, actor_id)
        _welcome_posts(session, cohort.id)
        _first_conversation(session, cohort, today)
        _approved_story(session, cohort.id, settings or get_settings())
    session.flush()


def _assign_mentors(session: Session, cohort_id: int, actor_id: int) -> None:
    if session.exec(
        select(MentorAssignment.id).where(MentorAssignment.cohort_id == cohort_id)
    ).first():
        return
    options = MatchOptions()
    proposal = propose(session, cohort_id, options)
    apply_proposal(
        session,
        cohort_id=cohort_id,
        options=options,
        fingerprint=proposal.fingerprint,
        actor_id=actor_id,
    )


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
        access = circles.circle_access(session, circle_id or 0, user_id=trainer_id, is_admin=False)
        assert access is not None, "a trainer of the cohort reads its circles"
        circles.add_post(session, access=access, author_id=trainer_id, body=WELCOME, parent_id=None)


def _first_conversation(session: Session, cohort: Cohort, today: date) -> None:
    """A log entry for the first trainee (the demo's trainee login) by their mentor, three
    days into the year."""
    if session.exec(
        select(MentoringLogEntry.id).where(MentoringLogEntry.cohort_id == cohort.id)
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
            MentorAssignment.cohort_id == cohort.id,
            col(MentorAssignment.ended_at).is_(None),
            Membership.role == Role.TRAINEE.value,
        )
        .order_by(col(Membership.id))
    ).first()
    if pair is None:
        return
    trainee_id, mentor_id = pair
    held_on = min(cohort.starts_on + timedelta(days=3), today)
    with clock_at(datetime.combine(held_on, time(12), tzinfo=UTC)):
        log.add_log_entry(
            session,
            cohort_id=cohort.id or 0,
            mentor_id=mentor_id,
            trainee_id=trainee_id,
            held_on=held_on,
            mode=LogMode.IN_PERSON,
            topics=LOG_TOPICS,
            next_steps=LOG_NEXT_STEPS,
            today=today,
        )


def _approved_story(session: Session, cohort_id: int, settings: Settings) -> None:
    """The cohort's first trainee submits a story and its first trainer approves it."""
    if session.exec(select(OutreachItem.id).where(OutreachItem.cohort_id == cohort_id)).first():
        return
    trainer_id = _first_trainer(session, cohort_id)
    author_id = session.exec(
        select(Membership.user_id)
        .where(Membership.cohort_id == cohort_id, Membership.role == Role.TRAINEE.value)
        .order_by(col(Membership.id))
    ).first()
    if trainer_id is None or author_id is None:
        return
    item = outreach.create_item(
        session,
        settings,
        cohort_id=cohort_id,
        author_id=author_id,
        draft=outreach.Draft(
            kind=OutreachKind.STORY, title=STORY_TITLE, body=STORY_BODY, show_name=True
        ),
    )
    outreach.moderate(session, item, actor_id=trainer_id, action="approve", note="")
