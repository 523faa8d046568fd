from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel

from iil_lms.models_base import created_at_field, utc_field


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=120)
    # None: never chosen; pages follow the sign-in page choice, browser, then academy.
    language: str | None = Field(default=None, max_length=8)
    password_hash: str | None = Field(default=None, max_length=255)
    is_admin: bool = False
    is_active: bool = True
    created_at: datetime = created_at_field()
    last_login_at: datetime | None = utc_field()
    # Optional self-declared profile for gender and social inclusion (GESI) reports only.
    gender: str | None = Field(default=None, max_length=32)
    disability: str | None = Field(default=None, max_length=32)
    service_group: str | None = Field(default=None, max_length=80)


class UserSession(SQLModel, table=True):
    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    active_cohort_id: int | None = Field(default=None)
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)


class AuthToken(SQLModel, table=True):
    """A single-use link token (invitation or password reset); only its hash is kept."""

    __tablename__ = "auth_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    purpose: str = Field(max_length=16)  # "invite" | "reset" | "unlock"
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    used_at: datetime | None = utc_field()


class LoginFailure(SQLModel, table=True):
    """Failed logins, counted per account and per address to throttle guessing."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = created_at_field()


class ResetRequest(SQLModel, table=True):
    """A request for a password reset email, counted per account and per address so the
    form cannot be used to flood someone's inbox. `sent` says whether an email went."""

    __tablename__ = "reset_request"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    sent: bool = False
    at: datetime = created_at_field()


class AuditEntry(SQLModel, table=True):
    """Who changed what, for every administrative change: the state before and after as
    canonical JSON text. Sealed at commit into a hash chain (iil_lms.audit.chain): `seq`
    counts entries without gaps and `hash` covers the previous entry's hash and this
    entry, so a row altered or removed outside the app shows."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = created_at_field()
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=80, index=True)
    subject: str = Field(max_length=200)
    detail: str = Field(default="", max_length=2000)
    cohort_id: int | None = Field(default=None, index=True)
    before: str = Field(default="null", sa_type=Text)
    after: str = Field(default="null", sa_type=Text)
    seq: int | None = Field(default=None, unique=True)
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)


class AuditChainHead(SQLModel, table=True):
    """The newest sealed entry's number and hash (one row), so removing the last entries
    shows too; appends lock it so the chain stays one line under concurrent writers."""

    __tablename__ = "audit_chain_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="", max_length=64)
