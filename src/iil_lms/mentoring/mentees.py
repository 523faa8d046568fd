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
from iil_lms.curriculum.models import Exercise, Milestone, Module
from iil_lms.curriculum.plans import trainee_plans
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


def progress_by_trainee(
    session: Session, cohort: Cohort, trainee_ids: list[int]
) -> dict[int, list[MilestoneProgress]]:
    """Each trainee's done exercises per milestone of their own effective plan (the
    curriculum's `trainee_plans`: their circle's overrides and removals count), by the
    learning journey's own rule (`learning.answers.is_done`: accepted, a quiz passed, a
    survey sent), in three queries whatever the number of trainees."""
    plans = trainee_plans(session, cohort.id or 0, trainee_ids)
    content = plans.structure
    if content is None or not trainee_ids:
        return {t: [] for t in trainee_ids}
    # Each distinct plan's exercises: {exercise_id: milestone_id} and the milestones.
    by_plan: dict[int | None, tuple[dict[int, int], list[tuple[int, int, str]], dict[int, int]]]
    by_plan = {}
    for circle_id in {*plans.circle_of.values(), None}:
        planned = plans.cohort_plan.for_circle(circle_id)
        exercise_milestone: dict[int, int] = {}
        totals: dict[int, int] = {}
        for p in planned:
            for ref in content.exercises_of(p.module_id):
                exercise_milestone[ref.id] = p.milestone_id
                totals[p.milestone_id] = totals.get(p.milestone_id, 0) + 1
        milestones = sorted(
            {(p.milestone_position, p.milestone_id, p.milestone_title) for p in planned}
        )
        by_plan[circle_id] = (exercise_milestone, milestones, totals)
    refs = {ref.id: ref for refs_ in content.exercises.values() for ref in refs_}
    attempts: dict[tuple[int, int], list[tuple[str, float | None]]] = {}
    for user_id, exercise_id, status, score in session.exec(
        select(
            Submission.user_id, Submission.exercise_id, Submission.status, Submission.score
        ).where(Submission.cohort_id == cohort.id, col(Submission.user_id).in_(trainee_ids))
    ).all():
        attempts.setdefault((user_id, exercise_id), []).append((status, score))
    done: dict[tuple[int, int], int] = {}
    for (user_id, exercise_id), rows in attempts.items():
        milestone_id = by_plan[plans.circle_of.get(user_id)][0].get(exercise_id)
        found = refs.get(exercise_id)
        if milestone_id is not None and found and is_done(found.type, found.spec, rows):
            key = (user_id, milestone_id)
            done[key] = done.get(key, 0) + 1
    result: dict[int, list[MilestoneProgress]] = {}
    for t in trainee_ids:
        if t not in plans.circle_of:
            result[t] = []
            continue
        _exercises, milestones, totals = by_plan[plans.circle_of[t]]
        result[t] = [
            MilestoneProgress(ms, pos, title, done.get((t, ms), 0), totals.get(ms, 0))
            for pos, ms, title in milestones
        ]
    return result


# --- the mentee overview ---------------------------------------------------------------


@dataclass(frozen=True)
class AwaitingReview:
    submission_id: int
    trainee_id: int
    trainee_name: str
    exercise_title: str
    exercise_translations: dict[str, Any]
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
            col(Exercise.translations),
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
        AwaitingReview(sid, uid, name, title, texts or {}, version, as_utc(at), late)
        for sid, uid, name, title, texts, version, at, late in rows
        if sid is not None
    ]


def next_in_queue(
    session: Session, cohort_id: int, mentor_id: int, *, after: int
) -> AwaitingReview | None:
    """What the mentor reviews next: the oldest work waiting for their review (the same
    list as their mentees page), other than the submission `after` they just saw."""
    mentee_ids = [
        trainee_id
        for trainee_id in session.exec(
            select(MentorAssignment.trainee_id).where(
                MentorAssignment.cohort_id == cohort_id,
                MentorAssignment.mentor_id == mentor_id,
                col(MentorAssignment.ended_at).is_(None),
            )
        ).all()
    ]
    waiting = awaiting_review(session, cohort_id, mentee_ids)
    return next((item for item in waiting if item.submission_id != after), None)


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
    exercise_translations: dict[str, Any]
    milestone_title: str
    milestone_translations: dict[str, str]
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
            col(Exercise.translations),
            col(Milestone.title),
            col(Milestone.title_translations),
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
        SubmissionLine(
            sid, ex, ex_texts or {}, ms, ms_texts or {}, version, status, as_utc(at), late
        )
        for sid, ex, ex_texts, ms, ms_texts, version, status, at, late in rows
        if sid is not None
    ]
