"""A trainee's work: drafts that autosave, frozen submissions with their versions, and
the review thread on each submission."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlalchemy.orm import aliased
from sqlmodel import Field, SQLModel, select

from iil_lms.models_base import created_at_field, utc_field


class Draft(SQLModel, table=True):
    """The unsaved answer being typed; one per trainee and exercise. `revision` grows
    with every save so a stale tab can be told that a newer save exists."""

    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id", "exercise_id"),
        # The progress grid's ETag reads the cohort's newest save from this index alone.
        Index("ix_draft_cohort_updated", "cohort_id", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    exercise_id: int = Field(foreign_key="exercise.id", index=True)
    content: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    revision: int = 0
    updated_at: datetime = created_at_field()


class DraftVersion(SQLModel, table=True):
    """Text a draft held before a later save replaced it, so an overwritten draft can be
    restored. Kept when a save came from a tab or device that had not seen it
    (`overwritten`), and as a checkpoint every few minutes of typing; only the newest
    few per draft are kept (learning/drafts.py)."""

    __tablename__ = "draft_version"

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    revision: int
    content: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    saved_at: datetime = created_at_field()
    overwritten: bool = False
    replaced_at: datetime = created_at_field()


class SubmissionStatus:
    SUBMITTED = "submitted"  # waiting for review
    RETURNED = "returned"  # sent back for revision
    ACCEPTED = "accepted"
    SCORED = "scored"  # quizzes and surveys: complete on submit


class Submission(SQLModel, table=True):
    """One frozen version of a trainee's answer. Resubmitting adds a new row with the
    next version; earlier versions and their feedback stay readable."""

    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id", "exercise_id", "version"),
        UniqueConstraint("user_id", "idempotency_key"),
        # The progress grid's ETag reads the cohort's newest review from this index alone.
        Index("ix_submission_cohort_reviewed", "cohort_id", "reviewed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    exercise_id: int = Field(foreign_key="exercise.id", index=True)
    version: int = 1
    content: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # Uploads: the stored file's random name under the data directory, and what it is.
    file_name: str | None = Field(default=None, max_length=120)
    file_type: str | None = Field(default=None, max_length=80)
    original_name: str | None = Field(default=None, max_length=255)
    score: float | None = None  # percent, for quizzes
    status: str = Field(default=SubmissionStatus.SUBMITTED, max_length=16, index=True)
    late: bool = False
    # The submit form's one-time token: a second identical POST (a double click) finds
    # this row instead of adding another version.
    idempotency_key: str | None = Field(default=None, max_length=64)
    # Typed in by a trainer from a paper exercise pack.
    entered_by_id: int | None = Field(default=None, foreign_key="user.id")
    submitted_at: datetime = created_at_field()
    reviewed_at: datetime | None = utc_field()
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")


class Feedback(SQLModel, table=True):
    """A comment in a submission's review thread (by a mentor, trainer or the trainee),
    optionally with rubric scores."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    parent_id: int | None = Field(default=None, foreign_key="feedback.id")
    body: str = Field(default="")
    # {"criterion text": "level chosen"}
    rubric_scores: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    # The decision this comment came with, if any: "returned" or "accepted".
    decision: str | None = Field(default=None, max_length=16)
    created_at: datetime = created_at_field()
    read_by_trainee_at: datetime | None = utc_field()


def newest_version_only() -> Any:
    """A query condition: the submission is the newest version of its exercise (for the
    trainee in that cohort)."""
    newer = aliased(Submission)
    return ~(
        select(newer.id)
        .where(
            newer.cohort_id == Submission.cohort_id,
            newer.user_id == Submission.user_id,
            newer.exercise_id == Submission.exercise_id,
            newer.version > Submission.version,
        )
        .exists()
    )
