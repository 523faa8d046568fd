"""The API token table: one row per token a person made on their account page."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from iil_lms.models_base import created_at_field, utc_field


class ApiToken(SQLModel, table=True):
    """A personal API token. Only the SHA-256 of the token is kept (see tokens.py for
    why a fast hash is right here); the token itself is shown once, when it is made."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    # The first characters of the token, to tell tokens apart in the list (not secret:
    # far too short to guess the rest from).
    prefix: str = Field(max_length=12)
    scope: str = Field(max_length=8)  # "read" | "write" (write includes read)
    created_at: datetime = created_at_field()
    last_used_at: datetime | None = utc_field()
    revoked_at: datetime | None = utc_field()
