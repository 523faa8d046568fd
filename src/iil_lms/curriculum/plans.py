"""Cohort plans: which modules a cohort takes and when, generated from a time-frame
template and then adapted by trainers. A plan only points at modules; the curriculum is
never copied or changed by it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, select

from iil_lms.audit.service import record
from iil_lms.cohorts.models import Cohort, Convening, LearningCircle, Membership, Role
from iil_lms.cohorts.service import cohort_circles
from iil_lms.curriculum.models import CurriculumVersion, Milestone, Module, PlanItem
from iil_lms.curriculum.service import CurriculumError, latest_version
from iil_lms.curriculum.structure import Structure, latest_version_column, structure
from iil_lms.curriculum.timeframes import (
    ACADEMY_YEAR,
    DEFAULT_BREAKS,
    TIMEFRAMES,
    ModuleRef,
    academy_year_slots,
    add_months,
    quarterly_slots,
)
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today


@dataclass(frozen=True)
class PlannedModule:
    module_id: int
    module_slug: str
    module_title: str
    module_position: int
    milestone_id: int
    milestone_position: int
    milestone_title: str
    opens_on: date
    due_on: date
    overridden: bool = False


@dataclass
class CohortPlan:
    """The cohort-wide plan and each circle's view of it."""

    default: list[PlannedModule]
    by_circle: dict[int, list[PlannedModule]] = field(default_factory=dict)

    def for_circle(self, circle_id: int | None) -> list[PlannedModule]:
        if circle_id is None:
            return self.default
        return self.by_circle.get(circle_id, self.default)


# --- reading the plan --------------------------------------------------------------


# (module_id, circle_id, opens_on, due_on, removed) of a cohort's plan items.
PlanRow = tuple[int, int | None, date, date, bool]


def _plan_query() -> Any:
    items = PlanItem.__table__  # type: ignore[attr-defined]
    return sa_select(
        items.c.module_id,
        items.c.circle_id,
        items.c.opens_on,
        items.c.due_on,
        items.c.removed,
        latest_version_column(),
    ).where(items.c.cohort_id == bindparam("cohort_id"))


# Built once: building a statement costs more than running it on a plan's few rows.
_PLAN_QUERY = _plan_query()


def _plan_rows(
    session: Session, cohort_id: int, circle_id: int | None = None
) -> tuple[list[PlanRow], Structure | None]:
    """The cohort's plan items as plain columns: the cohort-wide rows and, when
    `circle_id` is given, that circle's overrides (every circle's when it is -1); with
    the curriculum structure they point at (None when the cohort has no plan). One
    query while the structure is cached: the rows carry the newest version id."""
    rows = session.connection().execute(_PLAN_QUERY, {"cohort_id": cohort_id}).all()
    if not rows:
        return [], None
    content = structure(session, rows[0][5])
    return [
        (r[0], r[1], r[2], r[3], bool(r[4]))
        for r in rows
        if r[1] is None or circle_id == -1 or r[1] == circle_id
    ], content


def plan_and_structure(
    session: Session, cohort_id: int, circle_id: int | None
) -> tuple[list[PlannedModule], Structure | None]:
    """effective_plan with the curriculum structure it was resolved against."""
    rows, content = _plan_rows(session, cohort_id, circle_id)
    if content is None:
        return [], None
    return _resolve(rows, circle_id, content), content


def _resolve(
    rows: Sequence[PlanRow], circle_id: int | None, content: Structure
) -> list[PlannedModule]:
    base = {row[0]: row for row in rows if row[1] is None}
    overrides = {row[0]: row for row in rows if circle_id and row[1] == circle_id}
    result = []
    for module_id, item in base.items():
        module = content.modules.get(module_id)
        if item[4] or module is None or module.retired:
            continue
        override = overrides.get(module_id)
        if override is not None and override[4]:
            continue
        chosen = override or item
        milestone = content.milestones[module.milestone_id]
        result.append(
            PlannedModule(
                module_id=module_id,
                module_slug=module.slug,
                module_title=module.title,
                module_position=module.position,
                milestone_id=milestone.id,
                milestone_position=milestone.position,
                milestone_title=milestone.title,
                opens_on=chosen[2],
                due_on=chosen[3],
                overridden=override is not None,
            )
        )
    result.sort(key=lambda p: (p.milestone_position, p.module_position, p.module_id))
    return result


def effective_plan(session: Session, cohort_id: int, circle_id: int | None) -> list[PlannedModule]:
    """The plan a trainee of `circle_id` follows: every planned module in milestone
    order with that circle's dates where a trainer set them; modules dropped from the
    plan (or retired from the curriculum) left out. One query while the curriculum
    structure is cached."""
    return plan_and_structure(session, cohort_id, circle_id)[0]


def plan_for_cohort(session: Session, cohort_id: int) -> CohortPlan:
    """The cohort-wide plan and each circle's effective plan (two queries while the
    curriculum structure is cached)."""
    rows, content = _plan_rows(session, cohort_id, -1)
    if content is None:
        return CohortPlan(default=[])
    circle_ids = session.exec(
        select(LearningCircle.id).where(LearningCircle.cohort_id == cohort_id)
    ).all()
    return CohortPlan(
        default=_resolve(rows, None, content),
        by_circle={c: _resolve(rows, c, content) for c in circle_ids if c is not None},
    )


@dataclass
class TraineePlans:
    """Trainees' effective plans: each trainee follows their learning circle's view of
    the cohort plan (`CohortPlan.for_circle`)."""

    cohort_plan: CohortPlan
    circle_of: dict[int, int | None]
    structure: Structure | None = None

    def of(self, trainee_id: int) -> list[PlannedModule]:
        return self.cohort_plan.for_circle(self.circle_of.get(trainee_id))

    @property
    def trainee_ids(self) -> list[int]:
        return list(self.circle_of)


_MEMBERSHIP: Any = Membership.__table__  # type: ignore[attr-defined]
_TRAINEE_CIRCLES = sa_select(_MEMBERSHIP.c.user_id, _MEMBERSHIP.c.circle_id).where(
    _MEMBERSHIP.c.cohort_id == bindparam("cohort_id"),
    _MEMBERSHIP.c.role == Role.TRAINEE.value,
)
_SOME_TRAINEE_CIRCLES = _TRAINEE_CIRCLES.where(
    _MEMBERSHIP.c.user_id.in_(bindparam("user_ids", expanding=True))
)


def trainee_plans(
    session: Session, cohort_id: int, trainee_ids: Iterable[int] | None = None
) -> TraineePlans:
    """The one rule for what is planned for trainees: every trainee of the cohort (or
    those of `trainee_ids` who are trainees in it) with their effective plan
    (`effective_plan` for their circle: cohort-wide rows, the circle's date overrides
    and removals, retired modules left out). Two queries while the curriculum structure
    is cached, whatever the number of trainees."""
    rows, content = _plan_rows(session, cohort_id, -1)
    if trainee_ids is None:
        found = session.connection().execute(_TRAINEE_CIRCLES, {"cohort_id": cohort_id})
    else:
        found = session.connection().execute(
            _SOME_TRAINEE_CIRCLES, {"cohort_id": cohort_id, "user_ids": list(trainee_ids)}
        )
    circle_of = {int(user_id): circle_id for user_id, circle_id in found}
    if content is None:
        return TraineePlans(CohortPlan(default=[]), circle_of)
    circles = {c for c in circle_of.values() if c is not None}
    return TraineePlans(
        CohortPlan(
            default=_resolve(rows, None, content),
            by_circle={c: _resolve(rows, c, content) for c in circles},
        ),
        circle_of,
        content,
    )


def trainee_plan(session: Session, cohort_id: int, trainee_id: int) -> list[PlannedModule]:
    """One trainee's effective plan, by `trainee_plans`' rule (empty when they are not a
    trainee of the cohort)."""
    plans = trainee_plans(session, cohort_id, [trainee_id])
    return plans.of(trainee_id) if trainee_id in plans.circle_of else []


def has_plan(session: Session, cohort_id: int) -> bool:
    return (
        session.exec(select(PlanItem.id).where(PlanItem.cohort_id == cohort_id).limit(1)).first()
        is not None
    )


# --- writing the plan --------------------------------------------------------------


def _curriculum_modules(session: Session, curriculum_id: int) -> list[ModuleRef]:
    rows = session.exec(
        select(Module.id, Milestone.position, Module.slug)
        .join(Milestone, col(Milestone.id) == Module.milestone_id)
        .where(
            Module.curriculum_id == curriculum_id,
            col(Module.retired).is_(False),
            col(Milestone.retired).is_(False),
        )
        .order_by(col(Milestone.position), col(Module.position))
    ).all()
    positions = sorted({p for _id, p, _slug in rows})
    index = {p: i for i, p in enumerate(positions)}
    return [ModuleRef(m_id or 0, index[p], slug) for m_id, p, slug in rows]


def _opened_modules(session: Session, cohort_id: int, today: date) -> set[int]:
    """Modules of the cohort's plan opened on or before today."""
    return set(
        session.exec(
            select(PlanItem.module_id).where(
                PlanItem.cohort_id == cohort_id, col(PlanItem.opens_on) <= today
            )
        ).all()
    )


def generate_plan(
    session: Session,
    cohort: Cohort,
    timeframe: str,
    *,
    curriculum_id: int | None = None,
    breaks: Iterable[tuple[date, date]] | None = None,
    replace: bool = False,
    worked_modules: Collection[int] = (),
    today: date | None = None,
    actor_id: int | None = None,
) -> list[PlanItem]:
    """Schedule every current module of the cohort's curriculum by a time-frame template.
    A cohort without a curriculum takes `curriculum_id`'s latest version. A cohort that
    has a plan keeps it unless `replace`: then the cohort-wide dates of modules not yet
    started (not opened before `today`, not among `worked_modules`: those with a draft or
    submission, which learning's `modules_with_work` tells) are regenerated, started
    ones and circle overrides stay as they are."""
    if timeframe not in TIMEFRAMES:
        raise CurriculumError(_("Choose a time-frame: academy year or quarterly convenings."))
    today = today or local_today()
    if cohort.curriculum_version_id is None:
        if curriculum_id is None:
            raise CurriculumError(_("Choose the curriculum this cohort follows."))
        version = latest_version(session, curriculum_id)
        if version is None:
            raise CurriculumError(_("That curriculum has not been loaded."))
        cohort.curriculum_version_id = version.id
    version_row = session.get(CurriculumVersion, cohort.curriculum_version_id)
    assert version_row is not None
    modules = _curriculum_modules(session, version_row.curriculum_id)
    if not modules:
        raise CurriculumError(_("The curriculum has no modules to plan."))
    existing = {
        item.module_id: item
        for item in session.exec(
            select(PlanItem).where(
                PlanItem.cohort_id == cohort.id, col(PlanItem.circle_id).is_(None)
            )
        )
    }
    if existing and not replace:
        raise CurriculumError(
            _("This cohort already has a plan. Change its dates, or replace it on purpose.")
        )
    if timeframe == ACADEMY_YEAR:
        slots = academy_year_slots(
            modules, cohort.starts_on, cohort.ends_on, DEFAULT_BREAKS if breaks is None else breaks
        )
    else:
        convenings = session.exec(
            select(col(Convening.starts_on), col(Convening.ends_on)).where(
                Convening.cohort_id == cohort.id
            )
        ).all()
        slots = quarterly_slots(
            modules, cohort.starts_on, cohort.ends_on, [(s, e) for s, e in convenings]
        )
    started = (
        _opened_modules(session, cohort.id or 0, today) | set(worked_modules) if existing else set()
    )
    before = {m: [i.opens_on, i.due_on, i.removed] for m, i in existing.items()} or None
    cohort.timeframe = timeframe
    session.add(cohort)
    items = []
    for slot in slots:
        item = existing.get(slot.module_id)
        if item is not None and slot.module_id in started:
            items.append(item)
            continue
        if item is None:
            item = PlanItem(
                cohort_id=cohort.id or 0,
                module_id=slot.module_id,
                opens_on=slot.opens_on,
                due_on=slot.due_on,
            )
        item.opens_on, item.due_on, item.removed = slot.opens_on, slot.due_on, False
        session.add(item)
        items.append(item)
    after = {i.module_id: [i.opens_on, i.due_on, i.removed] for i in items}
    record(session, actor_id, "plan.generate", f"cohort:{cohort.id}", before, after)
    session.flush()
    return items


def _check_dates(cohort: Cohort, opens_on: date | None, due_on: date | None) -> tuple[date, date]:
    if opens_on is None or due_on is None:
        raise CurriculumError(_("Give both an opening date and a due date."))
    if due_on < opens_on:
        raise CurriculumError(_("The due date cannot be before the opening date."))
    if opens_on < cohort.starts_on or due_on > cohort.ends_on:
        raise CurriculumError(
            _(
                "Dates must fall within the cohort (%(start)s to %(end)s).",
                start=cohort.starts_on.isoformat(),
                end=cohort.ends_on.isoformat(),
            )
        )
    return opens_on, due_on


def _cohort_item(session: Session, cohort: Cohort, module_id: int) -> PlanItem:
    item = session.exec(
        select(PlanItem).where(
            PlanItem.cohort_id == cohort.id,
            PlanItem.module_id == module_id,
            col(PlanItem.circle_id).is_(None),
        )
    ).first()
    if item is None:
        raise CurriculumError(_("That module is not in this cohort's plan."))
    return item


def _cohort_module(session: Session, cohort: Cohort, module_id: int) -> Module:
    version = (
        session.get(CurriculumVersion, cohort.curriculum_version_id)
        if cohort.curriculum_version_id
        else None
    )
    module = session.get(Module, module_id)
    if module is None or version is None or module.curriculum_id != version.curriculum_id:
        raise CurriculumError(_("That module is not part of this cohort's curriculum."))
    if module.retired:
        raise CurriculumError(_("That module has been retired from the curriculum."))
    return module


def _circle_override(
    session: Session, cohort: Cohort, module_id: int, circle_id: int, opens: date, due: date
) -> PlanItem:
    """The learning circle's override row of a module, or a new one (not yet added) with
    the given dates; the circle must belong to the cohort."""
    circle = session.get(LearningCircle, circle_id)
    if circle is None or circle.cohort_id != cohort.id:
        raise CurriculumError(_("Choose a learning circle of this cohort."))
    return session.exec(
        select(PlanItem).where(
            PlanItem.cohort_id == cohort.id,
            PlanItem.module_id == module_id,
            PlanItem.circle_id == circle_id,
        )
    ).first() or PlanItem(
        cohort_id=cohort.id or 0,
        module_id=module_id,
        circle_id=circle_id,
        opens_on=opens,
        due_on=due,
    )


def set_dates(
    session: Session,
    cohort: Cohort,
    module_id: int,
    opens_on: date | None,
    due_on: date | None,
    circle_id: int | None = None,
    actor_id: int | None = None,
) -> PlanItem:
    """Move a planned module's dates, for the whole cohort or (with circle_id) as that
    learning circle's override. Due not before opens; both inside the cohort."""
    item = _cohort_item(session, cohort, module_id)
    opens, due = _check_dates(cohort, opens_on, due_on)
    subject = f"cohort:{cohort.id} module:{module_id} circle:{circle_id or '-'}"
    if circle_id is None:
        before = {"opens_on": item.opens_on, "due_on": item.due_on}
        item.opens_on, item.due_on = opens, due
        session.add(item)
        record(session, actor_id, "plan.dates", subject, before, {"opens_on": opens, "due_on": due})
        session.flush()
        return item
    override = _circle_override(session, cohort, module_id, circle_id, opens, due)
    before = {"opens_on": override.opens_on, "due_on": override.due_on}
    record(session, actor_id, "plan.dates", subject, before, {"opens_on": opens, "due_on": due})
    override.opens_on, override.due_on = opens, due
    session.add(override)
    session.flush()
    return override


def clear_circle_dates(
    session: Session, cohort: Cohort, module_id: int, circle_id: int, actor_id: int | None = None
) -> None:
    """A circle goes back to the cohort-wide dates of a module."""
    subject = f"cohort:{cohort.id} module:{module_id} circle:{circle_id}"
    record(session, actor_id, "plan.circle_dates_cleared", subject)
    session.exec(
        delete(PlanItem).where(
            col(PlanItem.cohort_id) == cohort.id,
            col(PlanItem.module_id) == module_id,
            col(PlanItem.circle_id) == circle_id,
        )
    )
    session.flush()


def set_removed(
    session: Session,
    cohort: Cohort,
    module_id: int,
    removed: bool,
    circle_id: int | None = None,
    actor_id: int | None = None,
) -> PlanItem:
    """Drop a module from the cohort's plan, or bring it back with its dates; with
    circle_id, for that learning circle only (its override row, holding the cohort's
    dates when it had none). Rows stay, so trainees' work on a dropped module stays
    readable."""
    item = _cohort_item(session, cohort, module_id)
    if not removed:
        _cohort_module(session, cohort, module_id)
    if circle_id is not None:
        item = _circle_override(session, cohort, module_id, circle_id, item.opens_on, item.due_on)
    subject = f"cohort:{cohort.id} module:{module_id} circle:{circle_id or '-'}"
    action = "plan.drop" if removed else "plan.restore"
    record(session, actor_id, action, subject, {"removed": item.removed}, {"removed": removed})
    item.removed = removed
    session.add(item)
    session.flush()
    return item


def add_module(
    session: Session,
    cohort: Cohort,
    module_id: int,
    opens_on: date | None,
    due_on: date | None,
    actor_id: int | None = None,
) -> PlanItem:
    """Put a module of the cohort's curriculum that is not planned (e.g. added to the
    curriculum later) into the plan with the given dates; a dropped one comes back."""
    _cohort_module(session, cohort, module_id)
    opens, due = _check_dates(cohort, opens_on, due_on)
    item = session.exec(
        select(PlanItem).where(
            PlanItem.cohort_id == cohort.id,
            PlanItem.module_id == module_id,
            col(PlanItem.circle_id).is_(None),
        )
    ).first() or PlanItem(cohort_id=cohort.id or 0, module_id=module_id, opens_on=opens, due_on=due)
    before = None if item.id is None else [item.opens_on, item.due_on, item.removed]
    item.opens_on, item.due_on, item.removed = opens, due, False
    session.add(item)
    subject = f"cohort:{cohort.id} module:{module_id}"
    record(session, actor_id, "plan.add", subject, before, [opens, due, False])
    session.flush()
    return item


@dataclass
class EditorRow:
    module: Module
    item: PlanItem
    overrides: list[PlanItem]


@dataclass
class EditorMilestone:
    milestone: Milestone
    rows: list[EditorRow]


@dataclass
class PlanEditor:
    milestones: list[EditorMilestone]
    unplanned: list[Module]
    circles: list[LearningCircle]
    months: list[tuple[date, date]]  # (first day, last day) of each month of the cohort


def editor_view(session: Session, cohort: Cohort) -> PlanEditor:
    """Everything the plan editor shows, in four queries."""
    circles = cohort_circles(session, cohort.id or 0)
    months = []
    month = cohort.starts_on.replace(day=1)
    while month <= cohort.ends_on:
        following = add_months(month, 1)
        months.append((month, following - timedelta(days=1)))
        month = following
    if cohort.curriculum_version_id is None:
        return PlanEditor([], [], circles, months)
    version = session.get(CurriculumVersion, cohort.curriculum_version_id)
    assert version is not None
    rows = session.exec(
        select(Module, Milestone)
        .join(Milestone, col(Milestone.id) == Module.milestone_id)
        .where(Module.curriculum_id == version.curriculum_id, col(Module.retired).is_(False))
        .order_by(col(Milestone.position), col(Module.position))
    ).all()
    items = list(session.exec(select(PlanItem).where(PlanItem.cohort_id == cohort.id)))
    base = {i.module_id: i for i in items if i.circle_id is None}
    overrides: dict[int, list[PlanItem]] = {}
    for item in items:
        if item.circle_id is not None:
            overrides.setdefault(item.module_id, []).append(item)
    milestones: dict[int, EditorMilestone] = {}
    unplanned: list[Module] = []
    for module, milestone in rows:
        planned = base.get(module.id or 0)
        if planned is None:
            unplanned.append(module)
            continue
        node = milestones.setdefault(milestone.id or 0, EditorMilestone(milestone, []))
        node.rows.append(EditorRow(module, planned, overrides.get(module.id or 0, [])))
    return PlanEditor(list(milestones.values()), unplanned, circles, months)


def editor_row(session: Session, cohort: Cohort, module_id: int) -> EditorRow:
    """One row of the editor, for the fragment htmx swaps in after a save."""
    module = session.get(Module, module_id)
    if module is None:
        raise CurriculumError(_("That module is not in this cohort's plan."))
    items = list(
        session.exec(
            select(PlanItem).where(PlanItem.cohort_id == cohort.id, PlanItem.module_id == module_id)
        )
    )
    base = next((i for i in items if i.circle_id is None), None)
    if base is None:
        raise CurriculumError(_("That module is not in this cohort's plan."))
    return EditorRow(module, base, [i for i in items if i.circle_id is not None])
