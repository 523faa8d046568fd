"""Small builders for mentoring tests: a curriculum with exercises, submissions and
mentor assignments, written straight to the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Cohort
from iil_lms.curriculum.models import Exercise, PlanItem
from iil_lms.learning.models import Submission, SubmissionStatus
from iil_lms.mentoring.models import MentorAssignment
from tests.curricula import outline

RUBRIC = [
    {"criterion": "Names a real problem", "levels": ["Not yet", "Partly", "Clearly"]},
    {"criterion": "Evidence from citizens", "levels": ["None", "Some", "Strong"]},
]


def curriculum(
    session: Session,
    cohort: Cohort,
    *,
    milestones: int = 2,
    exercises: int = 2,
    slug: str | None = None,
    planned: bool = False,
) -> list[Exercise]:
    """A curriculum of `milestones` milestones with one module each and `exercises`
    reflection exercises per module (the first with a rubric), used by the cohort;
    with `planned`, every module is in the cohort's plan (open, due in two weeks)."""
    built = outline(
        session, slug=slug or f"test-{cohort.id}", milestones=milestones, content_hash="x" * 64
    )
    version = built.version
    made: list[Exercise] = []
    for m, module in enumerate(built.modules, start=1):
        for e in range(1, exercises + 1):
            spec: dict[str, Any] = {"prompt": "Describe the problem."}
            if e == 1:
                spec["rubric"] = RUBRIC
            exercise = Exercise(
                module_id=module.id,
                slug=f"ex{m}-{e}",
                position=e,
                type="reflection",
                title=f"Exercise {m}.{e}",
                spec=spec,
            )
            session.add(exercise)
            made.append(exercise)
        if planned:
            session.add(
                PlanItem(
                    cohort_id=cohort.id,
                    module_id=module.id,
                    opens_on=date.today() - timedelta(days=7),
                    due_on=date.today() + timedelta(days=14),
                )
            )
    cohort.curriculum_version_id = version.id
    session.add(cohort)
    session.commit()
    return made


def plan(
    session: Session,
    cohort: Cohort,
    module_id: int,
    due_on: date,
    circle_id: int | None = None,
    removed: bool = False,
) -> PlanItem:
    item = PlanItem(
        cohort_id=cohort.id,
        module_id=module_id,
        circle_id=circle_id,
        opens_on=due_on - timedelta(days=14),
        due_on=due_on,
        removed=removed,
    )
    session.add(item)
    session.commit()
    return item


def submit(
    session: Session,
    cohort: Cohort,
    user: User,
    exercise: Exercise,
    *,
    text: str = "My answer.",
    version: int = 1,
    status: str = SubmissionStatus.SUBMITTED,
    at: datetime | None = None,
) -> Submission:
    submission = Submission(
        cohort_id=cohort.id,
        user_id=user.id,
        exercise_id=exercise.id,
        version=version,
        content={"answer": text},
        status=status,
        submitted_at=at or datetime.now(UTC),
    )
    session.add(submission)
    session.commit()
    return submission


def assign(session: Session, cohort: Cohort, mentor: User, *trainees: User) -> None:
    for trainee in trainees:
        session.add(
            MentorAssignment(cohort_id=cohort.id, mentor_id=mentor.id, trainee_id=trainee.id)
        )
    session.commit()


def fresh(session: Session, row: Any) -> Any:
    """Reload a row as requests left it (ending the test's own read transaction first,
    which would otherwise keep showing the database as it was when it began)."""
    session.commit()
    session.refresh(row)
    return row
