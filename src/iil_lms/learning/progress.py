"""The trainer's cohort progress at a glance: one row per trainee (circle, mentor, and each
milestone's status with the exercises done of those assigned), filtered by circle and by
whether a trainee is behind, sorted, summed per milestone, and written as CSV - all in a
fixed number of queries, whatever the cohort's size."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, true
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from iil_lms.accounts.models import User
from iil_lms.cohorts.convenings import AttendanceTotals, attendance_by_user
from iil_lms.cohorts.models import (
    AtRiskSetting,
    Attendance,
    Convening,
    LearningCircle,
    Membership,
    Role,
)
from iil_lms.curriculum.models import CurriculumVersion, PlanItem
from iil_lms.curriculum.plans import PlannedModule, trainee_plans
from iil_lms.curriculum.structure import ExerciseRef, Structure
from iil_lms.db import as_utc
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.learning.answers import is_done
from iil_lms.learning.journey import (
    DONE,
    DUE_SOON,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    completion_for_cohort,
)
from iil_lms.learning.models import Draft, Submission
from iil_lms.mentoring.models import MentorAssignment

# Filters on a trainee's statuses.
BEHIND = "behind"  # at least one milestone overdue
ON_TRACK = "on_track"  # nothing overdue
FINISHED = "finished"  # every milestone of their plan done
AT_RISK = "at_risk"  # behind by more than the cohort's days, or idle too long
STATUS_FILTERS = (BEHIND, ON_TRACK, FINISHED, AT_RISK)

# Filters on convening attendance: missed at least one day taken, or every day present.
MISSED = "missed"
FULL = "full"
ATTENDANCE_FILTERS = (MISSED, FULL)

# Sort orders; "progress" puts the trainees who most need a nudge first.
SORTS = ("name", "circle", "mentor", "progress")

# The circle filter's value for trainees who are in no circle.
NO_CIRCLE = "none"
# A circle id as the filter gives it: ASCII digits within 64 bits.
CIRCLE_ID = re.compile(r"[0-9]{1,18}")

# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def status_labels() -> dict[str, str]:
    """The milestone status words, in the reader's language (the journey map's words)."""
    return {
        DONE: _("Done"),
        OVERDUE: _("Overdue"),
        DUE_SOON: _("Due soon"),
        IN_PROGRESS: _("In progress"),
        NOT_STARTED: _("Not started"),
    }


@dataclass(frozen=True)
class MilestoneCell:
    """A trainee's standing on one milestone; status None: not in their plan."""

    status: str | None
    done: int
    total: int


@dataclass(frozen=True)
class TraineeRow:
    user_id: int
    name: str
    email: str
    circle_id: int | None
    circle_name: str | None
    mentor_name: str | None
    cells: tuple[MilestoneCell, ...]
    withdrawn: bool = False
    attendance: AttendanceTotals = AttendanceTotals(0, 0)
    days_behind: int = 0  # since the earliest due date of an overdue milestone
    idle_days: int = 0  # since their last submission or saved draft (or enrolment)
    at_risk: bool = False

    @property
    def behind(self) -> bool:
        return any(c.status == OVERDUE for c in self.cells)

    @property
    def overdue(self) -> int:
        return sum(1 for c in self.cells if c.status == OVERDUE)

    @property
    def finished(self) -> bool:
        planned = [c for c in self.cells if c.status is not None]
        return bool(planned) and all(c.status == DONE for c in planned)

    @property
    def done(self) -> int:
        return sum(c.done for c in self.cells)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.cells)


@dataclass(frozen=True)
class MilestoneColumn:
    """A milestone of the plan, with how the trainees shown stand on it."""

    milestone_id: int
    position: int
    title: str
    done: int
    overdue: int
    planned_for: int  # trainees shown who have this milestone in their plan


@dataclass(frozen=True)
class ProgressReport:
    cohort_id: int
    has_plan: bool
    trainee_count: int  # every trainee of the cohort, before the filters
    circles: list[tuple[int, str]]
    milestones: list[MilestoneColumn]
    rows: list[TraineeRow]  # the trainees shown: filtered and sorted
    circle: str  # the filters as applied ("" when none)
    status: str
    sort: str
    attendance: str = ""
    show_withdrawn: bool = False
    withdrawn_count: int = 0

    at_risk_behind_days: int = 14
    at_risk_idle_days: int = 21

    @property
    def behind(self) -> int:
        return sum(1 for r in self.rows if r.behind)

    @property
    def at_risk(self) -> int:
        return sum(1 for r in self.rows if r.at_risk)

    @property
    def finished(self) -> int:
        return sum(1 for r in self.rows if r.finished)

    @property
    def done(self) -> int:
        return sum(r.done for r in self.rows)

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def filtered(self) -> bool:
        return bool(self.circle or self.status or self.attendance or self.show_withdrawn)


def clean_filters(circle: str | None, status: str | None, sort: str | None) -> tuple[str, str, str]:
    """Unknown filter values are ignored rather than refused: the page is a view, and a
    stale bookmark should still open."""
    circle = (circle or "").strip()
    if circle != NO_CIRCLE and not CIRCLE_ID.fullmatch(circle):
        circle = ""
    return (
        circle,
        status if status in STATUS_FILTERS else "",
        sort if sort in SORTS else "name",
    )


def cohort_progress(
    session: Session,
    cohort_id: int,
    *,
    circle: str | None = None,
    status: str | None = None,
    sort: str | None = None,
    today: date | None = None,
    language: str | None = None,
    attendance: str | None = None,
    show_withdrawn: bool = False,
) -> ProgressReport:
    """Every trainee's milestone statuses by the journey map's own rules
    (`completion_for_cohort`), with the exercises done (`learning.answers.is_done`) of
    those their plan assigns, their circle and current mentor; then the circle and status
    filters, the sort, and per-milestone counts over the trainees shown. A fixed number
    of queries whatever the number of trainees. Withdrawn trainees are left out unless
    `show_withdrawn`; `attendance` keeps those who missed a convening day, or those
    present every day taken."""
    today = today or local_today()
    circle, status, sort = clean_filters(circle, status, sort)
    attendance = attendance if attendance in ATTENDANCE_FILTERS else ""
    trainees = trainee_plans(session, cohort_id)
    statuses = completion_for_cohort(session, cohort_id, today, trainees)
    cohort_plan = trainees.cohort_plan
    plans = [cohort_plan.default, *cohort_plan.by_circle.values()]
    has_plan = any(plans)
    content = trainees.structure if has_plan else None
    columns = _milestone_columns(plans)
    circles = [
        (int(r[0]), str(r[1]))
        for r in session.execute(
            sa_select(col(LearningCircle.id), col(LearningCircle.name))
            .where(col(LearningCircle.cohort_id) == cohort_id)
            .order_by(col(LearningCircle.name), col(LearningCircle.id))
        ).all()
    ]
    if CIRCLE_ID.fullmatch(circle) and int(circle) not in {c for c, _name in circles}:
        circle = ""  # another cohort's circle, or one that is gone
    roster = _roster(session, cohort_id)
    thresholds = at_risk_thresholds(session, cohort_id)
    behind_days, idle_limit = thresholds.behind_days, thresholds.idle_days
    last_active = _last_activity(session, cohort_id)
    attended = attendance_by_user(session, cohort_id)
    no_attendance = AttendanceTotals(0, 0)
    attempts = _attempts(session, cohort_id) if has_plan else {}
    # Each circle with its own dates shares the exercises of its plan across its members.
    exercises_by_plan: dict[int | None, dict[int, list[ExerciseRef]]] = {}
    dues_by_plan: dict[int | None, dict[int, date]] = {}

    rows: list[TraineeRow] = []
    for user_id, name, email, circle_id, circle_name, mentor_name, withdrawn in roster:
        plan_key = trainees.circle_of.get(user_id)
        by_milestone = exercises_by_plan.get(plan_key)
        if by_milestone is None:
            by_milestone = _exercises_by_milestone(trainees.of(user_id), content)
            exercises_by_plan[plan_key] = by_milestone
        mine = statuses.get(user_id, {})
        cells = [
            _cell(mine.get(m_id), by_milestone.get(m_id, []), attempts.get(user_id, {}))
            for m_id, _position, _title in columns
        ]
        due_dates = dues_by_plan.get(plan_key)
        if due_dates is None:
            due_dates = _past_due_dates(cohort_plan.for_circle(plan_key), today)
            dues_by_plan[plan_key] = due_dates
        days_behind = max(
            (
                (today - due_dates[m_id]).days
                for m_id, _position, _title in columns
                if mine.get(m_id) == OVERDUE and m_id in due_dates
            ),
            default=0,
        )
        idle = max((today - last_active[user_id]).days, 0) if user_id in last_active else 0
        rows.append(
            TraineeRow(
                user_id,
                name,
                email,
                circle_id,
                circle_name,
                mentor_name,
                tuple(cells),
                withdrawn,
                attended.get(user_id, no_attendance),
                days_behind,
                idle,
                at_risk(days_behind, idle, behind_days=behind_days, idle_days=idle_limit),
            )
        )
    withdrawn_count = sum(1 for r in rows if r.withdrawn)
    if not show_withdrawn:
        rows = [r for r in rows if not r.withdrawn]
    trainee_count = len(rows)
    shown = _sorted(
        [r for r in rows if _matches(r, circle, status) and _attended(r, attendance)], sort
    )
    return ProgressReport(
        cohort_id=cohort_id,
        has_plan=has_plan,
        trainee_count=trainee_count,
        circles=circles,
        milestones=[
            MilestoneColumn(
                milestone_id=milestone_id,
                position=position,
                title=(content.milestone_title(milestone_id, language) if content else None)
                or title,
                done=sum(1 for r in shown if r.cells[i].status == DONE),
                overdue=sum(1 for r in shown if r.cells[i].status == OVERDUE),
                planned_for=sum(1 for r in shown if r.cells[i].status is not None),
            )
            for i, (milestone_id, position, title) in enumerate(columns)
        ],
        rows=shown,
        circle=circle,
        status=status,
        sort=sort,
        attendance=attendance,
        show_withdrawn=show_withdrawn,
        withdrawn_count=withdrawn_count,
        at_risk_behind_days=behind_days,
        at_risk_idle_days=idle_limit,
    )


def at_risk_thresholds(session: Session, cohort_id: int) -> AtRiskSetting:
    """The cohort's at-risk thresholds (the defaults when its trainers set none)."""
    found = session.execute(
        sa_select(AtRiskSetting).where(col(AtRiskSetting.cohort_id) == cohort_id)
    ).scalar_one_or_none()
    return found or AtRiskSetting(cohort_id=cohort_id)


def at_risk(days_behind: int, idle: int, *, behind_days: int, idle_days: int) -> bool:
    """The at-risk rule: a milestone overdue by more than `behind_days` days, or nothing
    submitted or saved for `idle_days` days or more."""
    return days_behind > behind_days or idle >= idle_days


def _past_due_dates(plan: Sequence[PlannedModule], today: date) -> dict[int, date]:
    """Each milestone's earliest module due date that has passed: what an overdue
    milestone is late since."""
    found: dict[int, date] = {}
    for p in plan:
        if p.due_on < today and (p.milestone_id not in found or p.due_on < found[p.milestone_id]):
            found[p.milestone_id] = p.due_on
    return found


def _last_activity(session: Session, cohort_id: int) -> dict[int, date]:
    """Each trainee's last day of activity in the cohort: their newest submission or
    saved draft, else the day they joined (three queries)."""
    last: dict[int, datetime] = {}
    for query in (
        sa_select(col(Membership.user_id), col(Membership.created_at)).where(
            col(Membership.cohort_id) == cohort_id, col(Membership.role) == Role.TRAINEE.value
        ),
        sa_select(col(Submission.user_id), func.max(col(Submission.submitted_at)))
        .where(col(Submission.cohort_id) == cohort_id)
        .group_by(col(Submission.user_id)),
        sa_select(col(Draft.user_id), func.max(col(Draft.updated_at)))
        .where(col(Draft.cohort_id) == cohort_id)
        .group_by(col(Draft.user_id)),
    ):
        for user_id, at in session.execute(query).all():
            if at is not None:
                at = as_utc(at)
                if user_id not in last or at > last[user_id]:
                    last[user_id] = at
    # UTC days: a day's difference at the edge does not matter against weeks.
    return {user_id: at.date() for user_id, at in last.items()}


def _cell(
    status: str | None,
    refs: Sequence[ExerciseRef],
    attempts: Mapping[int, Sequence[tuple[str, float | None]]],
) -> MilestoneCell:
    if status is None:
        return MilestoneCell(None, 0, 0)
    done = sum(
        1 for ref in refs if ref.id in attempts and is_done(ref.type, ref.spec, attempts[ref.id])
    )
    return MilestoneCell(status, done, len(refs))


def _milestone_columns(plans: Sequence[Sequence[PlannedModule]]) -> list[tuple[int, int, str]]:
    """Every milestone any circle's plan has, as (id, position, title), in order."""
    found = {
        p.milestone_id: (p.milestone_id, p.milestone_position, p.milestone_title)
        for plan in plans
        for p in plan
    }
    return sorted(found.values(), key=lambda m: (m[1], m[0]))


def _exercises_by_milestone(
    plan: Sequence[PlannedModule], content: Structure | None
) -> dict[int, list[ExerciseRef]]:
    result: dict[int, list[ExerciseRef]] = defaultdict(list)
    if content is None:
        return result
    for planned in plan:
        result[planned.milestone_id].extend(content.exercises_of(planned.module_id))
    return result


def _roster(
    session: Session, cohort_id: int
) -> list[tuple[int, str, str, int | None, str | None, str | None, bool]]:
    """(user id, name, email, circle id, circle name, current mentor's name, withdrawn)
    of every trainee, in one query."""
    mentor = aliased(User)
    rows = session.execute(
        sa_select(
            col(Membership.user_id),
            col(User.display_name),
            col(User.email),
            col(Membership.circle_id),
            col(LearningCircle.name),
            col(mentor.display_name),
            col(Membership.withdrawn_at).is_not(None),
        )
        .join(User, col(User.id) == Membership.user_id)
        .outerjoin(LearningCircle, col(LearningCircle.id) == Membership.circle_id)
        .outerjoin(
            MentorAssignment,
            and_(
                col(MentorAssignment.cohort_id) == Membership.cohort_id,
                col(MentorAssignment.trainee_id) == Membership.user_id,
                col(MentorAssignment.ended_at).is_(None),
            ),
        )
        .outerjoin(mentor, col(mentor.id) == MentorAssignment.mentor_id)
        .where(col(Membership.cohort_id) == cohort_id, col(Membership.role) == Role.TRAINEE.value)
        .order_by(col(Membership.user_id))
    ).all()
    return [(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]


def _attempts(
    session: Session, cohort_id: int
) -> dict[int, dict[int, list[tuple[str, float | None]]]]:
    """Every submission of the cohort as {user: {exercise: [(status, score)]}}."""
    result: dict[int, dict[int, list[tuple[str, float | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for user_id, exercise_id, status, score in session.execute(
        sa_select(
            col(Submission.user_id),
            col(Submission.exercise_id),
            col(Submission.status),
            col(Submission.score),
        ).where(col(Submission.cohort_id) == cohort_id)
    ).all():
        result[user_id][exercise_id].append((status, score))
    return result


def _matches(row: TraineeRow, circle: str, status: str) -> bool:
    if circle == NO_CIRCLE and row.circle_id is not None:
        return False
    if CIRCLE_ID.fullmatch(circle) and row.circle_id != int(circle):
        return False
    if status == BEHIND:
        return row.behind
    if status == ON_TRACK:
        return not row.behind
    if status == FINISHED:
        return row.finished
    if status == AT_RISK:
        return row.at_risk
    return True


def _attended(row: TraineeRow, attendance: str) -> bool:
    if attendance == MISSED:
        return row.attendance.missed > 0
    if attendance == FULL:
        return row.attendance.taken > 0 and row.attendance.missed == 0
    return True


def _sorted(rows: list[TraineeRow], sort: str) -> list[TraineeRow]:
    def name(row: TraineeRow) -> tuple[str, int]:
        return (row.name.casefold(), row.user_id)

    if sort == "circle":
        # Trainees without a circle last.
        return sorted(
            rows, key=lambda r: (r.circle_name is None, (r.circle_name or "").casefold(), *name(r))
        )
    if sort == "mentor":
        return sorted(
            rows, key=lambda r: (r.mentor_name is None, (r.mentor_name or "").casefold(), *name(r))
        )
    if sort == "progress":
        return sorted(rows, key=lambda r: (-r.overdue, r.done, *name(r)))
    return sorted(rows, key=name)


# --- CSV --------------------------------------------------------------------------------


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ (or a
    tab or carriage return) gets a leading single quote."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def progress_table(
    report: ProgressReport, labels: Mapping[str, str] | None = None
) -> tuple[list[str], list[list[str | int]]]:
    """The report's rows as a table for a spreadsheet (header, rows): one column per
    milestone with the status word, then the exercises done and assigned, convening
    days and whether the trainee is at risk. Text cells are not yet guarded."""
    labels = labels or status_labels()
    header = [
        _("Name"),
        _("Email"),
        _("Learning circle"),
        _("Mentor"),
        *(_("Milestone %(n)s: %(title)s", n=m.position, title=m.title) for m in report.milestones),
        _("Exercises done"),
        _("Exercises assigned"),
        _("Convening days present"),
        _("Convening days taken"),
        _("At risk"),
    ]
    rows: list[list[str | int]] = [
        [
            row.name,
            row.email,
            row.circle_name or "",
            row.mentor_name or "",
            *(labels.get(c.status, c.status) if c.status else "" for c in row.cells),
            row.done,
            row.total,
            row.attendance.present,
            row.attendance.taken,
            _("Yes") if row.at_risk else "",
        ]
        for row in report.rows
    ]
    return header, rows


def progress_csv(report: ProgressReport, labels: Mapping[str, str] | None = None) -> bytes:
    """The report's rows as CSV (`progress_table`): UTF-8 with a byte-order mark (so
    Excel reads Urdu and Nepali names correctly), a header row, and every text cell
    guarded against formula injection."""
    header, rows = progress_table(report, labels)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) if isinstance(v, str) else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_filename(cohort_slug: str, day: date) -> str:
    """`<cohort-slug>-progress-<date>.csv`, with only filename-safe characters."""
    slug = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in cohort_slug
    )
    return f"{slug.strip('-') or 'cohort'}-progress-{day.isoformat()}.csv"


# --- conditional requests ---------------------------------------------------------------


def _fingerprint_statement() -> Any:
    """The fingerprint query, built once (building a statement of nine aggregate
    subqueries cost more than SQLite takes to run it); the cohort is a bound parameter."""
    cohort_id: Any = bindparam("cohort_id")
    parts = [
        sa_select(
            func.count(),
            func.max(col(Membership.created_at)),
            func.max(col(Membership.withdrawn_at)),
            func.sum(func.coalesce(col(Membership.circle_id), 0) * col(Membership.id)),
        ).where(col(Membership.cohort_id) == cohort_id),
        sa_select(
            func.count(),
            func.max(col(MentorAssignment.id)),
            func.max(col(MentorAssignment.ended_at)),
        ).where(col(MentorAssignment.cohort_id) == cohort_id),
        sa_select(
            func.count(),
            func.max(col(PlanItem.id)),
            func.min(col(PlanItem.opens_on)),
            func.max(col(PlanItem.opens_on)),
            func.min(col(PlanItem.due_on)),
            func.max(col(PlanItem.due_on)),
            func.sum(case((col(PlanItem.removed), col(PlanItem.id)), else_=0)),
        ).where(col(PlanItem.cohort_id) == cohort_id),
        sa_select(
            func.count(),
            func.max(col(Attendance.recorded_at)),
            func.sum(case((col(Attendance.present), col(Attendance.id)), else_=0)),
        )
        .join(Convening, col(Convening.id) == Attendance.convening_id)
        .where(col(Convening.cohort_id) == cohort_id),
        sa_select(func.count(), func.max(col(LearningCircle.id))).where(
            col(LearningCircle.cohort_id) == cohort_id
        ),
        sa_select(func.max(col(AtRiskSetting.updated_at))).where(
            col(AtRiskSetting.cohort_id) == cohort_id
        ),
        sa_select(func.max(col(CurriculumVersion.id))),
    ]
    # Submissions and drafts are never deleted: a new one raises the newest id or save
    # time, a review the newest review time. Each of these is a scalar subquery of one
    # max(), which SQLite answers from an index without reading the cohort's rows
    # (count() would read them all; as a joined subquery the max() is not optimised).
    newest = [
        sa_select(func.max(col(Submission.id)))
        .where(col(Submission.cohort_id) == cohort_id)
        .scalar_subquery(),
        sa_select(func.max(col(Submission.reviewed_at)))
        .where(col(Submission.cohort_id) == cohort_id)
        .scalar_subquery(),
        sa_select(func.max(col(Draft.updated_at)))
        .where(col(Draft.cohort_id) == cohort_id)
        .scalar_subquery(),
    ]
    # Each part is an aggregate (one row): together, one row in one statement.
    subqueries = [part.subquery() for part in parts]
    joined: Any = subqueries[0]
    for subquery in subqueries[1:]:
        joined = joined.join(subquery, true())
    columns = [c for subquery in subqueries for c in subquery.c]
    return sa_select(*columns, *newest).select_from(joined)


_FINGERPRINT = _fingerprint_statement()


def grid_fingerprint(session: Session, cohort_id: int) -> str:
    """A cheap fingerprint of everything the grid is built from, in one query without
    building the grid: counts and latest changes of the cohort's memberships, mentor
    assignments, plan, submissions (newest, newest review), drafts (newest save),
    attendance, circles and at-risk settings. It changes whenever a trainee submits,
    saves, is reviewed, moves circle, changes mentor, or the plan or attendance
    changes; the page's ETag is made from it."""
    row = session.connection().execute(_FINGERPRINT, {"cohort_id": cohort_id}).one()
    return hashlib.sha256(repr(tuple(row)).encode()).hexdigest()[:32]
