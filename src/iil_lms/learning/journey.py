"""Where a trainee stands: each exercise's state, each milestone's status, the next thing
to do, and milestone completion for a whole cohort - all in a fixed number of queries,
whatever the cohort's size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Convening, Membership, Role
from iil_lms.curriculum.models import Exercise, Milestone, Module
from iil_lms.curriculum.plans import PlannedModule, effective_plan, plan_for_cohort
from iil_lms.db import utcnow
from iil_lms.learning.models import Draft, Feedback, Submission, SubmissionStatus
from iil_lms.learning.service import is_done, trainee_circle

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


@dataclass(frozen=True)
class ExerciseRef:
    id: int
    module_id: int
    position: int
    type: str
    title: str
    spec: dict[str, Any]


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
    exercises: list[ExerciseProgress] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for e in self.exercises if e.state == EX_DONE)

    @property
    def total(self) -> int:
        return len(self.exercises)


@dataclass
class MilestoneProgress:
    milestone_id: int
    position: int
    title: str
    status: str
    modules: list[ModuleProgress] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(m.done for m in self.modules)

    @property
    def total(self) -> int:
        return sum(m.total for m in self.modules)

    @property
    def due_on(self) -> date | None:
        return max((m.planned.due_on for m in self.modules), default=None)


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
    convenings: list[Convening]
    feedback: list[NewFeedback]
    # Titles in the reader's language where the curriculum has them, by id.
    module_titles: dict[int, str] = field(default_factory=dict)
    milestone_titles: dict[int, str] = field(default_factory=dict)

    def module_title(self, planned: PlannedModule) -> str:
        return self.module_titles.get(planned.module_id) or planned.module_title

    def milestone_title(self, milestone: MilestoneProgress) -> str:
        return self.milestone_titles.get(milestone.milestone_id) or milestone.title

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


def _exercise_refs(session: Session, module_ids: Iterable[int]) -> list[ExerciseRef]:
    ids = list(set(module_ids))
    if not ids:
        return []
    rows = session.execute(
        sa_select(
            col(Exercise.id),
            col(Exercise.module_id),
            col(Exercise.position),
            col(Exercise.type),
            col(Exercise.title),
            col(Exercise.spec),
        )
        .where(col(Exercise.module_id).in_(ids), col(Exercise.retired).is_(False))
        .order_by(col(Exercise.module_id), col(Exercise.position))
    ).all()
    return [ExerciseRef(r[0], r[1], r[2], r[3], r[4], r[5] or {}) for r in rows]


def _build(
    plan: Sequence[PlannedModule],
    refs_by_module: dict[int, list[ExerciseRef]],
    versions: dict[int, list[tuple[int, str, float | None]]],
    drafted: set[int],
    today: date,
) -> list[MilestoneProgress]:
    milestones: dict[int, MilestoneProgress] = {}
    for planned in plan:
        milestone = milestones.setdefault(
            planned.milestone_id,
            MilestoneProgress(
                planned.milestone_id, planned.milestone_position, planned.milestone_title, ""
            ),
        )
        module = ModuleProgress(planned)
        for ref in refs_by_module.get(planned.module_id, []):
            rows = versions.get(ref.id, [])
            module.exercises.append(
                ExerciseProgress(
                    ref=ref,
                    planned=planned,
                    state=exercise_state(ref, rows, ref.id in drafted),
                    versions=len(rows),
                    best_score=max((s for _v, _st, s in rows if s is not None), default=None),
                )
            )
        milestone.modules.append(module)
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


def journey_for(
    session: Session,
    *,
    cohort_id: int,
    user_id: int,
    today: date | None = None,
    language: str | None = None,
) -> Journey:
    """The trainee's journey map in eight queries, whatever the cohort's size: their
    circle, their effective plan, its exercises, their submissions and drafts, the
    coming convenings, unread feedback on their work, and the titles in `language`."""
    today = today or utcnow().date()
    circle_id = trainee_circle(session, cohort_id, user_id)
    plan = effective_plan(session, cohort_id, circle_id)
    refs = _exercise_refs(session, (p.module_id for p in plan))
    refs_by_module: dict[int, list[ExerciseRef]] = defaultdict(list)
    for ref in refs:
        refs_by_module[ref.module_id].append(ref)
    versions: dict[int, list[tuple[int, str, float | None]]] = defaultdict(list)
    for exercise_id, version, status, score in session.execute(
        sa_select(
            col(Submission.exercise_id),
            col(Submission.version),
            col(Submission.status),
            col(Submission.score),
        ).where(col(Submission.cohort_id) == cohort_id, col(Submission.user_id) == user_id)
    ).all():
        versions[exercise_id].append((version, status, score))
    drafted = {
        exercise_id
        for exercise_id, content in session.execute(
            sa_select(col(Draft.exercise_id), col(Draft.content)).where(
                col(Draft.cohort_id) == cohort_id, col(Draft.user_id) == user_id
            )
        ).all()
        if _has_text(content)
    }
    milestones = _build(plan, refs_by_module, versions, drafted, today)
    next_opening = min(
        (p for p in plan if p.opens_on > today), key=lambda p: p.opens_on, default=None
    )
    convenings = list(
        session.exec(
            select(Convening)
            .where(Convening.cohort_id == cohort_id, Convening.ends_on >= today)
            .order_by(col(Convening.starts_on))
            .limit(3)
        ).all()
    )
    return Journey(
        milestones=milestones,
        next_up=_next_up(milestones, today),
        next_opening=next_opening,
        convenings=convenings,
        feedback=unread_feedback(session, cohort_id=cohort_id, user_id=user_id),
        **_translated_titles(session, [p.module_id for p in plan], language),
    )


def _translated_titles(
    session: Session, module_ids: list[int], language: str | None
) -> dict[str, dict[int, str]]:
    if not module_ids or not language or language == "en":
        return {"module_titles": {}, "milestone_titles": {}}
    rows = session.execute(
        sa_select(
            col(Module.id),
            col(Module.title_translations),
            col(Milestone.id),
            col(Milestone.title_translations),
        )
        .join(Milestone, col(Milestone.id) == Module.milestone_id)
        .where(col(Module.id).in_(module_ids))
    ).all()
    modules = {m_id: (mt or {}).get(language) for m_id, mt, _ms, _mst in rows}
    milestones = {ms_id: (mst or {}).get(language) for _m, _mt, ms_id, mst in rows}
    return {
        "module_titles": {k: v for k, v in modules.items() if v},
        "milestone_titles": {k: v for k, v in milestones.items() if v},
    }


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
    rows = session.execute(
        sa_select(
            col(Feedback.submission_id),
            col(Submission.exercise_id),
            col(Exercise.title),
            col(User.display_name),
            col(Feedback.decision),
            col(Feedback.body),
            col(Feedback.created_at),
        )
        .join(Submission, col(Submission.id) == Feedback.submission_id)
        .join(Exercise, col(Exercise.id) == Submission.exercise_id)
        .join(User, col(User.id) == Feedback.author_id)
        .where(
            col(Submission.cohort_id) == cohort_id,
            col(Submission.user_id) == user_id,
            col(Feedback.author_id) != user_id,
            col(Feedback.read_by_trainee_at).is_(None),
        )
        .order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
        .limit(limit)
    ).all()
    return [NewFeedback(*row) for row in rows]


# --- a whole cohort ---------------------------------------------------------------------


def completion_for_cohort(
    session: Session, cohort_id: int, today: date | None = None
) -> dict[int, dict[int, str]]:
    """Each trainee's status on each milestone of their effective plan
    ({user_id: {milestone_id: status}}), by the same rules as the journey map, in six
    queries whatever the number of trainees."""
    today = today or utcnow().date()
    cohort_plan = plan_for_cohort(session, cohort_id)
    trainees = session.execute(
        sa_select(col(Membership.user_id), col(Membership.circle_id)).where(
            col(Membership.cohort_id) == cohort_id, col(Membership.role) == Role.TRAINEE.value
        )
    ).all()
    module_ids = {p.module_id for p in cohort_plan.default}
    for circle_plan in cohort_plan.by_circle.values():
        module_ids.update(p.module_id for p in circle_plan)
    refs_by_module: dict[int, list[ExerciseRef]] = defaultdict(list)
    for ref in _exercise_refs(session, module_ids):
        refs_by_module[ref.module_id].append(ref)
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
    for user_id, circle_id in trainees:
        plan = (
            cohort_plan.by_circle.get(circle_id, cohort_plan.default)
            if circle_id
            else cohort_plan.default
        )
        milestones = _build(plan, refs_by_module, versions[user_id], drafted[user_id], today)
        result[user_id] = {m.milestone_id: m.status for m in milestones}
    return result


def milestone_statuses(
    session: Session, *, cohort_id: int, user_id: int, today: date | None = None
) -> dict[int, str]:
    """One trainee's {milestone_id: status}, by the rules of completion_for_cohort."""
    journey = journey_for(session, cohort_id=cohort_id, user_id=user_id, today=today)
    return {m.milestone_id: m.status for m in journey.milestones}
