"""The mentoring log: what a mentor and trainee talked about, when, and what comes
next; written by the trainee's current mentor, read by both."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.mentoring.models import (
    LogMode,
    MentoringLogEntry,
)
from iil_lms.mentoring.service import MAX_TEXT, MentoringError, is_current_mentor
from iil_lms.notifications.service import notify


def add_log_entry(
    session: Session,
    *,
    cohort_id: int,
    mentor_id: int,
    trainee_id: int,
    held_on: date | None,
    mode: str,
    topics: str,
    next_steps: str,
    today: date | None = None,
) -> MentoringLogEntry:
    """Record a mentoring conversation. Only the trainee's current mentor writes the
    log; the date cannot be in the future; topics are needed. The trainee is told."""
    errors: dict[str, str] = {}
    today = today or local_today()
    if held_on is None:
        errors["held_on"] = _("Enter the date of the conversation.")
    elif held_on > today:
        errors["held_on"] = _("The date cannot be in the future.")
    if mode not in LogMode.ALL:
        errors["mode"] = _("Choose how you met: in person, by phone or online.")
    topics, next_steps = topics.strip(), next_steps.strip()
    if not topics:
        errors["topics"] = _("Write what you talked about.")
    elif len(topics) > MAX_TEXT:
        errors["topics"] = _("Keep this under %(count)s characters.", count=MAX_TEXT)
    if len(next_steps) > MAX_TEXT:
        errors["next_steps"] = _("Keep this under %(count)s characters.", count=MAX_TEXT)
    if errors:
        raise LogEntryInvalid(errors)
    if not is_current_mentor(session, cohort_id, mentor_id, trainee_id):
        raise MentoringError(_("Only the trainee's current mentor can add to their log."))
    assert held_on is not None
    entry = MentoringLogEntry(
        cohort_id=cohort_id,
        mentor_id=mentor_id,
        trainee_id=trainee_id,
        held_on=held_on,
        mode=mode,
        topics=topics,
        next_steps=next_steps,
    )
    session.add(entry)
    session.flush()
    mentor = session.get(User, mentor_id)
    notify(
        session,
        user_ids=[trainee_id],
        kind="mentoring",
        actor_id=mentor_id,
        params={
            "message": "log_entry",
            "mentor": mentor.display_name if mentor else "",
            "held_on": held_on.isoformat(),
        },
        link="/mentoring/log",
    )
    return entry


class LogEntryInvalid(MentoringError):
    """Field-by-field reasons a log entry was refused."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def log_entries(
    session: Session, cohort_id: int, trainee_id: int
) -> list[tuple[MentoringLogEntry, str]]:
    """A trainee's mentoring log, newest first, with each entry's mentor (one query)."""
    return [
        (entry, name)
        for entry, name in session.exec(
            select(MentoringLogEntry, User.display_name)
            .join(User, col(User.id) == MentoringLogEntry.mentor_id)
            .where(
                MentoringLogEntry.cohort_id == cohort_id, MentoringLogEntry.trainee_id == trainee_id
            )
            .order_by(col(MentoringLogEntry.held_on).desc(), col(MentoringLogEntry.id).desc())
        ).all()
    ]
