"""The Integrity Summit: a cohort's day(s) of pitches. Rooms and sessions make the
time grid; pitches (by one trainee or a team) are written, versioned, shortlisted and
scheduled into the grid; judges (accounts or guests with a personal link) score the
pitches of their room; awards and the published score record close the day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from iil_lms.models_base import created_at_field, utc_field


class PitchStatus:
    DRAFT = "draft"  # being written; autosaved
    SUBMITTED = "submitted"  # waiting for the organisers
    CHANGES = "changes"  # the organisers asked for changes
    SHORTLISTED = "shortlisted"  # will be pitched at the summit
    DECLINED = "declined"  # not shortlisted
    WITHDRAWN = "withdrawn"  # dropped out (by its team or the organisers)
    ALL = (DRAFT, SUBMITTED, CHANGES, SHORTLISTED, DECLINED, WITHDRAWN)
    EDITABLE = (DRAFT, CHANGES)


class ScoringState:
    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"
    ALL = (NOT_OPEN, OPEN, CLOSED)


class Summit(SQLModel, table=True):
    """One summit of a cohort. Times in the grid are UTC; pages show them in the
    academy's time zone."""

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    title: str = Field(max_length=200)
    venue: str = Field(default="", max_length=300)
    starts_on: date
    ends_on: date
    welcome: str = Field(default="", max_length=4000)
    pitch_minutes: int = 10
    changeover_minutes: int = 5
    pitch_deadline: datetime | None = utc_field()
    # Criteria of the judges' rubric, in order (each scored 1-5 with a note).
    rubric: list[str] = Field(default_factory=list, sa_type=JSON)
    # The criterion whose higher average breaks a tie, then the smaller judge spread.
    tie_break: str = Field(default="", max_length=200)
    scoring: str = Field(default=ScoringState.NOT_OPEN, max_length=10)
    scheduled_at: datetime | None = utc_field()
    programme_printed_at: datetime | None = utc_field()
    published_at: datetime | None = utc_field()
    created_at: datetime = created_at_field()


class SummitRoom(SQLModel, table=True):
    __tablename__ = "summit_room"
    __table_args__ = (UniqueConstraint("summit_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    summit_id: int = Field(foreign_key="summit.id", index=True)
    name: str = Field(max_length=120)
    capacity: int = 30  # people in the room at once: presenters, mentor, judges


class SummitSession(SQLModel, table=True):
    """A block of the day: pitches are scheduled only inside `pitches` blocks; a break
    is shown in the programme."""

    __tablename__ = "summit_session"

    id: int | None = Field(default=None, primary_key=True)
    summit_id: int = Field(foreign_key="summit.id", index=True)
    label: str = Field(default="", max_length=120)
    is_break: bool = False
    starts_at: datetime = utc_field(nullable=False)
    ends_at: datetime = utc_field(nullable=False)


class Pitch(SQLModel, table=True):
    """The current text of a pitch; each submission freezes a PitchVersion."""

    __table_args__ = (Index("ix_pitch_summit_status", "summit_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    summit_id: int = Field(foreign_key="summit.id")
    owner_id: int = Field(foreign_key="user.id", index=True)
    status: str = Field(default=PitchStatus.DRAFT, max_length=12)
    title: str = Field(default="", max_length=200)
    problem: str = Field(default="", max_length=4000)
    who_is_affected: str = Field(default="", max_length=4000)
    evidence: str = Field(default="", max_length=4000)
    idea: str = Field(default="", max_length=4000)
    needs_from_government: str = Field(default="", max_length=4000)
    first_90_days: str = Field(default="", max_length=4000)
    summary: str = Field(default="", max_length=300)
    theme: str = Field(default="", max_length=200)  # department or sector, for grouping
    mentor_attends: bool = False
    version: int = 0  # the newest submitted version (0: never submitted)
    revision: int = 0  # grows with every autosave
    source_submission_id: int | None = Field(default=None, foreign_key="submission.id")
    changes_note: str = Field(default="", max_length=2000)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class PitchMember(SQLModel, table=True):
    """A person on a pitch's team; the owner is confirmed from the start, others confirm."""

    __tablename__ = "pitch_member"
    __table_args__ = (UniqueConstraint("pitch_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    pitch_id: int = Field(foreign_key="pitch.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    confirmed_at: datetime | None = utc_field()


class PitchVersion(SQLModel, table=True):
    __tablename__ = "pitch_version"
    __table_args__ = (UniqueConstraint("pitch_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    pitch_id: int = Field(foreign_key="pitch.id", index=True)
    version: int
    content: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    submitted_by_id: int = Field(foreign_key="user.id")
    submitted_at: datetime = created_at_field()


class PitchComment(SQLModel, table=True):
    """A mentor's comment, or the organisers' request for changes, on a pitch."""

    __tablename__ = "pitch_comment"

    id: int | None = Field(default=None, primary_key=True)
    pitch_id: int = Field(foreign_key="pitch.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    body: str = Field(max_length=4000)
    kind: str = Field(default="comment", max_length=12)  # comment | changes
    created_at: datetime = created_at_field()


class SummitJudge(SQLModel, table=True):
    """A judge of one room: an account (user_id) or a guest. Either way they open their
    room with a personal link; only the link's hash is kept."""

    __tablename__ = "summit_judge"

    id: int | None = Field(default=None, primary_key=True)
    summit_id: int = Field(foreign_key="summit.id", index=True)
    room_id: int = Field(foreign_key="summit_room.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    name: str = Field(max_length=120)
    email: str = Field(default="", max_length=254)
    department: str = Field(default="", max_length=200)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = utc_field(nullable=False)
    created_at: datetime = created_at_field()


class SummitGuest(SQLModel, table=True):
    __tablename__ = "summit_guest"

    id: int | None = Field(default=None, primary_key=True)
    summit_id: int = Field(foreign_key="summit.id", index=True)
    name: str = Field(max_length=120)
    affiliation: str = Field(default="", max_length=200)


class ScheduleSlot(SQLModel, table=True):
    """Where and when a shortlisted pitch is heard; `locked` keeps it in place when the
    solver runs again."""

    __tablename__ = "schedule_slot"
    __table_args__ = (UniqueConstraint("room_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    summit_id: int = Field(foreign_key="summit.id", index=True)
    pitch_id: int = Field(foreign_key="pitch.id", unique=True)
    room_id: int = Field(foreign_key="summit_room.id")
    starts_at: datetime = utc_field(nullable=False)
    ends_at: datetime = utc_field(nullable=False)
    locked: bool = False


class PitchScore(SQLModel, table=True):
    """One judge's scores of one pitch: {criterion: 1..5} and {criterion: note}."""

    __tablename__ = "pitch_score"
    __table_args__ = (UniqueConstraint("judge_id", "pitch_id"),)

    id: int | None = Field(default=None, primary_key=True)
    summit_id: int = Field(foreign_key="summit.id", index=True)
    judge_id: int = Field(foreign_key="summit_judge.id")
    pitch_id: int = Field(foreign_key="pitch.id", index=True)
    scores: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
    notes: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = created_at_field()


class SummitAward(SQLModel, table=True):
    __tablename__ = "summit_award"

    id: int | None = Field(default=None, primary_key=True)
    summit_id: int = Field(foreign_key="summit.id", index=True)
    pitch_id: int = Field(foreign_key="pitch.id")
    name: str = Field(max_length=120)
