"""Due-soon reminders: each trainee is told of the modules of their own plan that are due
in the next few days and still wait for their work (sent daily by `iil-lms remind`)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from iil_lms import i18n
from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Academy, Cohort, Membership, Role
from iil_lms.curriculum.models import Exercise, PlanItem
from iil_lms.curriculum.plans import TraineePlans, trainee_plans
from iil_lms.db import utcnow
from iil_lms.learning.models import Submission
from iil_lms.notifications.service import notify

REMINDER_DAYS = 3


def _cohort_todays(session: Session, cohort_ids: list[int], today: date | None) -> dict[int, date]:
    """Each cohort's today: `today` when given, else the date in its academy's zone."""
    if today is not None:
        return dict.fromkeys(cohort_ids, today)
    rows = session.exec(
        select(Cohort.id, Academy.timezone)
        .join(Academy, col(Academy.id) == Cohort.academy_id)
        .where(col(Cohort.id).in_(cohort_ids))
    ).all()
    now = utcnow()
    return {
        cohort_id: now.astimezone(i18n.zone(name)).date() for cohort_id, name in rows if cohort_id
    }


def send_due_soon_reminders(
    session: Session, today: date | None = None, *, days_ahead: int = REMINDER_DAYS
) -> int:
    """Remind each active trainee of every module of their own plan (the curriculum's
    `trainee_plans`: a learning circle's dates win over the cohort's, removed and
    retired modules are left out) that is due from today to `days_ahead` days later
    and still has an exercise they have not submitted. Today is each cohort's date in
    its academy's time zone, unless `today` is given. Each trainee is reminded once per
    module and due date, so running it again the same day (or the next) sends nothing
    twice. Queries: a fixed few plus two per cohort with something due; never per
    trainee. Returns how many reminders were sent."""
    # Every time zone's date is within a day of UTC's.
    utc_today = utcnow().date()
    earliest = today or utc_today - timedelta(days=1)
    latest = (today or utc_today + timedelta(days=1)) + timedelta(days=days_ahead)
    cohort_ids = sorted(
        set(
            session.exec(
                select(PlanItem.cohort_id)
                .where(
                    PlanItem.due_on >= earliest,
                    PlanItem.due_on <= latest,
                    col(PlanItem.removed).is_(False),
                )
                .distinct()
            ).all()
        )
    )
    todays = _cohort_todays(session, cohort_ids, today)
    # (cohort, circle or None) -> modules due soon in that plan, as (module, due date)
    due_soon: dict[tuple[int, int | None], list[tuple[int, date]]] = {}
    titles: dict[int, str] = {}
    plans: dict[int, TraineePlans] = {}
    for cohort_id in cohort_ids:
        plans[cohort_id] = trainee_plans(session, cohort_id)
        cohort_plan = plans[cohort_id].cohort_plan
        first = todays[cohort_id]
        horizon = first + timedelta(days=days_ahead)
        for circle_id, planned in [(None, cohort_plan.default), *cohort_plan.by_circle.items()]:
            soon = [p for p in planned if first <= p.due_on <= horizon]
            due_soon[(cohort_id, circle_id)] = [(p.module_id, p.due_on) for p in soon]
            titles.update({p.module_id: p.module_title for p in soon})
    module_ids = sorted(titles)
    if not module_ids:
        return 0
    exercises: dict[int, set[int]] = {}
    for exercise_id, module_id in session.exec(
        select(Exercise.id, Exercise.module_id).where(
            col(Exercise.module_id).in_(module_ids), col(Exercise.retired).is_(False)
        )
    ).all():
        if exercise_id is not None:
            exercises.setdefault(module_id, set()).add(exercise_id)
    all_exercises = sorted(e for group in exercises.values() for e in group)
    trainees = session.exec(
        select(Membership.cohort_id, Membership.user_id, Membership.circle_id)
        .join(User, col(User.id) == Membership.user_id)
        .where(
            col(Membership.cohort_id).in_(cohort_ids),
            Membership.role == Role.TRAINEE.value,
            col(User.is_active).is_(True),
        )
    ).all()
    done: dict[tuple[int, int], set[int]] = {}
    for cohort_id, user_id, exercise_id in session.exec(
        select(Submission.cohort_id, Submission.user_id, Submission.exercise_id)
        .where(
            col(Submission.cohort_id).in_(cohort_ids),
            col(Submission.exercise_id).in_(all_exercises),
        )
        .distinct()
    ).all():
        done.setdefault((cohort_id, user_id), set()).add(exercise_id)
    batches: dict[tuple[int, int, date], list[int]] = {}
    for cohort_id, user_id, _circle in trainees:
        plan = due_soon[(cohort_id, plans[cohort_id].circle_of.get(user_id))]
        for module_id, due_on in plan:
            needed = exercises.get(module_id, set())
            if not needed or needed <= done.get((cohort_id, user_id), set()):
                continue
            batches.setdefault((cohort_id, module_id, due_on), []).append(user_id)
    sent = 0
    for (cohort_id, module_id, due_on), user_ids in sorted(batches.items()):
        sent += notify(
            session,
            user_ids=user_ids,
            kind="reminder",
            params={"module": titles.get(module_id, ""), "due_on": due_on.isoformat()},
            link="/journey",
            dedupe_key=f"due:{cohort_id}:{module_id}:{due_on.isoformat()}",
        )
    return sent
