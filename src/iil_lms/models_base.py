"""Column helpers shared by every domain's tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime
from sqlmodel import Field

from iil_lms.db import utcnow


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)


def utc_field(*, nullable: bool = True, index: bool = False) -> Any:
    default: datetime | None = None
    return Field(default=default, sa_type=DateTime(timezone=True), nullable=nullable, index=index)
