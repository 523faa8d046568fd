"""What the summit prints and exports: door sheets per room with an overview, judges'
sheets, the programme booklet and the score record (WeasyPrint, fonts shipped in
static/), an iCalendar feed per summit and per person, and the schedule as CSV and as
frab/pretalx JSON for conference apps. Built from plain data read in a fixed number of
queries, so a template never prints what it was not given."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Academy, Cohort
from iil_lms.db import as_utc
from iil_lms.i18n import zone
from iil_lms.pdf import render_template_pdf
from iil_lms.summit.judging import ResultRow, judges_of
from iil_lms.summit.models import (
    Pitch,
    PitchMember,
    PitchStatus,
    ScheduleSlot,
    Summit,
    SummitRoom,
)
from iil_lms.summit.service import guests_of, rooms_of, sessions_of

GUID_NAMESPACE = uuid.UUID("0d5e7a0c-54c1-4b7e-9a44-2f3f0c1b5a15")


@dataclass(frozen=True)
class Entry:
    pitch_id: int
    room_id: int
    room: str
    starts_at: datetime  # local
    ends_at: datetime
    title: str
    summary: str
    theme: str
    presenters: list[str]
    member_ids: list[int]


@dataclass(frozen=True)
class BreakRow:
    label: str
    starts_at: datetime
    ends_at: datetime


@dataclass
class Programme:
    summit: Summit
    cohort_name: str
    academy_name: str
    timezone: str
    rooms: list[SummitRoom]
    entries: list[Entry]
    breaks: list[BreakRow]
    judges: dict[int, list[str]]  # room id -> names
    judge_departments: dict[str, str]
    guests: list[tuple[str, str]]
    times: list[tuple[datetime, datetime]] = field(default_factory=list)

    def by_room(self, room_id: int) -> list[Entry]:
        return [e for e in self.entries if e.room_id == room_id]

    def cell(self, room_id: int, starts_at: datetime) -> Entry | None:
        return next(
            (e for e in self.entries if e.room_id == room_id and e.starts_at == starts_at), None
        )

    @property
    def days(self) -> list[date]:
        return sorted({e.starts_at.date() for e in self.entries})


def build_programme(session: Session, summit: Summit) -> Programme:
    """Everything the printed outputs show, in the academy's time zone (eight queries)."""
    summit_id = summit.id or 0
    cohort_name, academy_name, tz_name = session.exec(
        select(Cohort.name, Academy.name, Academy.timezone)
        .join(Academy, col(Academy.id) == col(Cohort.academy_id))
        .where(Cohort.id == summit.cohort_id)
    ).one()
    tz = zone(tz_name)
    rooms = rooms_of(session, summit_id)
    room_names = {room.id: room.name for room in rooms}
    rows = list(
        session.exec(
            select(Pitch, ScheduleSlot)
            .join(ScheduleSlot, col(ScheduleSlot.pitch_id) == col(Pitch.id))
            .where(ScheduleSlot.summit_id == summit_id, Pitch.status == PitchStatus.SHORTLISTED)
            .order_by(col(ScheduleSlot.starts_at), col(ScheduleSlot.room_id))
        )
    )
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pitch_id, user_id, name in session.exec(
        select(PitchMember.pitch_id, PitchMember.user_id, User.display_name)
        .join(User, col(User.id) == col(PitchMember.user_id))
        .where(col(PitchMember.pitch_id).in_([p.id for p, _s in rows]))
        .order_by(col(PitchMember.id))
    ):
        members[pitch_id].append((user_id, name))
    entries = [
        Entry(
            pitch_id=pitch.id or 0,
            room_id=slot.room_id,
            room=room_names.get(slot.room_id, ""),
            starts_at=as_utc(slot.starts_at).astimezone(tz),
            ends_at=as_utc(slot.ends_at).astimezone(tz),
            title=pitch.title,
            summary=pitch.summary,
            theme=pitch.theme,
            presenters=[name for _id, name in members[pitch.id or 0]],
            member_ids=[user_id for user_id, _name in members[pitch.id or 0]],
        )
        for pitch, slot in rows
    ]
    judges: dict[int, list[str]] = defaultdict(list)
    departments: dict[str, str] = {}
    for judge in judges_of(session, summit_id):
        judges[judge.room_id].append(judge.name)
        departments[judge.name] = judge.department
    breaks = [
        BreakRow(
            block.label,
            as_utc(block.starts_at).astimezone(tz),
            as_utc(block.ends_at).astimezone(tz),
        )
        for block in sessions_of(session, summit_id)
        if block.is_break
    ]
    programme = Programme(
        summit=summit,
        cohort_name=cohort_name,
        academy_name=academy_name,
        timezone=tz_name,
        rooms=rooms,
        entries=entries,
        breaks=breaks,
        judges=dict(judges),
        judge_departments=departments,
        guests=[(g.name, g.affiliation) for g in guests_of(session, summit_id)],
    )
    programme.times = sorted({(e.starts_at, e.ends_at) for e in entries})
    return programme


def _render(template: str, context: dict[str, object], language: str) -> bytes:
    return render_template_pdf(template, context, language)


def door_sheets_pdf(programme: Programme, language: str) -> bytes:
    """The overview (every room across the day) and one A4 door sheet per room."""
    return _render("summit_doors.html", {"p": programme}, language)


def judges_sheets_pdf(programme: Programme, language: str) -> bytes:
    """One sheet per room for its judges: each pitch with boxes for the rubric."""
    return _render("summit_judges.html", {"p": programme}, language)


def programme_pdf(programme: Programme, language: str) -> bytes:
    """The A5 booklet: cover, welcome, timetable across rooms, each pitch's summary and
    presenters, judges and guests, and a page for notes."""
    return _render("summit_programme.html", {"p": programme}, language)


def score_record_pdf(programme: Programme, rows: list[ResultRow], language: str) -> bytes:
    return _render("summit_record.html", {"p": programme, "rows": rows}, language)


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def schedule_csv(programme: Programme) -> str:
    """room, start, end, pitch, team members, judges: one row per scheduled pitch."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["room", "start", "end", "pitch", "team members", "judges"])
    for entry in sorted(programme.entries, key=lambda e: (e.room_id, e.starts_at)):
        writer.writerow(
            [
                _safe(entry.room),
                entry.starts_at.isoformat(timespec="minutes"),
                entry.ends_at.isoformat(timespec="minutes"),
                _safe(entry.title),
                _safe("; ".join(entry.presenters)),
                _safe("; ".join(programme.judges.get(entry.room_id, []))),
            ]
        )
    return out.getvalue()


def _safe(value: str) -> str:
    """A cell that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _duration(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def schedule_frab(programme: Programme, base_url: str = "") -> dict[str, object]:
    """The schedule in the frab/pretalx JSON format (schedule.json) that conference
    apps read: one day per date, each room's events in time order."""
    summit = programme.summit
    days = []
    for index, day in enumerate(programme.days):
        todays = [e for e in programme.entries if e.starts_at.date() == day]
        rooms: dict[str, list[dict[str, object]]] = {r.name: [] for r in programme.rooms}
        for entry in todays:
            rooms.setdefault(entry.room, []).append(
                {
                    "id": entry.pitch_id,
                    "guid": str(
                        uuid.uuid5(GUID_NAMESPACE, f"summit-{summit.id}-pitch-{entry.pitch_id}")
                    ),
                    "date": entry.starts_at.isoformat(),
                    "start": _clock(entry.starts_at),
                    "duration": _duration(summit.pitch_minutes),
                    "room": entry.room,
                    "slug": f"summit-{summit.id}-pitch-{entry.pitch_id}",
                    "url": f"{base_url}/summits/{summit.id}",
                    "title": entry.title,
                    "subtitle": "",
                    "track": entry.theme,
                    "type": "pitch",
                    "language": "en",
                    "abstract": entry.summary,
                    "description": "",
                    "recording_license": "",
                    "do_not_record": True,
                    "persons": [{"public_name": name} for name in entry.presenters],
                    "links": [],
                    "attachments": [],
                }
            )
        days.append(
            {
                "index": index + 1,
                "date": day.isoformat(),
                "day_start": min(e.starts_at for e in todays).isoformat(),
                "day_end": max(e.ends_at for e in todays).isoformat(),
                "rooms": rooms,
            }
        )
    return {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "schedule": {
            "version": (summit.scheduled_at or summit.created_at).isoformat(),
            "base_url": base_url,
            "conference": {
                "acronym": f"iil-summit-{summit.id}",
                "title": summit.title,
                "start": summit.starts_on.isoformat(),
                "end": summit.ends_on.isoformat(),
                "daysCount": (summit.ends_on - summit.starts_on).days + 1,
                "timeslot_duration": _duration(summit.pitch_minutes + summit.changeover_minutes),
                "time_zone_name": programme.timezone,
                "rooms": [
                    {"name": r.name, "guid": str(uuid.uuid5(GUID_NAMESPACE, f"room-{r.id}"))}
                    for r in programme.rooms
                ],
                "days": days,
            },
        },
    }


def schedule_json(programme: Programme, base_url: str = "") -> str:
    return json.dumps(schedule_frab(programme, base_url), ensure_ascii=False, indent=1)


def calendar(programme: Programme, entries: list[Entry] | None = None, name: str = "") -> bytes:
    """An iCalendar feed of `entries` (every scheduled pitch by default), times in UTC."""
    summit = programme.summit
    cal = Calendar()
    cal.add("prodid", "-//Integrity Innovation Lab//iil-lms summit//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name or summit.title)
    for entry in programme.entries if entries is None else entries:
        event = Event()
        event.add("uid", f"summit-{summit.id}-pitch-{entry.pitch_id}@iil-lms")
        event.add("summary", entry.title)
        event.add("dtstart", entry.starts_at.astimezone(zone("UTC")))
        event.add("dtend", entry.ends_at.astimezone(zone("UTC")))
        event.add("dtstamp", as_utc(summit.scheduled_at or summit.created_at))
        event.add("location", ", ".join(x for x in (entry.room, summit.venue) if x))
        event.add(
            "description", "\n".join(x for x in (entry.summary, ", ".join(entry.presenters)) if x)
        )
        cal.add_component(event)
    return bytes(cal.to_ical())


def person_entries(programme: Programme, user_id: int, mentee_ids: set[int]) -> list[Entry]:
    """The pitches a person is on, or mentors (their mentees' pitches)."""
    return [
        e
        for e in programme.entries
        if user_id in e.member_ids or mentee_ids.intersection(e.member_ids)
    ]
