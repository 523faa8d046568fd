"""Outreach items (a story, a poster or photo, a video link), their earlier versions
and the moderation decisions on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from iil_lms.models_base import created_at_field, utc_field


class OutreachKind:
    STORY = "story"
    IMAGE = "image"  # a poster or a photo (image or PDF file)
    VIDEO = "video"  # a link to a short video
    ALL = (STORY, IMAGE, VIDEO)


class OutreachStatus:
    SUBMITTED = "submitted"  # waiting for a trainer
    CHANGES = "changes"  # a trainer asked for changes
    APPROVED = "approved"  # shown on the academy's showcase
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # taken back by its author
    ALL = (SUBMITTED, CHANGES, APPROVED, REJECTED, WITHDRAWN)


class OutreachItem(SQLModel, table=True):
    """The current version of an outreach item. `public_id` is the unguessable name the
    showcase uses in its links; the author decides whether their name is shown."""

    __tablename__ = "outreach_item"
    __table_args__ = (Index("ix_outreach_cohort_status", "cohort_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    cohort_id: int = Field(foreign_key="cohort.id")
    author_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=8)
    title: str = Field(max_length=200)
    body: str = Field(default="")  # Markdown: the story, or a caption
    department: str = Field(default="", max_length=200)
    file_name: str | None = Field(default=None, max_length=120)
    file_type: str | None = Field(default=None, max_length=40)
    image_width: int | None = None
    image_height: int | None = None
    video_url: str | None = Field(default=None, max_length=500)
    show_name: bool = False
    status: str = Field(default=OutreachStatus.SUBMITTED, max_length=12)
    moderation_note: str = Field(default="", max_length=2000)
    moderated_by_id: int | None = Field(default=None, foreign_key="user.id")
    moderated_at: datetime | None = utc_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    approved_at: datetime | None = utc_field(index=True)


class OutreachRevision(SQLModel, table=True):
    """What an item said before its author changed it; nothing written is lost."""

    __tablename__ = "outreach_revision"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="outreach_item.id", index=True)
    title: str = Field(max_length=200)
    body: str = Field(default="")
    file_name: str | None = Field(default=None, max_length=120)
    file_type: str | None = Field(default=None, max_length=40)
    video_url: str | None = Field(default=None, max_length=500)
    saved_at: datetime = created_at_field()


class OutreachDecision(SQLModel, table=True):
    """Every moderation step (and resubmission), in order: the item's history."""

    __tablename__ = "outreach_decision"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="outreach_item.id", index=True)
    actor_id: int = Field(foreign_key="user.id")
    action: str = Field(max_length=12)  # submitted, approved, changes, rejected, withdrawn
    note: str = Field(default="", max_length=2000)
    at: datetime = created_at_field()
