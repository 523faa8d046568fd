"""Who qualifies for a certificate kind. Each rule asks the domain that owns the fact
(learning's progress for completion, the summit for pitches, mentoring for mentors)
rather than working it out again here."""

from __future__ import annotations

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from iil_lms.certificates.models import KindRule
from iil_lms.cohorts.models import Membership, Role
from iil_lms.learning.progress import FINISHED, cohort_progress
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.summit.pitches import pitched


def completed_programme(session: Session, cohort_id: int) -> set[int]:
    """Trainees who have finished every milestone of their plan: the progress grid's
    own "finished" filter (one rule, whichever page asks)."""
    report = cohort_progress(session, cohort_id, status=FINISHED)
    return {row.user_id for row in report.rows}


def pitched_at_summit(session: Session, cohort_id: int) -> set[int]:
    """People who pitched at the cohort's Integrity Summit (the summit's own rule)."""
    return pitched(session, cohort_id)


def mentored(session: Session, cohort_id: int) -> set[int]:
    """Mentors of the cohort who have been assigned at least one trainee (now or
    earlier in the year)."""
    rows = session.execute(
        sa_select(col(MentorAssignment.mentor_id))
        .join(
            Membership,
            (col(Membership.user_id) == MentorAssignment.mentor_id)
            & (col(Membership.cohort_id) == MentorAssignment.cohort_id)
            & (col(Membership.role) == Role.MENTOR.value),
        )
        .where(col(MentorAssignment.cohort_id) == cohort_id)
        .distinct()
    ).all()
    return {int(r[0]) for r in rows}


def qualifying(session: Session, cohort_id: int, rule: str) -> set[int]:
    """The user ids the rule of a kind picks in a cohort; a custom kind picks nobody
    (an organiser issues it by hand)."""
    if rule == KindRule.COMPLETION:
        return completed_programme(session, cohort_id)
    if rule == KindRule.SUMMIT:
        return pitched_at_summit(session, cohort_id)
    if rule == KindRule.MENTOR:
        return mentored(session, cohort_id)
    return set()
