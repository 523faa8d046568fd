"""Notifications shown in the app, each person's choices, and the email outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from iil_lms.models_base import created_at_field, utc_field


class Notification(SQLModel, table=True):
    """Something that happened for one person. `params` fill the kind's message when it
    is shown, so it reads in the viewer's language; `text` keeps the English wording.
    `dedupe_key` makes repeated sends (daily reminders) idempotent."""

    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kind: str = Field(max_length=24)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    text: str = Field(default="", max_length=500)
    link: str = Field(default="", max_length=300)
    created_at: datetime = created_at_field()
    read_at: datetime | None = utc_field()
    dedupe_key: str | None = Field(default=None, max_length=120)


class NotificationSetting(SQLModel, table=True):
    """A person's choice for one kind of notification; without a row the defaults of
    the kind apply."""

    __tablename__ = "notification_setting"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=24)
    in_app: bool = True
    email: bool = True


class OutboxMessage(SQLModel, table=True):
    """An email waiting to be sent by `iil-lms send-outbox`. Failed sends are retried
    with a growing delay until `MAX_ATTEMPTS`."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_outbox_pending", "sent_at", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(default="")
    # A path on this site, made absolute with the base URL when the email is sent.
    link: str = Field(default="", max_length=300)
    language: str = Field(default="en", max_length=8)
    created_at: datetime = created_at_field()
    next_attempt_at: datetime = created_at_field()
    sent_at: datetime | None = utc_field()
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)
    dedupe_key: str | None = Field(default=None, max_length=120)
