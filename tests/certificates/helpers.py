"""A cohort whose trainees have finished the six milestones, or not."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from iil_lms.accounts.models import User
from iil_lms.certificates import service
from iil_lms.certificates.models import Certificate, CertificateKind
from iil_lms.learning.models import Submission, SubmissionStatus
from iil_lms.settings import Settings
from tests.conftest import CohortFixture, Factory
from tests.learning.factories import Course, course


@dataclass
class Finished:
    made: CohortFixture
    course: Course
    finished: list[User]
    unfinished: list[User]


def accept(session: Session, made: CohortFixture, user: User, course_: Course, upto: int) -> None:
    """Accepted work on the first `upto` milestones' exercises."""
    for module in course_.modules[:upto]:
        for exercise in course_.by_module[module.id or 0]:
            session.add(
                Submission(
                    cohort_id=made.cohort.id or 0,
                    user_id=user.id or 0,
                    exercise_id=exercise.id or 0,
                    content={"answer": "mine"},
                    status=SubmissionStatus.ACCEPTED,
                )
            )
    session.commit()


def finished_cohort(
    session: Session, factory: Factory, *, trainees: int = 4, done: int = 2
) -> Finished:
    """Six milestones of one reflection each; the first `done` trainees have every one
    accepted, the next has five of six, the others nothing."""
    made = factory.cohort(trainees=trainees, mentors=1, circles=0)
    made.academy.local_language = "ur"
    session.add(made.academy)
    c = course(session, made.cohort, milestones=6, types=("reflection",))
    session.commit()
    for user in made.trainees[:done]:
        accept(session, made, user, c, 6)
    if trainees > done:
        accept(session, made, made.trainees[done], c, 5)
    return Finished(made, c, made.trainees[:done], made.trainees[done:])


def issue_completion(
    session: Session, settings: Settings, made: CohortFixture, users: list[User]
) -> list[Certificate]:
    choice = service.find_choice(session, made.cohort.id or 0, "completion")
    kind = service.ensure_kind(session, made.cohort, choice)
    result = service.issue(
        session,
        settings,
        cohort=made.cohort,
        kind=kind,
        user_ids=[u.id or 0 for u in users],
        issued_by_id=made.organisers[0].id if made.organisers else None,
    )
    session.commit()
    return result.certificates


def completion_kind(session: Session, made: CohortFixture) -> CertificateKind:
    choice = service.find_choice(session, made.cohort.id or 0, "completion")
    return service.ensure_kind(session, made.cohort, choice)
