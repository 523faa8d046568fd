"""Convenings (a cohort's meetings of a few days) and their attendance, taken per person
per day. Plain functions over a Session; no HTTP here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import AuditEntry, User
from iil_lms.cohorts.models import Attendance, Convening, LearningCircle, Membership, Role
from iil_lms.db import utcnow
from iil_lms.i18n import N_

MAX_DAYS = 14  # a convening is a meeting of a few days, not a term
TITLE_MAX, VENUE_MAX, AGENDA_MAX = 200, 200, 4000


class ConveningInvalid(ValueError):
    """Per field, a message id and its values."""

    def __init__(self, errors: dict[str, tuple[str, dict[str, object]]]) -> None:
        super().__init__("; ".join(f"{k}: {m % p}" for k, (m, p) in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ConveningDraft:
    title: str
    starts_on: date | None
    ends_on: date | None
    venue: str = ""
    agenda: str = ""
    module_ids: tuple[int, ...] = ()


def days_of(convening: Convening) -> list[date]:
    span = (convening.ends_on - convening.starts_on).days
    return [convening.starts_on + timedelta(days=n) for n in range(span + 1)]


def _checked(draft: ConveningDraft, allowed_modules: Iterable[int]) -> ConveningDraft:
    errors: dict[str, tuple[str, dict[str, object]]] = {}
    title = draft.title.strip()
    if not title:
        errors["title"] = (N_("Give the convening a title."), {})
    for key, value, limit in (
        ("title", title, TITLE_MAX),
        ("venue", draft.venue.strip(), VENUE_MAX),
        ("agenda", draft.agenda.strip(), AGENDA_MAX),
    ):
        if len(value) > limit:
            errors[key] = (
                N_("Too long: %(length)s characters, at most %(limit)s."),
                {"length": len(value), "limit": limit},
            )
    if draft.starts_on is None:
        errors["starts_on"] = (N_("Give the first day as a date, for example 2026-10-05."), {})
    if draft.ends_on is None:
        errors["ends_on"] = (N_("Give the last day as a date, for example 2026-10-07."), {})
    if draft.starts_on and draft.ends_on:
        if draft.ends_on < draft.starts_on:
            errors["ends_on"] = (N_("The last day cannot come before the first."), {})
        elif (draft.ends_on - draft.starts_on).days >= MAX_DAYS:
            errors["ends_on"] = (
                N_("A convening lasts at most %(days)s days."),
                {"days": MAX_DAYS},
            )
    allowed = set(allowed_modules)
    if any(m not in allowed for m in draft.module_ids):
        errors["module_ids"] = (N_("Choose modules of this cohort's curriculum."), {})
    if errors:
        raise ConveningInvalid(errors)
    return ConveningDraft(
        title=title,
        starts_on=draft.starts_on,
        ends_on=draft.ends_on,
        venue=draft.venue.strip(),
        agenda=draft.agenda.strip(),
        module_ids=tuple(sorted(set(draft.module_ids))),
    )


def save_convening(
    session: Session,
    cohort_id: int,
    draft: ConveningDraft,
    *,
    allowed_modules: Iterable[int],
    actor_id: int,
    convening: Convening | None = None,
) -> Convening:
    """Create a convening, or change one: a title, first and last day (at most
    MAX_DAYS), venue, agenda and the modules it works on (of the cohort's curriculum).
    Changing the dates keeps the attendance taken on days still inside them."""
    clean = _checked(draft, allowed_modules)
    assert clean.starts_on is not None and clean.ends_on is not None
    if convening is None:
        convening = Convening(
            cohort_id=cohort_id, title=clean.title, starts_on=clean.starts_on, ends_on=clean.ends_on
        )
    convening.title = clean.title
    convening.starts_on = clean.starts_on
    convening.ends_on = clean.ends_on
    convening.venue = clean.venue
    convening.agenda = clean.agenda
    convening.module_ids = list(clean.module_ids)
    session.add(convening)
    session.flush()
    session.add(
        AuditEntry(actor_id=actor_id, action="convening.save", subject=f"convening:{convening.id}")
    )
    session.flush()
    return convening


def convening_of(session: Session, cohort_id: int, convening_id: int) -> Convening | None:
    convening = session.get(Convening, convening_id)
    if convening is None or convening.cohort_id != cohort_id:
        return None
    return convening


@dataclass(frozen=True)
class ConveningSummary:
    convening: Convening
    days: int
    present: int  # person-days marked present
    absent: int  # person-days marked absent


def cohort_convenings(session: Session, cohort_id: int) -> list[ConveningSummary]:
    """The cohort's convenings by date with the attendance taken, in two queries."""
    convenings = list(
        session.exec(
            select(Convening)
            .where(Convening.cohort_id == cohort_id)
            .order_by(col(Convening.starts_on), col(Convening.id))
        )
    )
    counts: dict[int, tuple[int, int]] = {}
    if convenings:
        for convening_id, present, absent in session.execute(
            sa_select(
                col(Attendance.convening_id),
                func.sum(case((col(Attendance.present), 1), else_=0)),
                func.sum(case((col(Attendance.present), 0), else_=1)),
            )
            .where(col(Attendance.convening_id).in_([c.id for c in convenings]))
            .group_by(col(Attendance.convening_id))
        ).all():
            counts[convening_id] = (int(present or 0), int(absent or 0))
    return [
        ConveningSummary(c, len(days_of(c)), *counts.get(c.id or 0, (0, 0))) for c in convenings
    ]


@dataclass(frozen=True)
class SheetRow:
    user_id: int
    name: str
    circle: str
    present: bool | None  # None: not taken yet


def attendance_sheet(
    session: Session, convening: Convening, day: date, search: str = ""
) -> list[SheetRow]:
    """The cohort's trainees (not withdrawn), by name, with whether each was at `day`;
    `search` narrows by name, email or circle. Two queries."""
    query = (
        sa_select(col(User.id), col(User.display_name), col(LearningCircle.name))
        .join(Membership, col(Membership.user_id) == User.id)
        .outerjoin(LearningCircle, col(LearningCircle.id) == Membership.circle_id)
        .where(
            col(Membership.cohort_id) == convening.cohort_id,
            col(Membership.role) == Role.TRAINEE.value,
            col(Membership.withdrawn_at).is_(None),
        )
        .order_by(col(User.display_name), col(User.id))
    )
    search = search.strip()[:100]
    if search:
        pattern = f"%{search}%"
        query = query.where(
            col(User.display_name).ilike(pattern)
            | col(User.email).ilike(pattern)
            | col(LearningCircle.name).ilike(pattern)
        )
    marks = dict(
        session.execute(
            sa_select(col(Attendance.user_id), col(Attendance.present)).where(
                col(Attendance.convening_id) == convening.id, col(Attendance.day) == day
            )
        ).all()
    )
    return [
        SheetRow(user_id, name, circle or "", marks.get(user_id))
        for user_id, name, circle in session.execute(query).all()
    ]


def sheet_row(session: Session, convening: Convening, day: date, user_id: int) -> SheetRow | None:
    found = [r for r in attendance_sheet(session, convening, day) if r.user_id == user_id]
    return found[0] if found else None


def record_attendance(
    session: Session,
    convening: Convening,
    *,
    user_id: int,
    day: date,
    present: bool,
    actor_id: int,
) -> None:
    """Mark one trainee present or absent on one day of the convening; marking again
    corrects it. Only days of the convening, only the cohort's trainees."""
    if day not in days_of(convening):
        raise ConveningInvalid({"day": (N_("This day is not part of the convening."), {})})
    enrolled = session.exec(
        select(Membership.id).where(
            Membership.cohort_id == convening.cohort_id,
            Membership.user_id == user_id,
            Membership.role == Role.TRAINEE.value,
        )
    ).first()
    if enrolled is None:
        raise ConveningInvalid({"user_id": (N_("This person is not a trainee of the cohort."), {})})
    row = session.exec(
        select(Attendance).where(
            Attendance.convening_id == convening.id,
            Attendance.user_id == user_id,
            Attendance.day == day,
        )
    ).first()
    if row is None:
        row = Attendance(
            convening_id=convening.id,  # type: ignore[arg-type]
            user_id=user_id,
            day=day,
            present=present,
            recorded_by_id=actor_id,
        )
    else:
        row.present = present
        row.recorded_by_id = actor_id
        row.recorded_at = utcnow()
    session.add(row)
    session.flush()


@dataclass(frozen=True)
class AttendanceTotals:
    present: int  # days marked present
    taken: int  # days attendance was taken for this person

    @property
    def missed(self) -> int:
        return self.taken - self.present


def attendance_by_user(session: Session, cohort_id: int) -> dict[int, AttendanceTotals]:
    """Every trainee's convening days present and taken in the cohort, in one query
    (the progress page's column and filter, and its CSV)."""
    totals: dict[int, AttendanceTotals] = defaultdict(lambda: AttendanceTotals(0, 0))
    for user_id, present, taken in session.execute(
        sa_select(
            col(Attendance.user_id),
            func.sum(case((col(Attendance.present), 1), else_=0)),
            func.count(),
        )
        .join(Convening, and_(col(Convening.id) == Attendance.convening_id))
        .where(col(Convening.cohort_id) == cohort_id)
        .group_by(col(Attendance.user_id))
    ).all():
        totals[user_id] = AttendanceTotals(int(present or 0), int(taken))
    return dict(totals)
