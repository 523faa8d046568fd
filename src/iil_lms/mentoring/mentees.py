"""What a mentor sees of their mentees: each trainee's progress by milestone, the work
awaiting review, and the mentee overview with its submissions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Cohort, LearningCircle, Membership, Role
from iil_lms.curriculum.models import CurriculumVersion, Exercise, Milestone, Module, PlanItem
from iil_lms.db import as_utc
from iil_lms.learning.answers import CONFIDENTIAL_TYPES, is_done
from iil_lms.learning.models import Feedback, Submission, SubmissionStatus, newest_version_only
from iil_lms.mentoring.models import MentorAssignment, MentoringLogEntry

# --- progress, shared by the overview and the mentee page ------------------------------


@dataclass(frozen=True)
class MilestoneProgress:
    milestone_id: int
    position: int
    title: str
    done: int
    total: int


@dataclass(frozen=True)
class PlannedExercise:
    exercise_id: int
    exercise_type: str
    spec: dict[str, Any]
    milestone_id: int
    position: int
    title: str


def _planned_exercises(session: Session, cohort: Cohort) -> list[PlannedExercise]:
    """The exercises the cohort's plan assigns with their milestone; every current
    exercise when the cohort has no plan yet (two queries)."""
    if cohort.curriculum_version_id is None:
        return []
    rows = session.execute(
        sa_select(
            col(Exercise.id),
            col(Exercise.type),
            col(Exercise.spec),
            col(Module.id),
            col(Milestone.id),
            col(Milestone.position),
            col(Milestone.title),
        )
        .join(Module, col(Module.id) == Exercise.module_id)
        .join(Milestone, col(Milestone.id) == Module.milestone_id)
        .join(CurriculumVersion, col(CurriculumVersion.curriculum_id) == Milestone.curriculum_id)
        .where(
            col(CurriculumVersion.id) == cohort.curriculum_version_id,
            col(Exercise.retired).is_(False),
            col(Module.retired).is_(False),
            col(Milestone.retired).is_(False),
        )
    ).all()
    planned = set(
        session.exec(
            select(PlanItem.module_id).where(
                PlanItem.cohort_id == cohort.id,
                col(PlanItem.circle_id).is_(None),
                col(PlanItem.removed).is_(False),
            )
        ).all()
    )
    return [
        PlannedExercise(e, kind, spec or {}, ms, pos, title)
        for e, kind, spec, module_id, ms, pos, title in rows
        if e is not None and ms is not None and (not planned or module_id in planned)
    ]


def progress_by_trainee(
    session: Session, cohort: Cohort, trainee_ids: list[int]
) -> dict[int, list[MilestoneProgress]]:
    """Each trainee's done exercises per milestone, by the learning journey's own rule
    (`learning.answers.is_done`: accepted, a quiz passed, a survey sent), in three
    queries whatever the number of trainees."""
    planned = _planned_exercises(session, cohort)
    if not planned or not trainee_ids:
        return {t: [] for t in trainee_ids}
    by_exercise = {p.exercise_id: p for p in planned}
    milestones = sorted({(p.position, p.milestone_id, p.title) for p in planned})
    totals: dict[int, int] = {}
    for p in planned:
        totals[p.milestone_id] = totals.get(p.milestone_id, 0) + 1
    attempts: dict[tuple[int, int], list[tuple[str, float | None]]] = {}
    for user_id, exercise_id, status, score in session.exec(
        select(
            Submission.user_id, Submission.exercise_id, Submission.status, Submission.score
        ).where(Submission.cohort_id == cohort.id, col(Submission.user_id).in_(trainee_ids))
    ).all():
        if exercise_id in by_exercise:
            attempts.setdefault((user_id, exercise_id), []).append((status, score))
    done: dict[tuple[int, int], int] = {}
    for (user_id, exercise_id), rows in attempts.items():
        exercise = by_exercise[exercise_id]
        if is_done(exercise.exercise_type, exercise.spec, rows):
            key = (user_id, exercise.milestone_id)
            done[key] = done.get(key, 0) + 1
    return {
        t: [
            MilestoneProgress(ms, pos, title, done.get((t, ms), 0), totals[ms])
            for pos, ms, title in milestones
        ]
        for t in trainee_ids
    }


# --- the mentee overview ---------------------------------------------------------------


@dataclass(frozen=True)
class AwaitingReview:
    submission_id: int
    trainee_id: int
    trainee_name: str
    exercise_title: str
    version: int
    submitted_at: datetime
    late: bool


@dataclass
class MenteeRow:
    trainee_id: int
    name: str
    circle_name: str
    department: str
    progress: list[MilestoneProgress] = field(default_factory=list)
    awaiting: int = 0
    last_contact: date | None = None
    submitted: int = 0

    @property
    def done(self) -> int:
        return sum(p.done for p in self.progress)

    @property
    def total(self) -> int:
        return sum(p.total for p in self.progress)


@dataclass
class MenteeOverview:
    cohort: Cohort
    mentees: list[MenteeRow]
    awaiting: list[AwaitingReview]


def awaiting_review(
    session: Session, cohort_id: int, trainee_ids: list[int]
) -> list[AwaitingReview]:
    """Newest versions still waiting for a review, oldest first (one query); never a
    survey answer (confidential)."""
    if not trainee_ids:
        return []
    rows = session.execute(
        sa_select(
            col(Submission.id),
            col(Submission.user_id),
            col(User.display_name),
            col(Exercise.title),
            col(Submission.version),
            col(Submission.submitted_at),
            col(Submission.late),
        )
        .join(User, col(User.id) == Submission.user_id)
        .join(Exercise, col(Exercise.id) == Submission.exercise_id)
        .where(
            col(Submission.cohort_id) == cohort_id,
            col(Submission.user_id).in_(trainee_ids),
            col(Submission.status) == SubmissionStatus.SUBMITTED,
            col(Exercise.type).not_in(CONFIDENTIAL_TYPES),
            newest_version_only(),
        )
        .order_by(col(Submission.submitted_at), col(Submission.id))
    ).all()
    return [
        AwaitingReview(sid, uid, name, title, version, as_utc(at), late)
        for sid, uid, name, title, version, at, late in rows
        if sid is not None
    ]


def mentee_overview(session: Session, cohort: Cohort, mentor_id: int) -> MenteeOverview:
    """A mentor's current mentees in the cohort with milestone progress, what awaits
    review (oldest first, across mentees) and the last contact (the latest log entry or
    feedback from this mentor). A fixed number of queries, however many mentees."""
    assert cohort.id is not None
    mentee_rows = session.exec(
        select(User.id, User.display_name, LearningCircle.name, Membership.department)
        .join(MentorAssignment, col(MentorAssignment.trainee_id) == User.id)
        .join(
            Membership,
            (col(Membership.user_id) == User.id)
            & (col(Membership.cohort_id) == MentorAssignment.cohort_id)
            & (col(Membership.role) == Role.TRAINEE.value),
        )
        .outerjoin(LearningCircle, col(LearningCircle.id) == Membership.circle_id)
        .where(
            MentorAssignment.cohort_id == cohort.id,
            MentorAssignment.mentor_id == mentor_id,
            col(MentorAssignment.ended_at).is_(None),
        )
        .order_by(col(User.display_name), col(User.id))
    ).all()
    mentees = {
        uid: MenteeRow(uid, name, circle or "", dept)
        for uid, name, circle, dept in mentee_rows
        if uid is not None
    }
    ids = list(mentees)
    if not ids:
        return MenteeOverview(cohort, [], [])
    for trainee_id, progress in progress_by_trainee(session, cohort, ids).items():
        mentees[trainee_id].progress = progress
    awaiting = awaiting_review(session, cohort.id, ids)
    for item in awaiting:
        mentees[item.trainee_id].awaiting += 1
    for trainee_id, count in session.exec(
        select(Submission.user_id, func.count(func.distinct(Submission.exercise_id)))
        .join(Exercise, col(Exercise.id) == Submission.exercise_id)
        .where(
            Submission.cohort_id == cohort.id,
            col(Submission.user_id).in_(ids),
            col(Exercise.type).not_in(CONFIDENTIAL_TYPES),
        )
        .group_by(col(Submission.user_id))
    ).all():
        mentees[trainee_id].submitted = int(count)
    for trainee_id, held_on in session.exec(
        select(MentoringLogEntry.trainee_id, func.max(MentoringLogEntry.held_on))
        .where(MentoringLogEntry.cohort_id == cohort.id, col(MentoringLogEntry.trainee_id).in_(ids))
        .group_by(col(MentoringLogEntry.trainee_id))
    ).all():
        mentees[trainee_id].last_contact = held_on
    for trainee_id, written in session.exec(
        select(Submission.user_id, func.max(Feedback.created_at))
        .join(Submission, col(Submission.id) == Feedback.submission_id)
        .where(
            Submission.cohort_id == cohort.id,
            col(Submission.user_id).in_(ids),
            Feedback.author_id == mentor_id,
        )
        .group_by(col(Submission.user_id))
    ).all():
        if written is None:
            continue
        day = as_utc(written).date()
        row = mentees[trainee_id]
        if row.last_contact is None or day > row.last_contact:
            row.last_contact = day
    return MenteeOverview(cohort, list(mentees.values()), awaiting)


@dataclass(frozen=True)
class SubmissionLine:
    submission_id: int
    exercise_title: str
    milestone_title: str
    version: int
    status: str
    submitted_at: datetime
    late: bool


def submissions_of(session: Session, cohort_id: int, trainee_id: int) -> list[SubmissionLine]:
    """A trainee's latest version of each exercise, newest first (one query); survey
    answers are confidential and never listed."""
    rows = session.execute(
        sa_select(
            col(Submission.id),
            col(Exercise.title),
            col(Milestone.title),
            col(Submission.version),
            col(Submission.status),
            col(Submission.submitted_at),
            col(Submission.late),
        )
        .join(Exercise, col(Exercise.id) == Submission.exercise_id)
        .join(Module, col(Module.id) == Exercise.module_id)
        .join(Milestone, col(Milestone.id) == Module.milestone_id)
        .where(
            col(Submission.cohort_id) == cohort_id,
            col(Submission.user_id) == trainee_id,
            col(Exercise.type).not_in(CONFIDENTIAL_TYPES),
            newest_version_only(),
        )
        .order_by(col(Submission.submitted_at).desc(), col(Submission.id).desc())
    ).all()
    return [
        SubmissionLine(sid, ex, ms, version, status, as_utc(at), late)
        for sid, ex, ms, version, status, at, late in rows
        if sid is not None
    ]
