"""At-risk trainees: each cohort's thresholds (set by its trainers) and the weekly digest
that names, to each trainer and mentor, who is at risk. The rule itself is
`learning.progress.at_risk`, the one the progress page flags with."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from iil_lms.cohorts.models import AtRiskSetting, Cohort, Membership, Role
from iil_lms.db import utcnow
from iil_lms.learning import progress
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.notifications.service import notify

# Bounds of the thresholds a trainer may set, in days.
LOWEST_DAYS = 1
HIGHEST_DAYS = 365
# How many names a digest lists before "and N more".
NAMES_SHOWN = 20


class ThresholdInvalid(ValueError):
    pass


def set_thresholds(session: Session, cohort: Cohort, *, behind_days: int, idle_days: int) -> None:
    """Save the cohort's at-risk thresholds: each a whole number of days from 1 to 365."""
    for value in (behind_days, idle_days):
        if not LOWEST_DAYS <= value <= HIGHEST_DAYS:
            raise ThresholdInvalid(f"days must be from {LOWEST_DAYS} to {HIGHEST_DAYS}")
    setting = session.execute(
        sa_select(AtRiskSetting).where(col(AtRiskSetting.cohort_id) == cohort.id)
    ).scalar_one_or_none() or AtRiskSetting(cohort_id=cohort.id or 0)
    setting.behind_days = behind_days
    setting.idle_days = idle_days
    setting.updated_at = utcnow()
    session.add(setting)
    session.flush()


def week_key(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _names(names: list[str]) -> str:
    shown = sorted(names, key=str.casefold)
    if len(shown) <= NAMES_SHOWN:
        return ", ".join(shown)
    return ", ".join(shown[:NAMES_SHOWN]) + f" (+{len(shown) - NAMES_SHOWN})"


def send_at_risk_digest(session: Session, today: date) -> int:
    """Tell each trainer of every open cohort which of its trainees are at risk, and each
    mentor which of their mentees are, once per ISO week (running it again in the same
    week sends nothing twice). Nobody at risk: no message. Returns how many people were
    told. Queries: a fixed few per cohort."""
    told = 0
    cohorts = session.execute(
        sa_select(Cohort).where(col(Cohort.archived_at).is_(None)).order_by(col(Cohort.id))
    ).scalars()
    for cohort in list(cohorts):
        cohort_id = cohort.id or 0
        report = progress.cohort_progress(session, cohort_id, today=today)
        at_risk = {r.user_id: r.name for r in report.rows if r.at_risk}
        if not at_risk:
            continue
        key = f"at-risk:{cohort_id}:{week_key(today)}"
        link = f"/cohorts/{cohort_id}/progress?status={progress.AT_RISK}"
        trainers = [
            int(u)
            for (u,) in session.execute(
                sa_select(col(Membership.user_id)).where(
                    col(Membership.cohort_id) == cohort_id,
                    col(Membership.role) == Role.TRAINER.value,
                )
            ).all()
        ]
        told += notify(
            session,
            user_ids=trainers,
            kind="at_risk",
            params={
                "message": "at_risk_cohort",
                "cohort": cohort.name,
                "count": len(at_risk),
                "names": _names(list(at_risk.values())),
            },
            link=link,
            dedupe_key=key,
        )
        by_mentor: dict[int, list[str]] = defaultdict(list)
        for mentor_id, trainee_id in session.execute(
            sa_select(col(MentorAssignment.mentor_id), col(MentorAssignment.trainee_id)).where(
                col(MentorAssignment.cohort_id) == cohort_id,
                col(MentorAssignment.ended_at).is_(None),
                col(MentorAssignment.trainee_id).in_(list(at_risk)),
            )
        ).all():
            by_mentor[int(mentor_id)].append(at_risk[int(trainee_id)])
        for mentor_id, names in sorted(by_mentor.items()):
            told += notify(
                session,
                user_ids=[mentor_id],
                kind="at_risk",
                params={
                    "message": "at_risk_mentees",
                    "cohort": cohort.name,
                    "count": len(names),
                    "names": _names(names),
                },
                link="/mentees",
                dedupe_key=key,
            )
    return told
