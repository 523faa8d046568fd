"""Builders for survey tests: a cohort whose plan holds two milestone surveys sharing a
statement, and answers written straight to the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from iil_lms.cohorts.models import Cohort, Membership
from iil_lms.curriculum.models import Exercise, PlanItem
from iil_lms.learning.models import Submission, SubmissionStatus
from tests.curricula import outline
from tests.learning.factories import today

SHARED = "My mentor gave me useful feedback."


@dataclass
class Surveys:
    first: Exercise
    second: Exercise
    reflection: Exercise


def surveys(session: Session, cohort_id: int) -> Surveys:
    """Two milestones, each with a survey (both ask SHARED), the first with a reflection
    too; all planned for the cohort and open."""
    built = outline(
        session,
        slug=f"survey-test-{cohort_id}",
        title="Survey test",
        milestones=2,
        content_hash="s" * 64,
    )
    version = built.version
    made: list[Exercise] = []
    for n, module in enumerate(built.modules, start=1):
        survey = Exercise(
            module_id=module.id or 0,
            slug=f"feedback-{n}",
            position=2,
            type="survey",
            title=f"Milestone feedback {n}",
            spec={
                "statements": [f"Statement only in survey {n}.", SHARED],
                "questions": ["What would you change?"],
            },
        )
        session.add(survey)
        made.append(survey)
        if n == 1:
            reflection = Exercise(
                module_id=module.id or 0,
                slug="reflect",
                position=1,
                type="reflection",
                title="Reflection 1",
                spec={"prompt": "Think."},
            )
            session.add(reflection)
        session.add(
            PlanItem(
                cohort_id=cohort_id,
                module_id=module.id or 0,
                opens_on=today() - timedelta(days=7),
                due_on=today() + timedelta(days=14),
            )
        )
    session.flush()
    cohort = session.get(Cohort, cohort_id)
    assert cohort is not None
    cohort.curriculum_version_id = version.id
    session.add(cohort)
    session.commit()
    return Surveys(made[0], made[1], reflection)


def answer(
    session: Session,
    cohort_id: int,
    user_id: int,
    exercise: Exercise,
    ratings: list[int],
    comment: str = "",
) -> Submission:
    submission = Submission(
        cohort_id=cohort_id,
        user_id=user_id,
        exercise_id=exercise.id or 0,
        content={"ratings": ratings, "answers": [comment]},
        status=SubmissionStatus.SCORED,
    )
    session.add(submission)
    session.commit()
    return submission


def declare(session: Session, membership: Membership, **values: str) -> None:
    for name, value in values.items():
        setattr(membership, name, value)
    session.add(membership)
    session.commit()
