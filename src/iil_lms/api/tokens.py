"""Personal API tokens: made, listed and revoked on the account page, checked on every
/api/v1 request.

Stored hashed with plain SHA-256, not argon2 like passwords: a token is 256 bits from
`secrets.token_urlsafe`, so nobody can guess it or search a list of likely ones, and a
fast hash is enough to make a copy of the table useless; a slow hash would only slow
down every API request (it is checked on each one). The token is shown once, when made."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.api.models import ApiToken
from iil_lms.audit.service import record
from iil_lms.db import as_utc, utcnow
from iil_lms.i18n import N_

READ, WRITE = "read", "write"
SCOPES = (READ, WRITE)
NAME_LIMIT = 80
# Tokens start with this, so a leaked one is easy to recognise (and to search code for).
TOKEN_START = "iil_"  # noqa: S105 - a marker, not a secret
PREFIX_LENGTH = 12
# last_used_at is written at most this often per token: one write per request would
# make every API read a write.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenInvalid(ValueError):
    """Per field, a message id saying why the token was not made."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Authenticated:
    token_id: int
    scope: str
    user: User
    last_used_at: datetime | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, user: User, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token for `user`: the row (hash only) and the token, which is never stored."""
    assert user.id is not None
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = N_("Give the token a name, such as the system that will use it.")
    elif len(name) > NAME_LIMIT:
        errors["name"] = N_("Use at most %(count)s characters.")
    if scope not in SCOPES:
        errors["scope"] = N_("Choose what the token may do.")
    if errors:
        raise TokenInvalid(errors)
    token = TOKEN_START + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(token),
        prefix=token[:PREFIX_LENGTH],
        scope=scope,
    )
    session.add(row)
    session.flush()
    record(
        session,
        user.id,
        "api_token.create",
        f"user:{user.id}",
        after={"token_id": row.id, "name": name, "scope": scope, "prefix": row.prefix},
    )
    return row, token


def of_user(session: Session, user_id: int) -> list[ApiToken]:
    """The person's tokens that still work, newest first."""
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))
            .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
        ).all()
    )


def revoke(session: Session, user: User, token_id: int) -> bool:
    """Revoke one of the person's own working tokens; False when there is no such token."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    session.add(row)
    record(
        session,
        user.id,
        "api_token.revoke",
        f"user:{user.id}",
        before={"token_id": row.id, "name": row.name, "scope": row.scope, "prefix": row.prefix},
    )
    return True


def authenticate(session: Session, token: str) -> Authenticated | None:
    """The working token and its (active) person for a presented token, else None. One
    query."""
    if not token.startswith(TOKEN_START) or len(token) > 200:
        return None
    found = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.revoked_at is not None or not user.is_active or row.id is None:
        return None
    return Authenticated(row.id, row.scope, user, row.last_used_at)


def due_for_touch(last_used_at: datetime | None, now: datetime) -> bool:
    if last_used_at is None:
        return True
    return now - as_utc(last_used_at) >= LAST_USED_EVERY


def touch(session: Session, token_id: int) -> None:
    """Note that the token was used now (unless that was noted less than a minute ago)."""
    now = utcnow()
    session.execute(
        update(ApiToken)
        .where(col(ApiToken.id) == token_id)
        .where(
            or_(
                col(ApiToken.last_used_at).is_(None),
                col(ApiToken.last_used_at) <= now - LAST_USED_EVERY,
            )
        )
        .values(last_used_at=now)
    )
