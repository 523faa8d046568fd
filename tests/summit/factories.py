"""A summit made through the services: rooms, a morning and afternoon session with a
lunch break, and shortlisted pitches by the cohort's trainees."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Cohort
from iil_lms.db import utcnow
from iil_lms.summit import pitches, service
from iil_lms.summit.models import Pitch, Summit, SummitRoom

SUMMIT_DAY = (utcnow() + timedelta(days=30)).date()


@dataclass
class SummitFixture:
    summit: Summit
    rooms: list[SummitRoom] = field(default_factory=list)
    pitches: list[Pitch] = field(default_factory=list)


def fields(day: date = SUMMIT_DAY, **changes: object) -> service.SummitFields:
    values: dict[str, object] = {
        "title": "Integrity Summit 2027",
        "venue": "Civil Services Academy, Lahore",
        "starts_on": day,
        "ends_on": day,
        "pitch_minutes": 10,
        "changeover_minutes": 5,
        "deadline_on": day - timedelta(days=7),
        "welcome": "Welcome to the summit.",
    }
    values.update(changes)
    return service.SummitFields(**values)  # type: ignore[arg-type]


def filled(title: str) -> dict[str, str]:
    return {
        "title": title,
        "summary": f"{title} in one line",
        "problem": "Files wait for weeks.",
        "who_is_affected": "Citizens applying for permits.",
        "evidence": "A sample of 40 files.",
        "idea": "A public token queue.",
        "needs_from_government": "A notification from the secretary.",
        "first_90_days": "Pilot in one tehsil office.",
    }


def make_summit(
    session: Session,
    cohort: Cohort,
    trainees: list[User],
    *,
    organiser: User,
    rooms: int = 2,
    shortlist: int | None = None,
) -> SummitFixture:
    """A summit of `cohort` with `rooms` rooms, sessions 09:00-12:00 and 13:00-16:00
    (lunch between), and one submitted pitch per trainee; the first `shortlist` (all
    by default) are shortlisted."""
    summit = service.create_summit(
        session, cohort_id=cohort.id or 0, actor_id=organiser.id or 0, fields=fields()
    )
    made = SummitFixture(summit)
    for n in range(rooms):
        made.rooms.append(service.add_room(session, summit, name=f"Room {n + 1}", capacity=20))
    for label, start, end, is_break in (
        ("Morning", "09:00", "12:00", False),
        ("Lunch", "12:00", "13:00", True),
        ("Afternoon", "13:00", "16:00", False),
    ):
        service.add_session(
            session, summit, label=label, day=SUMMIT_DAY, starts=start, ends=end, is_break=is_break
        )
    for n, trainee in enumerate(trainees):
        pitch = pitches.start_pitch(session, summit, owner_id=trainee.id or 0)
        pitches.save_draft(
            session,
            pitch,
            user_id=trainee.id or 0,
            values=filled(f"Pitch {n + 1}"),
            mentor_attends=False,
        )
        pitches.submit_pitch(session, summit, pitch, user_id=trainee.id or 0)
        if shortlist is None or n < shortlist:
            pitches.decide(session, summit, pitch, actor_id=organiser.id or 0, decision="shortlist")
        made.pitches.append(pitch)
    session.flush()
    return made
