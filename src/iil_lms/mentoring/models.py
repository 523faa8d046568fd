"""Mentoring tables: who mentors whom (with history), mentees' preferences and their
private feedback on mentors, the mentoring log, and learning circles' discussions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from iil_lms.models_base import created_at_field, utc_field


class MentorAssignment(SQLModel, table=True):
    """One mentor for one trainee in one cohort, from `assigned_at` until `ended_at`.
    Changing a trainee's mentor ends the old row and adds a new one, so the history of
    who mentored whom is kept; at most one row per trainee and cohort is open."""

    __tablename__ = "mentor_assignment"
    __table_args__ = (
        Index(
            "uq_mentor_assignment_open",
            "cohort_id",
            "trainee_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_mentor_assignment_mentor", "cohort_id", "mentor_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id")
    mentor_id: int = Field(foreign_key="user.id")
    trainee_id: int = Field(foreign_key="user.id", index=True)
    assigned_at: datetime = created_at_field()
    ended_at: datetime | None = utc_field()
    assigned_by_id: int | None = Field(default=None, foreign_key="user.id")
    # "hand" (a trainer chose) or "auto" (the balanced assignment)
    method: str = Field(default="hand", max_length=8)


class MenteePreference(SQLModel, table=True):
    """What a trainee asked for in a mentor. Kept here rather than on the roster
    (Membership) because the trainee sets it, not the roster import."""

    __tablename__ = "mentee_preference"
    __table_args__ = (UniqueConstraint("cohort_id", "trainee_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    trainee_id: int = Field(foreign_key="user.id")
    wants_same_gender_mentor: bool = False
    updated_at: datetime = created_at_field()


class MentorFeedback(SQLModel, table=True):
    """A mentee's private feedback on their mentor; only trainers read it."""

    __tablename__ = "mentor_feedback"

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    mentor_id: int = Field(foreign_key="user.id")
    trainee_id: int = Field(foreign_key="user.id")
    rating: int | None = None  # 1 (not helpful) .. 5 (very helpful)
    body: str = Field(default="")
    created_at: datetime = created_at_field()


class LogMode:
    IN_PERSON = "in_person"
    PHONE = "phone"
    ONLINE = "online"
    ALL = (IN_PERSON, PHONE, ONLINE)


class MentoringLogEntry(SQLModel, table=True):
    """The record of one mentoring conversation, written by the mentor; the trainee and
    the cohort's trainers can read it."""

    __tablename__ = "mentoring_log_entry"
    __table_args__ = (Index("ix_mentoring_log_trainee", "cohort_id", "trainee_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id")
    mentor_id: int = Field(foreign_key="user.id")
    trainee_id: int = Field(foreign_key="user.id")
    held_on: date
    mode: str = Field(max_length=16)
    topics: str = Field(default="")
    next_steps: str = Field(default="")
    created_at: datetime = created_at_field()


class CirclePost(SQLModel, table=True):
    """A post in a learning circle's discussion, or a reply to one (`parent_id`). Never
    deleted: a trainer can hide a post, which keeps it and records who and why."""

    __tablename__ = "circle_post"
    __table_args__ = (Index("ix_circle_post_circle", "circle_id", "parent_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="learning_circle.id")
    author_id: int = Field(foreign_key="user.id")
    parent_id: int | None = Field(default=None, foreign_key="circle_post.id")
    body: str = Field(default="")
    created_at: datetime = created_at_field()
    hidden_at: datetime | None = utc_field()
    hidden_by_id: int | None = Field(default=None, foreign_key="user.id")
    hidden_reason: str = Field(default="", max_length=500)
