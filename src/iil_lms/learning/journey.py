"""Where a trainee stands: each exercise's state, each milestone's status, the next thing
to do, and milestone completion for a whole cohort - all in a fixed number of queries,
whatever the cohort's size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Attendance, Convening, Membership, Role
from iil_lms.curriculum.models import Exercise
from iil_lms.curriculum.plans import (
    PlannedModule,
    TraineePlans,
    plan_and_structure,
    trainee_plans,
)
from iil_lms.curriculum.structure import ExerciseRef, Structure
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.learning.answers import is_done
from iil_lms.learning.models import Draft, Feedback, Submission, SubmissionStatus
from iil_lms.learning.service import ExerciseUnavailable

DUE_SOON_DAYS = 7

# Milestone statuses, in the order the journey map explains them.
DONE = "done"
OVERDUE = "overdue"
DUE_SOON = "due_soon"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"

# Exercise states for the trainee.
EX_DONE = "done"
EX_WAITING = "waiting"  # submitted, waiting for review
EX_RETURNED = "returned"  # sent back for revision
EX_RETRY = "retry"  # quiz below the pass mark, attempts left
EX_FAILED = "failed"  # quiz below the pass mark, no attempts left
EX_DRAFT = "draft"
EX_TODO = "todo"


@dataclass
class ExerciseProgress:
    ref: ExerciseRef
    planned: PlannedModule
    state: str
    versions: int
    best_score: float | None


@dataclass
class ModuleProgress:
    planned: PlannedModule
    # In the reader's language where the curriculum has it.
    title: str
    exercises: list[ExerciseProgress] = field(default_factory=list)
    # Counted once when the journey is built (a page reads them many times).
    done: int = 0
    total: int = 0
    overdue: bool = False  # past its due date with an exercise not done


@dataclass
class MilestoneProgress:
    milestone_id: int
    position: int
    title: str  # in the reader's language where the curriculum has it
    status: str
    modules: list[ModuleProgress] = field(default_factory=list)
    done: int = 0
    total: int = 0
    due_on: date | None = None  # the last due date of its modules
    # The due date of its earliest overdue module: what an overdue milestone was due by.
    overdue_since: date | None = None
    # That module's title (in the reader's language), so the page can name it.
    overdue_module: str = ""


@dataclass(frozen=True)
class NewFeedback:
    submission_id: int
    exercise_id: int
    exercise_title: str
    author_name: str
    decision: str | None
    body: str
    created_at: datetime


@dataclass
class Journey:
    milestones: list[MilestoneProgress]
    next_up: ExerciseProgress | None
    next_opening: PlannedModule | None
    convenings: list[UpcomingConvening]
    feedback: list[NewFeedback]
    # The curriculum structure the plan was resolved against (None without a plan).
    structure: Structure | None = None
    attended: list[AttendedConvening] = field(default_factory=list)

    def module_title(self, planned: PlannedModule) -> str:
        found = self.module(planned.module_id)
        return found.title if found is not None else planned.module_title

    def module(self, module_id: int) -> ModuleProgress | None:
        for milestone in self.milestones:
            for module in milestone.modules:
                if module.planned.module_id == module_id:
                    return module
        return None


# --- the rules, on plain rows -----------------------------------------------------------


def exercise_state(
    ref: ExerciseRef, rows: Sequence[tuple[int, str, float | None]], drafted: bool
) -> str:
    """The trainee's state on one exercise from their versions (version, status, score)."""
    if is_done(ref.type, ref.spec, [(status, score) for _v, status, score in rows]):
        return EX_DONE
    if rows:
        last = max(rows)[1]
        if ref.type == "quiz":
            limit = (ref.spec or {}).get("attempts")
            left = not isinstance(limit, int) or limit <= 0 or len(rows) < limit
            return EX_RETRY if left else EX_FAILED
        if last == SubmissionStatus.RETURNED:
            return EX_RETURNED
        return EX_WAITING
    return EX_DRAFT if drafted else EX_TODO


def milestone_status(
    exercises: Sequence[tuple[str, PlannedModule, bool]],
    planned: Sequence[PlannedModule],
    today: date,
) -> str:
    """A milestone is done when every assigned exercise is done (accepted, quiz at or
    above the pass mark, survey answered); otherwise overdue when an unfinished exercise
    is past its due date, due soon when one is open and due within a week, in progress
    once anything was drafted or submitted, else not started. A milestone with no
    exercise (readings only) is done once its last due date has passed.
    `exercises` are (state, planned module, started) triples."""
    if not exercises:
        last_due = max((p.due_on for p in planned), default=None)
        if last_due is not None and last_due < today:
            return DONE
        return IN_PROGRESS if any(p.opens_on <= today for p in planned) else NOT_STARTED
    unfinished = [(state, p) for state, p, _s in exercises if state != EX_DONE]
    if not unfinished:
        return DONE
    if any(p.due_on < today for _state, p in unfinished):
        return OVERDUE
    soon = today + timedelta(days=DUE_SOON_DAYS)
    if any(p.opens_on <= today and p.due_on <= soon for _state, p in unfinished):
        return DUE_SOON
    if any(started for _state, _p, started in exercises):
        return IN_PROGRESS
    return NOT_STARTED


def _build(
    plan: Sequence[PlannedModule],
    refs_by_module: Mapping[int, Sequence[ExerciseRef]],
    versions: dict[int, list[tuple[int, str, float | None]]],
    drafted: set[int],
    today: date,
    content: Structure | None = None,
    language: str | None = None,
) -> list[MilestoneProgress]:
    """Each milestone's modules with their exercises' states, and its status. Titles
    are the curriculum's in `language` where it has them, else the plan's English ones."""
    milestones: dict[int, MilestoneProgress] = {}
    translated = content if content is not None and language and language != "en" else None
    for planned in plan:
        milestone = milestones.get(planned.milestone_id)
        if milestone is None:
            milestone = milestones[planned.milestone_id] = MilestoneProgress(
                planned.milestone_id,
                planned.milestone_position,
                (translated and translated.milestone_title(planned.milestone_id, language))
                or planned.milestone_title,
                "",
            )
        module = ModuleProgress(
            planned,
            (translated and translated.module_title(planned.module_id, language))
            or planned.module_title,
        )
        for ref in refs_by_module.get(planned.module_id, ()):
            rows = versions.get(ref.id)
            if not rows:  # most exercises of a cohort's year: nothing sent yet
                state = EX_DRAFT if ref.id in drafted else EX_TODO
                module.exercises.append(ExerciseProgress(ref, planned, state, 0, None))
                continue
            progress = ExerciseProgress(
                ref=ref,
                planned=planned,
                state=exercise_state(ref, rows, ref.id in drafted),
                versions=len(rows),
                best_score=max((s for _v, _st, s in rows if s is not None), default=None),
            )
            module.exercises.append(progress)
            module.done += progress.state == EX_DONE
        module.total = len(module.exercises)
        module.overdue = module.done < module.total and planned.due_on < today
        if module.overdue and (
            milestone.overdue_since is None or planned.due_on < milestone.overdue_since
        ):
            milestone.overdue_since = planned.due_on
            milestone.overdue_module = module.title
        milestone.modules.append(module)
        milestone.done += module.done
        milestone.total += module.total
        if milestone.due_on is None or planned.due_on > milestone.due_on:
            milestone.due_on = planned.due_on
    for milestone in milestones.values():
        milestone.status = milestone_status(
            [
                (e.state, e.planned, e.versions > 0 or e.state == EX_DRAFT)
                for m in milestone.modules
                for e in m.exercises
            ],
            [m.planned for m in milestone.modules],
            today,
        )
    return sorted(milestones.values(), key=lambda m: (m.position, m.milestone_id))


_NEXT_ORDER = {EX_RETURNED: 0, EX_RETRY: 1, EX_DRAFT: 1, EX_TODO: 1}


def _next_up(milestones: list[MilestoneProgress], today: date) -> ExerciseProgress | None:
    """Work sent back for revision first, then the open exercise due soonest."""
    candidates = [
        e
        for ms in milestones
        for m in ms.modules
        for e in m.exercises
        if e.state in _NEXT_ORDER and e.planned.opens_on <= today
    ]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda e: (
            _NEXT_ORDER[e.state],
            e.planned.due_on,
            e.planned.milestone_position,
            e.planned.module_position,
            e.ref.position,
        ),
    )


# --- one trainee ------------------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingConvening:
    title: str
    starts_on: date
    ends_on: date
    venue: str


@dataclass(frozen=True)
class AttendedConvening:
    """A convening whose attendance was taken for the trainee: days present of taken."""

    title: str
    present: int
    taken: int


def _tables() -> dict[str, Any]:
    return {
        "membership": Membership.__table__,  # type: ignore[attr-defined]
        "submission": Submission.__table__,  # type: ignore[attr-defined]
        "draft": Draft.__table__,  # type: ignore[attr-defined]
        "convening": Convening.__table__,  # type: ignore[attr-defined]
        "attendance": Attendance.__table__,  # type: ignore[attr-defined]
        "feedback": Feedback.__table__,  # type: ignore[attr-defined]
        "exercise": Exercise.__table__,  # type: ignore[attr-defined]
        "user": User.__table__,  # type: ignore[attr-defined]
    }


def _statements() -> dict[str, Any]:
    """The journey map's per-request queries, built once with bound parameters (building
    and caching a statement costs more than running it on a trainee's few rows)."""
    t = _tables()
    membership, submission, draft = t["membership"], t["submission"], t["draft"]
    convening, feedback, attendance = t["convening"], t["feedback"], t["attendance"]
    cohort: Any = bindparam("cohort_id")
    user: Any = bindparam("user_id")
    return {
        "circle": sa_select(membership.c.circle_id).where(
            membership.c.cohort_id == cohort,
            membership.c.user_id == user,
            membership.c.role == Role.TRAINEE.value,
        ),
        "submissions": sa_select(
            submission.c.exercise_id,
            submission.c.version,
            submission.c.status,
            submission.c.score,
        ).where(submission.c.cohort_id == cohort, submission.c.user_id == user),
        "drafts": sa_select(draft.c.exercise_id, draft.c.content).where(
            draft.c.cohort_id == cohort, draft.c.user_id == user
        ),
        # Every convening of the cohort (a handful) with the trainee's attendance: the
        # upcoming ones and the attended ones come from the same query.
        "convenings": sa_select(
            convening.c.title,
            convening.c.starts_on,
            convening.c.ends_on,
            convening.c.venue,
            sa_select(func.count())
            .where(
                attendance.c.convening_id == convening.c.id,
                attendance.c.user_id == user,
                attendance.c.present.is_(True),
            )
            .scalar_subquery(),
            sa_select(func.count())
            .where(attendance.c.convening_id == convening.c.id, attendance.c.user_id == user)
            .scalar_subquery(),
        )
        .where(convening.c.cohort_id == cohort)
        .order_by(convening.c.starts_on),
        "feedback": sa_select(
            feedback.c.submission_id,
            submission.c.exercise_id,
            t["exercise"].c.title,
            t["user"].c.display_name,
            feedback.c.decision,
            feedback.c.body,
            feedback.c.created_at,
        )
        .select_from(feedback)
        .join(submission, submission.c.id == feedback.c.submission_id)
        .join(t["exercise"], t["exercise"].c.id == submission.c.exercise_id)
        .join(t["user"], t["user"].c.id == feedback.c.author_id)
        .where(
            submission.c.cohort_id == cohort,
            submission.c.user_id == user,
            feedback.c.author_id != user,
            feedback.c.read_by_trainee_at.is_(None),
        )
        .order_by(feedback.c.created_at.desc(), feedback.c.id.desc())
        .limit(bindparam("limit")),
    }


_SQL = _statements()


def journey_for(
    session: Session,
    *,
    cohort_id: int,
    user_id: int,
    today: date | None = None,
    language: str | None = None,
    circle_id: int | None | str = "look up",
) -> Journey:
    """The trainee's journey map in six queries, whatever the cohort's size: their
    circle (unless given), their effective plan (with the newest curriculum version: the
    curriculum's structure and titles in `language` come from the in-process cache),
    their submissions and drafts, the coming convenings and unread feedback on their
    work.
    Raises ExerciseUnavailable when the user is not a trainee of the cohort. A caller
    that knows the trainee's circle (the trainee's own pages: their viewer has it)
    passes `circle_id` and saves the first query."""
    today = today or local_today()
    connection = session.connection()
    who = {"cohort_id": cohort_id, "user_id": user_id}
    circle: int | None
    if isinstance(circle_id, str):
        row = connection.execute(_SQL["circle"], who).first()
        if row is None:
            raise ExerciseUnavailable(_("This exercise is not part of your plan."))
        circle = row[0]
    else:
        circle = circle_id
    plan, content = plan_and_structure(session, cohort_id, circle)
    refs_by_module = {p.module_id: content.exercises_of(p.module_id) for p in plan if content}
    versions: dict[int, list[tuple[int, str, float | None]]] = defaultdict(list)
    for exercise_id, version, status, score in connection.execute(_SQL["submissions"], who):
        versions[exercise_id].append((version, status, score))
    drafted = {
        exercise_id
        for exercise_id, content_ in connection.execute(_SQL["drafts"], who)
        if _has_text(content_)
    }
    milestones = _build(plan, refs_by_module, versions, drafted, today, content, language)
    next_opening = min(
        (p for p in plan if p.opens_on > today), key=lambda p: p.opens_on, default=None
    )
    every = connection.execute(_SQL["convenings"], who).all()
    convenings = [UpcomingConvening(*row[:4]) for row in every if row[2] >= today][:3]
    attended = [AttendedConvening(row[0], row[4], row[5]) for row in every if row[5]]
    return Journey(
        milestones=milestones,
        next_up=_next_up(milestones, today),
        next_opening=next_opening,
        convenings=convenings,
        attended=attended,
        # Feedback is on submissions: a trainee who has sent nothing has none to read.
        feedback=unread_feedback(session, cohort_id=cohort_id, user_id=user_id) if versions else [],
        structure=content,
    )


def _has_text(content: Any) -> bool:
    if isinstance(content, str):
        return bool(content.strip())
    if isinstance(content, dict):
        return any(_has_text(v) for v in content.values())
    if isinstance(content, list):
        return any(_has_text(v) for v in content)
    return content is not None


def unread_feedback(
    session: Session, *, cohort_id: int, user_id: int, limit: int = 5
) -> list[NewFeedback]:
    """Comments by others on the trainee's submissions that they have not opened yet."""
    rows = session.connection().execute(
        _SQL["feedback"], {"cohort_id": cohort_id, "user_id": user_id, "limit": limit}
    )
    return [NewFeedback(*row) for row in rows]


# --- a whole cohort ---------------------------------------------------------------------


def completion_for_cohort(
    session: Session,
    cohort_id: int,
    today: date | None = None,
    plans: TraineePlans | None = None,
) -> dict[int, dict[int, str]]:
    """Each trainee's status on each milestone of their effective plan
    (`trainee_plans`; pass `plans` when already read) ({user_id: {milestone_id: status}}),
    by the same rules as the journey map, in four queries whatever the number of
    trainees."""
    today = today or local_today()
    plans = plans or trainee_plans(session, cohort_id)
    cohort_plan = plans.cohort_plan
    module_ids = {p.module_id for p in cohort_plan.default}
    for circle_plan in cohort_plan.by_circle.values():
        module_ids.update(p.module_id for p in circle_plan)
    content = plans.structure if module_ids else None
    refs_by_module = {m: content.exercises_of(m) for m in module_ids} if content else {}
    versions: dict[int, dict[int, list[tuple[int, str, float | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for user_id, exercise_id, version, status, score in session.execute(
        sa_select(
            col(Submission.user_id),
            col(Submission.exercise_id),
            col(Submission.version),
            col(Submission.status),
            col(Submission.score),
        ).where(col(Submission.cohort_id) == cohort_id)
    ).all():
        versions[user_id][exercise_id].append((version, status, score))
    drafted: dict[int, set[int]] = defaultdict(set)
    for user_id, exercise_id in session.execute(
        sa_select(col(Draft.user_id), col(Draft.exercise_id)).where(
            col(Draft.cohort_id) == cohort_id, col(Draft.revision) > 0
        )
    ).all():
        drafted[user_id].add(exercise_id)
    result: dict[int, dict[int, str]] = {}
    for user_id in plans.trainee_ids:
        plan = plans.of(user_id)
        milestones = _build(plan, refs_by_module, versions[user_id], drafted[user_id], today)
        result[user_id] = {m.milestone_id: m.status for m in milestones}
    return result


def milestone_statuses(
    session: Session, *, cohort_id: int, user_id: int, today: date | None = None
) -> dict[int, str]:
    """One trainee's {milestone_id: status}, by the rules of completion_for_cohort."""
    journey = journey_for(session, cohort_id=cohort_id, user_id=user_id, today=today)
    return {m.milestone_id: m.status for m in journey.milestones}
