"""Demo answers to the Pakistan cohort's feedback surveys, so the results pages show
figures, filters and comments: most trainees answer the first milestone's survey, fewer
each later one (never fewer than about twenty-five), and a trainer has answered the first
survey ("you said, we did"). Answers go through `submit` and the response through
`reports.surveys.add_reply`. Written only when no survey of the cohort has answers yet."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.cohorts.models import Cohort, Membership, Role
from iil_lms.curriculum.models import PlanItem
from iil_lms.demo.people import cohort_spec
from iil_lms.demo.work import Shape, survey_answer
from iil_lms.learning import service
from iil_lms.learning.models import Submission
from iil_lms.learning.survey_replies import SurveyReply
from iil_lms.reports.surveys import add_reply, survey_rows

COHORT = "ctp-2026"
REPLY = (
    "You said the readings were long and the fieldwork time short. We cut two readings "
    "from the next milestone and moved the circle meeting a week later, so there is a "
    "full week in the district before it."
)


def seed_demo(session: Session, today: date | None = None) -> int:
    """Survey answers for the Pakistan demo cohort to the surveys already open on `today`
    (none from the first trainees, whose open work the browser journeys do); returns how
    many were written."""
    today = today or date.today()
    now = datetime.now(UTC)
    cohort = session.exec(select(Cohort).where(Cohort.slug == COHORT)).first()
    if cohort is None or cohort.id is None:
        return 0
    rows = survey_rows(session, cohort)
    survey_ids = [e.id for e, _m, _ms in rows if e.id is not None]
    if (
        not survey_ids
        or session.exec(select(SurveyReply.id).where(SurveyReply.cohort_id == cohort.id)).first()
    ):
        return 0
    answered = {
        (u, e)
        for u, e in session.exec(
            select(Submission.user_id, Submission.exercise_id).where(
                Submission.cohort_id == cohort.id, col(Submission.exercise_id).in_(survey_ids)
            )
        ).all()
    }
    trainees = session.exec(
        select(Membership.user_id)
        .where(Membership.cohort_id == cohort.id, Membership.role == Role.TRAINEE.value)
        .order_by(col(Membership.user_id))
    ).all()
    opens: dict[int, date] = {
        module_id: opens_on
        for module_id, opens_on in session.execute(
            sa_select(col(PlanItem.module_id), col(PlanItem.opens_on)).where(
                col(PlanItem.cohort_id) == cohort.id, col(PlanItem.circle_id).is_(None)
            )
        ).all()
    }
    trainer_id = session.exec(
        select(Membership.user_id)
        .where(Membership.cohort_id == cohort.id, Membership.role == Role.TRAINER.value)
        .order_by(col(Membership.user_id))
    ).first()
    untouched = Shape.of(cohort_spec(COHORT)).untouched
    work: list[service.NewWork] = []
    for k, (exercise, module, _milestone) in enumerate(rows):
        share = max(1, 8 - 2 * k)  # out of ten: 80 %, 60 %, 40 %, 20 %, then 10 %
        opened = opens.get(module.id or 0) or cohort.starts_on
        if opened > today:
            continue
        for index, trainee_id in enumerate(trainees):
            if (
                index < untouched
                or (index * 7 + k) % 10 >= share
                or (trainee_id, exercise.id) in answered
            ):
                continue
            sent = min(
                now,
                datetime.combine(
                    opened + timedelta(days=5 + index % 20), time(9 + index % 8), tzinfo=UTC
                ),
            )
            work.append(
                service.NewWork(
                    trainee_id,
                    exercise.id or 0,
                    survey_answer(exercise.spec or {}, f"{exercise.slug}:{trainee_id}"),
                    at=sent,
                )
            )
    service.submit_many(session, cohort_id=cohort.id, work=work)
    if trainer_id is not None:
        add_reply(session, cohort, survey_ids[0], author_id=trainer_id, body=REPLY)
    return len(work)
