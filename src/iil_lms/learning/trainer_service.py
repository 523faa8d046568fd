"""The trainer's side of submissions: who has submitted what, per exercise and across
the cohort's plan, and work done on paper typed in (or uploaded) by a trainer.

Review (feedback, return, accept) lives in `mentoring.review`; these pages link to it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.accounts.service import audit
from iil_lms.cohorts.models import Cohort, LearningCircle, Membership, Role
from iil_lms.cohorts.service import cohort_circles
from iil_lms.curriculum.models import Exercise, Milestone, Module
from iil_lms.curriculum.plans import CohortPlan, PlannedModule, plan_for_cohort
from iil_lms.db import as_utc
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.learning import answers, uploads
from iil_lms.learning import service as learning
from iil_lms.learning.models import Draft, Submission, SubmissionStatus, newest_version_only

NOT_STARTED = "not_started"
DRAFT = "draft"


def _trainees_query(cohort_id: int, circle_id: int | None) -> Any:
    query = select(Membership.user_id).where(
        Membership.cohort_id == cohort_id, Membership.role == Role.TRAINEE.value
    )
    if circle_id is not None:
        query = query.where(Membership.circle_id == circle_id)
    return query


def _circle_plan(session: Session, cohort_id: int, circle_id: int | None) -> list[PlannedModule]:
    plan = plan_for_cohort(session, cohort_id)
    return plan.for_circle(circle_id)


# --- the cohort overview ----------------------------------------------------------------


@dataclass
class ExerciseCounts:
    exercise_id: int
    title: str
    type: str
    submitted: int = 0  # trainees with at least one submission
    awaiting: int = 0  # newest version waiting for review
    returned: int = 0
    accepted: int = 0  # accepted, or scored on submit
    drafting: int = 0  # a draft and nothing submitted yet
    not_started: int = 0
    translations: dict[str, Any] = field(default_factory=dict)


@dataclass
class OverviewModule:
    planned: PlannedModule
    exercises: list[ExerciseCounts] = field(default_factory=list)


@dataclass
class SubmissionsOverview:
    cohort: Cohort
    circles: list[LearningCircle]
    circle_id: int | None
    trainee_count: int
    modules: list[OverviewModule]

    @property
    def awaiting(self) -> int:
        return sum(e.awaiting for m in self.modules for e in m.exercises)


def submissions_overview(
    session: Session, cohort: Cohort, circle_id: int | None = None
) -> SubmissionsOverview:
    """Every planned module's exercises (the circle's plan when one is chosen) with how
    many trainees (of the cohort, or of the circle) have submitted, await review, were
    returned, are accepted, are drafting or have not started. Seven queries, whatever
    the number of trainees or exercises."""
    assert cohort.id is not None
    circles = cohort_circles(session, cohort.id)
    if circle_id is not None and circle_id not in {c.id for c in circles}:
        circle_id = None
    planned = _circle_plan(session, cohort.id, circle_id)
    trainees = _trainees_query(cohort.id, circle_id)
    trainee_count = int(session.exec(select(func.count()).select_from(trainees.subquery())).one())
    module_ids = [p.module_id for p in planned]
    exercises = (
        session.exec(
            select(Exercise)
            .where(col(Exercise.module_id).in_(module_ids), col(Exercise.retired).is_(False))
            .order_by(col(Exercise.position), col(Exercise.id))
        ).all()
        if module_ids
        else []
    )
    counts = {
        e.id: ExerciseCounts(
            e.id or 0, e.title, e.type, not_started=trainee_count, translations=e.translations
        )
        for e in exercises
    }
    exercise_ids = list(counts)
    if exercise_ids:
        for exercise_id, status, number in session.execute(
            sa_select(col(Submission.exercise_id), col(Submission.status), func.count())
            .where(
                col(Submission.cohort_id) == cohort.id,
                col(Submission.exercise_id).in_(exercise_ids),
                col(Submission.user_id).in_(trainees),
                newest_version_only(),
            )
            .group_by(col(Submission.exercise_id), col(Submission.status))
        ).all():
            row = counts[exercise_id]
            row.submitted += number
            row.not_started -= number
            if status == SubmissionStatus.SUBMITTED:
                row.awaiting += number
            elif status == SubmissionStatus.RETURNED:
                row.returned += number
            else:
                row.accepted += number
        submitted = (
            select(Submission.id)
            .where(
                Submission.cohort_id == Draft.cohort_id,
                Submission.user_id == Draft.user_id,
                Submission.exercise_id == Draft.exercise_id,
            )
            .exists()
        )
        for exercise_id, number in session.execute(
            sa_select(col(Draft.exercise_id), func.count())
            .where(
                col(Draft.cohort_id) == cohort.id,
                col(Draft.exercise_id).in_(exercise_ids),
                col(Draft.user_id).in_(trainees),
                ~submitted,
            )
            .group_by(col(Draft.exercise_id))
        ).all():
            counts[exercise_id].drafting += number
            counts[exercise_id].not_started -= number
    by_module: dict[int, list[ExerciseCounts]] = {}
    for exercise in exercises:
        by_module.setdefault(exercise.module_id, []).append(counts[exercise.id])
    return SubmissionsOverview(
        cohort=cohort,
        circles=circles,
        circle_id=circle_id,
        trainee_count=trainee_count,
        modules=[OverviewModule(p, by_module.get(p.module_id, [])) for p in planned],
    )


# --- one exercise -----------------------------------------------------------------------


@dataclass
class TraineeRow:
    trainee_id: int
    name: str
    circle_name: str
    status: str = NOT_STARTED
    submission_id: int | None = None
    version: int = 0
    versions: int = 0
    late: bool = False
    submitted_at: datetime | None = None
    score: float | None = None
    entered_by: str = ""
    due_on: date | None = None


@dataclass
class ExerciseSubmissions:
    cohort: Cohort
    exercise: Exercise
    module: Module
    milestone: Milestone
    circles: list[LearningCircle]
    circle_id: int | None
    rows: list[TraineeRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def planned_exercise(
    session: Session, cohort_id: int, exercise_id: int, plan: CohortPlan | None = None
) -> tuple[Exercise, Module, Milestone] | None:
    """The exercise with its module and milestone if its module is in the cohort's plan
    (for the cohort or for any of its circles); None otherwise, so the page is a 404."""
    found = session.exec(
        select(Exercise, Module, Milestone)
        .join(Module, col(Module.id) == Exercise.module_id)
        .join(Milestone, col(Milestone.id) == Module.milestone_id)
        .where(Exercise.id == exercise_id)
    ).first()
    if found is None:
        return None
    plan = plan or plan_for_cohort(session, cohort_id)
    planned = {p.module_id for p in plan.default}
    for modules in plan.by_circle.values():
        planned.update(p.module_id for p in modules)
    return found if found[1].id in planned else None


def exercise_submissions(
    session: Session, cohort: Cohort, exercise_id: int, circle_id: int | None = None
) -> ExerciseSubmissions | None:
    """Every trainee of the cohort (or of the chosen circle) with their newest version of
    the exercise: status (not started, draft, submitted, returned, accepted, scored), late
    flag, date, number of versions, who typed it in, and their due date. A fixed number
    of queries (seven), whatever the number of trainees."""
    assert cohort.id is not None
    plan = plan_for_cohort(session, cohort.id)
    found = planned_exercise(session, cohort.id, exercise_id, plan)
    if found is None:
        return None
    exercise, module, milestone = found
    circles = cohort_circles(session, cohort.id)
    if circle_id is not None and circle_id not in {c.id for c in circles}:
        circle_id = None

    def due_for(trainee_circle: int | None) -> date | None:
        for planned in plan.for_circle(trainee_circle):
            if planned.module_id == module.id:
                return planned.due_on
        return None

    trainee_query = (
        select(User.id, User.display_name, LearningCircle.name, Membership.circle_id)
        .join(Membership, col(Membership.user_id) == User.id)
        .outerjoin(LearningCircle, col(LearningCircle.id) == Membership.circle_id)
        .where(Membership.cohort_id == cohort.id, Membership.role == Role.TRAINEE.value)
        .order_by(col(User.display_name), col(User.id))
    )
    if circle_id is not None:
        trainee_query = trainee_query.where(Membership.circle_id == circle_id)
    rows: dict[int, TraineeRow] = {}
    for user_id, name, circle_name, trainee_circle in session.exec(trainee_query).all():
        if user_id is not None:
            rows[user_id] = TraineeRow(
                user_id, name, circle_name or "", due_on=due_for(trainee_circle)
            )
    trainees = _trainees_query(cohort.id, circle_id)
    version_counts = (
        sa_select(col(Submission.user_id).label("user_id"), func.count().label("versions"))
        .where(col(Submission.cohort_id) == cohort.id, col(Submission.exercise_id) == exercise_id)
        .group_by(col(Submission.user_id))
        .subquery()
    )
    enterer = aliased(User)
    for sid, user_id, version, status, late, at, score, entered_by, versions in session.execute(
        sa_select(
            col(Submission.id),
            col(Submission.user_id),
            col(Submission.version),
            col(Submission.status),
            col(Submission.late),
            col(Submission.submitted_at),
            col(Submission.score),
            col(enterer.display_name),
            version_counts.c.versions,
        )
        .join(version_counts, version_counts.c.user_id == Submission.user_id)
        .outerjoin(enterer, col(enterer.id) == Submission.entered_by_id)
        .where(
            col(Submission.cohort_id) == cohort.id,
            col(Submission.exercise_id) == exercise_id,
            col(Submission.user_id).in_(trainees),
            newest_version_only(),
        )
    ).all():
        row = rows.get(user_id)
        if row is None:
            continue
        row.status, row.submission_id, row.version = status, sid, version
        row.versions, row.late, row.submitted_at = int(versions), late, as_utc(at)
        row.score, row.entered_by = score, entered_by or ""
    for (user_id,) in session.execute(
        sa_select(col(Draft.user_id)).where(
            col(Draft.cohort_id) == cohort.id,
            col(Draft.exercise_id) == exercise_id,
            col(Draft.user_id).in_(trainees),
        )
    ).all():
        row = rows.get(user_id)
        if row is not None and row.status == NOT_STARTED:
            row.status = DRAFT
    return ExerciseSubmissions(
        cohort, exercise, module, milestone, circles, circle_id, list(rows.values())
    )


# --- paper entry ------------------------------------------------------------------------


class PaperEntryInvalid(ValueError):
    """What is wrong with a paper entry, per form field, in words for the trainer."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _refusal_for_trainer(exercise: Exercise, earlier: list[Submission]) -> str | None:
    """The learning service's rule on new versions (`can_submit`), worded for the
    trainer typing the work in."""
    if learning.can_submit(exercise, earlier) is None:
        return None
    last = earlier[-1]
    if exercise.type == "quiz":
        return _("This trainee has used every attempt at this quiz.")
    if exercise.type == "survey":
        return _("This trainee has answered the survey already.")
    if last.status == SubmissionStatus.ACCEPTED:
        return _("This trainee's work has been accepted already.")
    return _("This trainee's work is waiting for review: review it before entering a new version.")


def enter_paper_submission(
    session: Session,
    *,
    cohort: Cohort,
    exercise_id: int,
    trainee_id: int,
    entered_by_id: int,
    form: Mapping[str, Sequence[str]],
    done_on: date | None = None,
    upload: uploads.Upload | None = None,
    idempotency_key: str | None = None,
    today: date | None = None,
) -> Submission:
    """Record what a trainee did on paper as their next version of the exercise, typed
    in (or uploaded) by a trainer, through the learning service's `submit`, so versions,
    validation, scoring and lateness follow the same rules as work submitted online. The
    day the work was done (by default today, never in the future) stands for the
    submission day: it decides lateness against the trainee's due date and must fall
    after the module opened. The trainee must be a trainee of this cohort with the
    exercise in their plan. The same `idempotency_key` twice records the work once.
    Audited."""
    assert cohort.id is not None
    today = today or local_today()
    done_on = done_on or today
    exercise = session.get(Exercise, exercise_id)
    if exercise is None:
        raise PaperEntryInvalid({"exercise": _("This exercise is not in the curriculum.")})
    try:
        learning.trainee_circle(session, cohort.id, trainee_id)
    except learning.ExerciseUnavailable as missing:
        raise PaperEntryInvalid({"trainee_id": _("Choose a trainee of this cohort.")}) from missing
    if done_on > today:
        raise PaperEntryInvalid({"done_on": _("The day it was done cannot be in the future.")})
    if idempotency_key:
        # The same form sent twice (a double click) records the work once.
        already = session.exec(
            select(Submission).where(
                Submission.user_id == trainee_id,
                Submission.exercise_id == exercise_id,
                Submission.idempotency_key == idempotency_key,
            )
        ).first()
        if already is not None:
            return already
    earlier = learning.submissions_of(
        session, cohort_id=cohort.id, user_id=trainee_id, exercise_id=exercise_id
    )
    refusal = _refusal_for_trainer(exercise, earlier)
    if refusal:
        raise PaperEntryInvalid({"trainee_id": refusal})
    try:
        submission = learning.submit(
            session,
            cohort_id=cohort.id,
            user_id=trainee_id,
            exercise_id=exercise_id,
            content=answers.answer_from_form(exercise, form),
            upload=upload,
            entered_by_id=entered_by_id,
            idempotency_key=idempotency_key,
            today=done_on,
        )
    except learning.ExerciseUnavailable as unavailable:
        raise PaperEntryInvalid(
            {
                "trainee_id": _(
                    "This exercise was not open in that trainee's plan on the day it was done."
                )
            }
        ) from unavailable
    except learning.SubmissionInvalid as invalid:
        raise PaperEntryInvalid(invalid.errors) from invalid
    except learning.SubmissionRefused as refused:
        raise PaperEntryInvalid({"trainee_id": str(refused)}) from refused
    audit(
        session,
        entered_by_id,
        "submission.paper_entry",
        f"submission:{submission.id}",
        f"trainee {trainee_id}, exercise {exercise_id}, version {submission.version}, "
        f"done on {done_on.isoformat()}",
    )
    session.flush()
    return submission
