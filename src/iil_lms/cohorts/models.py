from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from iil_lms.models_base import created_at_field, utc_field


class Role(StrEnum):
    TRAINEE = "trainee"
    MENTOR = "mentor"
    TRAINER = "trainer"
    ORGANISER = "organiser"


class Academy(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True, index=True)
    name: str = Field(max_length=200)
    country: str = Field(max_length=80)
    timezone: str = Field(default="UTC", max_length=64)
    # The second language of certificates and content next to English.
    local_language: str = Field(default="en", max_length=8)
    created_at: datetime = created_at_field()
    short_name: str = Field(default="", max_length=40)
    # The languages it offers, comma-separated: English first, then Urdu and/or Nepali.
    languages: str = Field(default="en", max_length=40)
    # The stored logo's file name (see cohorts.admin.academy_logo), None without one.
    logo_name: str | None = Field(default=None, max_length=64)
    contact_address: str = Field(default="", max_length=1000)

    @property
    def offered_languages(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class Cohort(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("academy_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    academy_id: int = Field(foreign_key="academy.id", index=True)
    slug: str = Field(max_length=60)
    name: str = Field(max_length=200)
    language: str = Field(default="en", max_length=8)
    starts_on: date
    ends_on: date
    timeframe: str = Field(default="academy-year", max_length=40)
    curriculum_version_id: int | None = Field(default=None, foreign_key="curriculum_version.id")
    created_at: datetime = created_at_field()
    # Next to English: one of the languages its academy offers ("" when it has none).
    second_language: str = Field(default="", max_length=8)
    # An archived cohort is kept and readable by its staff, but takes no more writes and
    # leaves the day-to-day lists.
    archived_at: datetime | None = utc_field()


class LearningCircle(SQLModel, table=True):
    __tablename__ = "learning_circle"
    __table_args__ = (UniqueConstraint("cohort_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    name: str = Field(max_length=120)


class Membership(SQLModel, table=True):
    """A person's role in one cohort, with the roster facts that matter for mentoring
    and reports."""

    __table_args__ = (UniqueConstraint("cohort_id", "user_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(max_length=16)
    circle_id: int | None = Field(default=None, foreign_key="learning_circle.id", index=True)
    department: str = Field(default="", max_length=200)
    district: str = Field(default="", max_length=120)
    province: str = Field(default="", max_length=120)
    line_manager_id: int | None = Field(default=None, foreign_key="user.id")
    service_group: str = Field(default="", max_length=80)
    # Optional and self-declared, for gender and social inclusion (GESI) figures only:
    # shown to the cohort's trainers and site admins, never to mentors or peers.
    gender: str = Field(default="", max_length=32)
    disability: str = Field(default="", max_length=32)
    # A withdrawn trainee keeps their work; they leave day-to-day lists until re-enrolled.
    withdrawn_at: datetime | None = utc_field()
    created_at: datetime = created_at_field()


class Convening(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    title: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    venue: str = Field(default="", max_length=200)
    agenda: str = Field(default="", max_length=4000)
    # Ids of the curriculum modules the convening works on.
    module_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = created_at_field()


class Attendance(SQLModel, table=True):
    """Whether a person was at one day of a convening; a missing row means not yet taken."""

    __table_args__ = (UniqueConstraint("convening_id", "user_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    convening_id: int = Field(foreign_key="convening.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    day: date
    present: bool
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: datetime = created_at_field()


class RosterUpload(SQLModel, table=True):
    """A roster file read for preview: its rows wait here, under an unguessable token,
    until the trainer confirms (validated again then) or they expire."""

    __tablename__ = "roster_upload"
    __table_args__ = (Index("ix_roster_upload_cohort", "cohort_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True, index=True)
    cohort_id: int = Field(foreign_key="cohort.id")
    uploaded_by_id: int = Field(foreign_key="user.id")
    filename: str = Field(default="", max_length=200)
    rows: list[dict[str, str | int]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = created_at_field()
    imported_at: datetime | None = utc_field()


class AtRiskSetting(SQLModel, table=True):
    """A cohort's at-risk thresholds, set by its trainers: a trainee is at risk when a
    milestone is overdue by more than `behind_days`, or after `idle_days` without
    activity. Without a row the defaults apply."""

    __tablename__ = "at_risk_setting"

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", unique=True)
    behind_days: int = 14
    idle_days: int = 21
    updated_at: datetime = created_at_field()
