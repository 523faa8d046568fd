"""Many trainees' work submitted at once (work entered later, the demo) keeps submit's
rules: each answer judged on the day it was handed in, and one refusal writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from iil_lms.learning import service
from iil_lms.learning.models import Submission, SubmissionStatus
from tests.conftest import Factory
from tests.learning.factories import course, today


def _at(day_offset: int) -> datetime:
    return datetime.combine(today() + timedelta(days=day_offset), time(10), tzinfo=UTC)


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Submission)).one()


def test_work_handed_in_earlier_is_dated_then_and_late_only_after_the_due_date(
    session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=2)
    c = course(
        session,
        made.cohort,
        types=("reflection", "quiz"),
        opens_on=today() - timedelta(days=20),
        due_on=today() - timedelta(days=10),
    )
    first, second = made.trainees
    reflection, quiz = c.exercises["reflection"], c.exercises["quiz"]
    made_now = service.submit_many(
        session,
        cohort_id=made.cohort.id,
        work=[
            service.NewWork(first.id, reflection.id, {"answer": "On time"}, at=_at(-15)),
            service.NewWork(second.id, reflection.id, {"answer": "Late"}, at=_at(-2)),
            service.NewWork(first.id, quiz.id, {"answers": [[0], [0, 2]]}, at=_at(-14)),
            service.NewWork(first.id, quiz.id, {"answers": [[1], [0]]}, at=_at(-13)),
        ],
    )
    session.commit()
    on_time, late, quiz_1, quiz_2 = made_now
    assert (on_time.late, late.late) == (False, True)
    assert on_time.submitted_at.date() == _at(-15).date()
    assert on_time.status == SubmissionStatus.SUBMITTED
    assert [quiz_1.version, quiz_2.version] == [1, 2]
    assert quiz_1.status == SubmissionStatus.SCORED and quiz_1.score is not None


@pytest.mark.parametrize(
    ("content", "at", "refused"),
    [
        ({"answer": " "}, -1, service.SubmissionInvalid),  # incomplete
        ({"answer": "Before it opened"}, -30, service.ExerciseUnavailable),
    ],
)
def test_one_refused_answer_writes_none_of_the_batch(
    session: Session, factory: Factory, content: dict[str, str], at: int, refused: type
) -> None:
    made = factory.cohort(trainees=2)
    c = course(session, made.cohort, types=("reflection",), opens_on=today() - timedelta(days=20))
    first, second = made.trainees
    reflection = c.exercises["reflection"]
    with pytest.raises(refused):
        service.submit_many(
            session,
            cohort_id=made.cohort.id,
            work=[
                service.NewWork(first.id, reflection.id, {"answer": "Fine"}, at=_at(-1)),
                service.NewWork(second.id, reflection.id, content, at=_at(at)),
            ],
        )
    session.rollback()
    assert _count(session) == 0


def test_a_second_version_waits_for_a_return_as_with_submit(
    session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort, types=("reflection",))
    trainee, reflection = made.trainees[0], c.exercises["reflection"]
    with pytest.raises(service.SubmissionRefused, match="waiting for review"):
        service.submit_many(
            session,
            cohort_id=made.cohort.id,
            work=[
                service.NewWork(trainee.id, reflection.id, {"answer": "One"}),
                service.NewWork(trainee.id, reflection.id, {"answer": "Two"}),
            ],
        )
    session.rollback()
    assert _count(session) == 0
