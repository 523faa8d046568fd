"""Tokens and calls for the API tests."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from iil_lms.accounts.models import User
from iil_lms.api import tokens


def token_for(session: Session, user: User, scope: str = tokens.WRITE, name: str = "sync") -> str:
    """A working token of `user`, made as the account page makes one."""
    _row, token = tokens.create(session, user, name, scope)
    session.commit()
    return token


def bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}
