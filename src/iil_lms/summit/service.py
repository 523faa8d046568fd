"""Summit set-up (dates, venue, rooms, sessions and breaks, pitch length, deadline,
guests) and the organisers' view of their summits: what is due and what to do next."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from iil_lms.accounts.service import audit
from iil_lms.cohorts.models import Academy, Cohort
from iil_lms.db import as_utc, utcnow
from iil_lms.i18n import N_, zone
from iil_lms.i18n import gettext as _
from iil_lms.summit.models import (
    Pitch,
    PitchStatus,
    ScheduleSlot,
    ScoringState,
    Summit,
    SummitGuest,
    SummitJudge,
    SummitRoom,
    SummitSession,
)

# Translated for display by the criterion macro in templates/summit/_labels.html.
DEFAULT_RUBRIC = (
    N_("Relevance to citizens"),
    N_("Feasibility"),
    N_("Integrity impact"),
    N_("Clarity"),
)
MAX_ROOMS = 20
MAX_CAPACITY = 2000


class SummitError(ValueError):
    """Field-by-field reasons a summit action was refused."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def academy_zone(session: Session, cohort_id: int) -> tzinfo:
    name = session.exec(
        select(Academy.timezone)
        .join(Cohort, col(Cohort.academy_id) == col(Academy.id))
        .where(Cohort.id == cohort_id)
    ).first()
    return zone(name)


def local_moment(day: date, clock: time, tz: tzinfo) -> datetime:
    """A wall-clock time on a day in the academy, as UTC."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class SummitFields:
    title: str
    venue: str
    starts_on: date | None
    ends_on: date | None
    pitch_minutes: int
    changeover_minutes: int
    deadline_on: date | None = None
    welcome: str = ""


def _check_fields(fields: SummitFields) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not fields.title.strip():
        errors["title"] = _("Give the summit a title.")
    elif len(fields.title) > 200:
        errors["title"] = _("Keep the title under %(count)s characters.", count=200)
    if len(fields.venue) > 300:
        errors["venue"] = _("Keep the venue under %(count)s characters.", count=300)
    if len(fields.welcome) > 4000:
        errors["welcome"] = _("Keep the welcome under %(count)s characters.", count=4000)
    if fields.starts_on is None:
        errors["starts_on"] = _("Enter the first day of the summit.")
    if fields.ends_on is None:
        errors["ends_on"] = _("Enter the last day of the summit.")
    elif fields.starts_on is not None and fields.ends_on < fields.starts_on:
        errors["ends_on"] = _("The last day cannot come before the first.")
    if not 3 <= fields.pitch_minutes <= 120:
        errors["pitch_minutes"] = _("A pitch lasts between 3 and 120 minutes.")
    if not 0 <= fields.changeover_minutes <= 60:
        errors["changeover_minutes"] = _("Changeover is between 0 and 60 minutes.")
    if (
        fields.deadline_on is not None
        and fields.starts_on is not None
        and fields.deadline_on > fields.starts_on
    ):
        errors["deadline_on"] = _("The pitch deadline must come before the summit.")
    return errors


def create_summit(
    session: Session, *, cohort_id: int, actor_id: int, fields: SummitFields
) -> Summit:
    """A new summit for the cohort, with the default rubric; nothing else is set."""
    errors = _check_fields(fields)
    if errors:
        raise SummitError(errors)
    assert fields.starts_on is not None and fields.ends_on is not None
    summit = Summit(
        cohort_id=cohort_id, title="", starts_on=fields.starts_on, ends_on=fields.ends_on
    )
    _apply(session, summit, fields)
    summit.rubric = list(DEFAULT_RUBRIC)
    summit.tie_break = DEFAULT_RUBRIC[2]
    session.add(summit)
    session.flush()
    audit(session, actor_id, "summit.create", f"summit:{summit.id}", summit.title)
    return summit


def _apply(session: Session, summit: Summit, fields: SummitFields) -> None:
    assert fields.starts_on is not None and fields.ends_on is not None
    summit.title = fields.title.strip()
    summit.venue = fields.venue.strip()
    summit.welcome = fields.welcome.strip()
    summit.starts_on = fields.starts_on
    summit.ends_on = fields.ends_on
    summit.pitch_minutes = fields.pitch_minutes
    summit.changeover_minutes = fields.changeover_minutes
    if fields.deadline_on is None:
        summit.pitch_deadline = None
    else:
        summit.pitch_deadline = local_moment(
            fields.deadline_on, time(23, 59), academy_zone(session, summit.cohort_id)
        )


def update_summit(session: Session, summit: Summit, *, actor_id: int, fields: SummitFields) -> None:
    """Change the summit's facts; the pitch length cannot change once a schedule exists
    (its slots would no longer fit)."""
    errors = _check_fields(fields)
    scheduled = _has_schedule(session, summit)
    if scheduled and (
        fields.pitch_minutes != summit.pitch_minutes
        or fields.changeover_minutes != summit.changeover_minutes
    ):
        errors["pitch_minutes"] = _(
            "The schedule is built on the present pitch length: clear it before changing it."
        )
    if errors:
        raise SummitError(errors)
    _apply(session, summit, fields)
    session.add(summit)
    audit(session, actor_id, "summit.update", f"summit:{summit.id}", summit.title)


def _has_schedule(session: Session, summit: Summit) -> bool:
    return (
        session.exec(select(ScheduleSlot.id).where(ScheduleSlot.summit_id == summit.id)).first()
        is not None
    )


def add_room(session: Session, summit: Summit, *, name: str, capacity: int) -> SummitRoom:
    name = name.strip()
    errors: dict[str, str] = {}
    if not name or len(name) > 120:
        errors["room_name"] = _("Name the room (up to 120 characters).")
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = _("A room holds between 1 and %(count)s people.", count=MAX_CAPACITY)
    existing = list(session.exec(select(SummitRoom).where(SummitRoom.summit_id == summit.id)))
    if any(room.name.casefold() == name.casefold() for room in existing):
        errors["room_name"] = _("There is already a room called %(name)s.", name=name)
    if len(existing) >= MAX_ROOMS:
        errors["room_name"] = _("A summit has at most %(count)s rooms.", count=MAX_ROOMS)
    if errors:
        raise SummitError(errors)
    room = SummitRoom(summit_id=summit.id or 0, name=name, capacity=capacity)
    session.add(room)
    session.flush()
    return room


def remove_room(session: Session, summit: Summit, room_id: int) -> None:
    """A room goes only while no pitch is scheduled in it and no judge sits in it."""
    room = session.get(SummitRoom, room_id)
    if room is None or room.summit_id != summit.id:
        raise SummitError({"room": _("That room is not part of this summit.")})
    used = session.exec(select(ScheduleSlot.id).where(ScheduleSlot.room_id == room_id)).first()
    judged = session.exec(select(SummitJudge.id).where(SummitJudge.room_id == room_id)).first()
    if used is not None or judged is not None:
        raise SummitError(
            {"room": _("%(name)s has pitches or judges: move them first.", name=room.name)}
        )
    session.delete(room)


def parse_clock(value: str) -> time | None:
    try:
        hours, minutes = value.strip().split(":")[:2]
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def add_session(
    session: Session,
    summit: Summit,
    *,
    label: str,
    day: date | None,
    starts: str,
    ends: str,
    is_break: bool,
) -> SummitSession:
    """A block of pitches (or a break) on one of the summit's days, in the academy's
    local time; blocks of pitches may not overlap."""
    errors: dict[str, str] = {}
    start_clock, end_clock = parse_clock(starts), parse_clock(ends)
    if len(label) > 120:
        errors["label"] = _("Keep the label under %(count)s characters.", count=120)
    if day is None or not summit.starts_on <= day <= summit.ends_on:
        errors["day"] = _("Choose a day of the summit.")
    if start_clock is None:
        errors["starts"] = _("Enter the start as hours:minutes, e.g. 09:00.")
    if end_clock is None:
        errors["ends"] = _("Enter the end as hours:minutes, e.g. 12:30.")
    elif start_clock is not None and end_clock <= start_clock:
        errors["ends"] = _("The session must end after it starts.")
    if errors:
        raise SummitError(errors)
    assert day is not None and start_clock is not None and end_clock is not None
    tz = academy_zone(session, summit.cohort_id)
    block = SummitSession(
        summit_id=summit.id or 0,
        label=label.strip(),
        is_break=is_break,
        starts_at=local_moment(day, start_clock, tz),
        ends_at=local_moment(day, end_clock, tz),
    )
    if not is_break:
        for other in sessions_of(session, summit.id or 0):
            if (
                not other.is_break
                and as_utc(other.starts_at) < block.ends_at
                and block.starts_at < as_utc(other.ends_at)
            ):
                raise SummitError({"starts": _("This overlaps another session of pitches.")})
    session.add(block)
    session.flush()
    return block


def remove_session(session: Session, summit: Summit, session_id: int) -> None:
    block = session.get(SummitSession, session_id)
    if block is None or block.summit_id != summit.id:
        raise SummitError({"session": _("That session is not part of this summit.")})
    if not block.is_break:
        inside = session.exec(
            select(ScheduleSlot.id).where(
                ScheduleSlot.summit_id == summit.id,
                col(ScheduleSlot.starts_at) >= block.starts_at,
                col(ScheduleSlot.starts_at) < block.ends_at,
            )
        ).first()
        if inside is not None:
            raise SummitError(
                {"session": _("Pitches are scheduled in this session: clear the schedule first.")}
            )
    session.delete(block)


def sessions_of(session: Session, summit_id: int) -> list[SummitSession]:
    return list(
        session.exec(
            select(SummitSession)
            .where(SummitSession.summit_id == summit_id)
            .order_by(col(SummitSession.starts_at))
        )
    )


def rooms_of(session: Session, summit_id: int) -> list[SummitRoom]:
    return list(
        session.exec(
            select(SummitRoom).where(SummitRoom.summit_id == summit_id).order_by(col(SummitRoom.id))
        )
    )


def add_guest(session: Session, summit: Summit, *, name: str, affiliation: str) -> SummitGuest:
    errors: dict[str, str] = {}
    if not name.strip() or len(name) > 120:
        errors["guest_name"] = _("Name the guest (up to 120 characters).")
    if len(affiliation) > 200:
        errors["affiliation"] = _("Keep the affiliation under %(count)s characters.", count=200)
    if errors:
        raise SummitError(errors)
    guest = SummitGuest(
        summit_id=summit.id or 0, name=name.strip(), affiliation=affiliation.strip()
    )
    session.add(guest)
    session.flush()
    return guest


def guests_of(session: Session, summit_id: int) -> list[SummitGuest]:
    return list(
        session.exec(
            select(SummitGuest)
            .where(SummitGuest.summit_id == summit_id)
            .order_by(col(SummitGuest.id))
        )
    )


# --- the organiser's summits ------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    label: str
    done: bool
    when: datetime | date | None = None


@dataclass(frozen=True)
class SummitOverview:
    summit: Summit
    cohort_name: str
    counts: dict[str, int]
    rooms: int
    judges: int
    scheduled: int
    due: list[DueItem]
    next_action: str
    next_url: str


def summits_for(session: Session, cohort_ids: list[int]) -> list[SummitOverview]:
    """Each summit of these cohorts with its pitch counts by state, what is due, and
    the next thing to do. Four queries whatever the number of summits."""
    if not cohort_ids:
        return []
    rows = list(
        session.exec(
            select(Summit, Cohort.name)
            .join(Cohort, col(Cohort.id) == col(Summit.cohort_id))
            .where(col(Summit.cohort_id).in_(cohort_ids))
            .order_by(col(Summit.starts_on).desc())
        )
    )
    ids = [summit.id for summit, _name in rows]
    counts: dict[int, Counter[str]] = {i or 0: Counter() for i in ids}
    for summit_id, status, number in session.exec(
        select(Pitch.summit_id, Pitch.status, func.count())
        .where(col(Pitch.summit_id).in_(ids))
        .group_by(col(Pitch.summit_id), col(Pitch.status))
    ):
        counts[summit_id][status] = number
    sizes: dict[int, tuple[int, int, int]] = {}
    for size_of, rooms, judges, scheduled in session.exec(
        select(
            Summit.id,
            select(func.count(col(SummitRoom.id)))
            .where(SummitRoom.summit_id == Summit.id)
            .scalar_subquery(),
            select(func.count(col(SummitJudge.id)))
            .where(SummitJudge.summit_id == Summit.id)
            .scalar_subquery(),
            select(func.count(col(ScheduleSlot.id)))
            .where(ScheduleSlot.summit_id == Summit.id)
            .scalar_subquery(),
        ).where(col(Summit.id).in_(ids))
    ):
        sizes[size_of or 0] = (rooms, judges, scheduled)
    return [
        _overview(summit, name, dict(counts[summit.id or 0]), *sizes[summit.id or 0])
        for summit, name in rows
    ]


def _overview(
    summit: Summit,
    cohort_name: str,
    counts: dict[str, int],
    rooms: int,
    judges: int,
    scheduled: int,
) -> SummitOverview:
    shortlisted = counts.get(PitchStatus.SHORTLISTED, 0)
    waiting = counts.get(PitchStatus.SUBMITTED, 0)
    deadline_passed = summit.pitch_deadline is not None and as_utc(summit.pitch_deadline) < utcnow()
    due = [
        DueItem(_("Pitch deadline"), deadline_passed, summit.pitch_deadline),
        DueItem(_("Shortlist"), shortlisted > 0 and waiting == 0),
        DueItem(_("Schedule"), shortlisted > 0 and scheduled >= shortlisted),
        DueItem(_("Judges invited"), judges >= rooms > 0),
        DueItem(_("Programme printed"), summit.programme_printed_at is not None),
        DueItem(_("Scores published"), summit.published_at is not None),
    ]
    base = f"/summits/{summit.id}"
    if rooms == 0:
        action, url = _("Add rooms and sessions"), f"{base}/setup"
    elif waiting:
        action, url = (
            _("Decide on %(count)s submitted pitches", count=waiting),
            f"{base}/pitches",
        )
    elif shortlisted and scheduled < shortlisted:
        action, url = _("Build the schedule"), f"{base}/schedule"
    elif judges < rooms:
        action, url = _("Invite judges for every room"), f"{base}/judges"
    elif summit.programme_printed_at is None and scheduled:
        action, url = _("Print the programme"), f"{base}/outputs"
    elif summit.scoring == ScoringState.NOT_OPEN and scheduled:
        action, url = _("Open scoring on the day"), f"{base}/results"
    elif summit.scoring == ScoringState.OPEN:
        action, url = _("Follow the scores; close scoring at the end"), f"{base}/results"
    elif summit.published_at is None and summit.scoring == ScoringState.CLOSED:
        action, url = _("Record awards and publish the scores"), f"{base}/results"
    else:
        action, url = _("Wait for pitches"), f"{base}/pitches"
    return SummitOverview(
        summit=summit,
        cohort_name=cohort_name,
        counts=counts,
        rooms=rooms,
        judges=judges,
        scheduled=scheduled,
        due=due,
        next_action=action,
        next_url=url,
    )
