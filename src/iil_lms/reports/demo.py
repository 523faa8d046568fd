"""Demo answers to the Pakistan cohort's feedback surveys, so the results pages show
figures, filters and comments: most trainees answer the first milestone's survey, fewer
each later one (never fewer than about twenty-five), and a trainer has answered the first
survey ("you said, we did"). Written only when no survey of the cohort has answers yet;
nobody is notified: this is set-up, not news."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.cohorts.models import Cohort, Membership, Role
from iil_lms.curriculum.models import PlanItem
from iil_lms.learning.demo import OPEN_MODULE_UNTOUCHED, survey_answer
from iil_lms.learning.models import Submission, SubmissionStatus
from iil_lms.learning.survey_replies import SurveyReply
from iil_lms.reports.surveys import survey_rows

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
    written = 0
    for k, (exercise, module, _milestone) in enumerate(rows):
        share = max(1, 8 - 2 * k)  # out of ten: 80 %, 60 %, 40 %, 20 %, then 10 %
        opened = opens.get(module.id or 0) or cohort.starts_on
        if opened > today:
            continue
        for index, trainee_id in enumerate(trainees):
            if (
                index < OPEN_MODULE_UNTOUCHED
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
            session.add(
                Submission(
                    cohort_id=cohort.id,
                    user_id=trainee_id,
                    exercise_id=exercise.id or 0,
                    content=survey_answer(exercise.spec or {}, f"{exercise.slug}:{trainee_id}"),
                    status=SubmissionStatus.SCORED,
                    submitted_at=sent,
                )
            )
            written += 1
    if trainer_id is not None:
        session.add(
            SurveyReply(
                cohort_id=cohort.id, exercise_id=survey_ids[0], author_id=trainer_id, body=REPLY
            )
        )
    session.flush()
    return written
