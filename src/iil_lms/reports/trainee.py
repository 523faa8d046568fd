"""A trainee's full report: every submission with its versions and the feedback on each,
convening attendance, the mentoring log, outreach items and the milestones' dates - in
a fixed number of queries. Survey answers are confidential and never part of it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Attendance, Cohort, Convening, LearningCircle, Membership, Role
from iil_lms.curriculum.models import Exercise, Milestone, Module
from iil_lms.learning.journey import MilestoneProgress, journey_for
from iil_lms.learning.models import Feedback, Submission
from iil_lms.mentoring.log import log_entries
from iil_lms.mentoring.models import MentorAssignment, MentoringLogEntry
from iil_lms.outreach.models import OutreachItem

# Exercise types whose answers stay out of the report (feedback surveys are confidential).
CONFIDENTIAL_TYPES = frozenset({"survey"})


@dataclass(frozen=True)
class FeedbackLine:
    author: str
    body: str
    decision: str | None
    created_at: datetime


@dataclass
class VersionLine:
    version: int
    status: str
    submitted_at: datetime
    late: bool
    answer: list[str]  # the answer's text, field by field
    file_name: str | None
    feedback: list[FeedbackLine] = field(default_factory=list)


@dataclass
class ExerciseLine:
    exercise_id: int
    title: str
    milestone_position: int
    milestone_title: str
    versions: list[VersionLine] = field(default_factory=list)  # newest first


@dataclass(frozen=True)
class AttendanceLine:
    convening: str
    day: date
    present: bool


@dataclass(frozen=True)
class TraineeReport:
    cohort: Cohort
    trainee_id: int
    name: str
    email: str
    circle: str | None
    mentor: str | None
    milestones: list[MilestoneProgress]
    exercises: list[ExerciseLine]
    attendance: list[AttendanceLine]
    mentoring: list[tuple[MentoringLogEntry, str]]
    outreach: list[OutreachItem]

    @property
    def days_present(self) -> int:
        return sum(1 for a in self.attendance if a.present)


def answer_text(content: Any) -> list[str]:
    """The written parts of an answer, in order (nested lists and fields flattened;
    numbers and choices are left to the exercise page)."""
    if isinstance(content, str):
        return [content] if content.strip() else []
    if isinstance(content, dict):
        return [line for value in content.values() for line in answer_text(value)]
    if isinstance(content, list):
        return [line for value in content for line in answer_text(value)]
    return []


def is_trainee_of(session: Session, cohort_id: int, user_id: int) -> bool:
    return (
        session.execute(
            sa_select(col(Membership.id)).where(
                col(Membership.cohort_id) == cohort_id,
                col(Membership.user_id) == user_id,
                col(Membership.role) == Role.TRAINEE.value,
            )
        ).first()
        is not None
    )


def current_mentor_id(session: Session, cohort_id: int, trainee_id: int) -> int | None:
    row = session.execute(
        sa_select(col(MentorAssignment.mentor_id)).where(
            col(MentorAssignment.cohort_id) == cohort_id,
            col(MentorAssignment.trainee_id) == trainee_id,
            col(MentorAssignment.ended_at).is_(None),
        )
    ).first()
    return int(row[0]) if row else None


def trainee_report(
    session: Session,
    cohort: Cohort,
    trainee_id: int,
    *,
    today: date | None = None,
    language: str | None = None,
) -> TraineeReport:
    """Everything the cohort recorded of one trainee, for their trainers, their mentor
    and themselves; the caller has checked who may read it."""
    cohort_id = cohort.id or 0
    person = session.execute(
        sa_select(col(User.display_name), col(User.email), col(LearningCircle.name))
        .select_from(Membership)
        .join(User, col(User.id) == Membership.user_id)
        .outerjoin(LearningCircle, col(LearningCircle.id) == Membership.circle_id)
        .where(
            col(Membership.cohort_id) == cohort_id,
            col(Membership.user_id) == trainee_id,
            col(Membership.role) == Role.TRAINEE.value,
        )
    ).one()
    mentor = session.execute(
        sa_select(col(User.display_name))
        .join(MentorAssignment, col(MentorAssignment.mentor_id) == User.id)
        .where(
            col(MentorAssignment.cohort_id) == cohort_id,
            col(MentorAssignment.trainee_id) == trainee_id,
            col(MentorAssignment.ended_at).is_(None),
        )
    ).first()
    journey = journey_for(
        session, cohort_id=cohort_id, user_id=trainee_id, today=today, language=language
    )
    exercises: dict[int, ExerciseLine] = {}
    by_submission: dict[int, VersionLine] = {}
    for s, title, position, milestone_title in session.execute(
        sa_select(Submission, col(Exercise.title), col(Milestone.position), col(Milestone.title))
        .join(Exercise, col(Exercise.id) == Submission.exercise_id)
        .join(Module, col(Module.id) == Exercise.module_id)
        .join(Milestone, col(Milestone.id) == Module.milestone_id)
        .where(
            col(Submission.cohort_id) == cohort_id,
            col(Submission.user_id) == trainee_id,
            col(Exercise.type).not_in(CONFIDENTIAL_TYPES),
        )
        .order_by(col(Milestone.position), col(Exercise.id), col(Submission.version).desc())
    ).all():
        line = exercises.setdefault(
            s.exercise_id, ExerciseLine(s.exercise_id, title, position, milestone_title)
        )
        version = VersionLine(
            s.version,
            s.status,
            s.submitted_at,
            s.late,
            answer_text(s.content),
            s.original_name if s.file_name else None,
        )
        line.versions.append(version)
        by_submission[s.id or 0] = version
    threads: dict[int, list[FeedbackLine]] = defaultdict(list)
    if by_submission:
        for submission_id, author, body, decision, created_at in session.execute(
            sa_select(
                col(Feedback.submission_id),
                col(User.display_name),
                col(Feedback.body),
                col(Feedback.decision),
                col(Feedback.created_at),
            )
            .join(User, col(User.id) == Feedback.author_id)
            .where(col(Feedback.submission_id).in_(list(by_submission)))
            .order_by(col(Feedback.created_at), col(Feedback.id))
        ).all():
            threads[submission_id].append(FeedbackLine(author, body, decision, created_at))
    for submission_id, version in by_submission.items():
        version.feedback = threads.get(submission_id, [])
    attendance = [
        AttendanceLine(title, day, bool(present))
        for title, day, present in session.execute(
            sa_select(col(Convening.title), col(Attendance.day), col(Attendance.present))
            .join(
                Convening,
                and_(col(Convening.id) == Attendance.convening_id),
            )
            .where(col(Convening.cohort_id) == cohort_id, col(Attendance.user_id) == trainee_id)
            .order_by(col(Attendance.day), col(Convening.id))
        ).all()
    ]
    outreach = list(
        session.execute(
            sa_select(OutreachItem)
            .where(
                col(OutreachItem.cohort_id) == cohort_id,
                col(OutreachItem.author_id) == trainee_id,
            )
            .order_by(col(OutreachItem.created_at), col(OutreachItem.id))
        ).scalars()
    )
    return TraineeReport(
        cohort=cohort,
        trainee_id=trainee_id,
        name=person[0],
        email=person[1],
        circle=person[2],
        mentor=mentor[0] if mentor else None,
        milestones=journey.milestones,
        exercises=list(exercises.values()),
        attendance=attendance,
        mentoring=log_entries(session, cohort_id, trainee_id),
        outreach=outreach,
    )
