"""Slowing down password guessing without locking the owner out, and limiting password
reset emails. All state is in the database, so every worker sees the same counts.

Failed logins are counted over a window per address, per account and address, and per
account. Past a limit, the next attempt in that scope must wait: the first wait, then
twice as long after each further failure, up to the longest. The per-account wait does
not apply to a device the owner signed in from before (a signed cookie) or that they let
in from the link emailed to them: someone guessing from many addresses slows down new
devices only, never the owner's own."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import LoginFailure, ResetRequest, User
from iil_lms.db import as_utc, utcnow
from iil_lms.settings import Settings

DEVICE_COOKIE = "iil_device"
# How many accounts one device remembers (a shared office computer).
DEVICE_ACCOUNTS = 5


# --- known devices ----------------------------------------------------------------------


def _device_mark(settings: Settings, user: User) -> str:
    """The user's mark on a device they signed in from: signed with the site's secret,
    and over their password hash, so a new password forgets every device. A keyed
    digest rather than an itsdangerous cookie: the cookie holds no data to read back
    (the user id beside it is only a hint), and the mark must stay valid as long as
    the password does, so there is no expiry to check."""
    message = f"known-device:{user.id}:{user.password_hash or ''}"
    digest = hmac.new(settings.secret_key.encode(), message.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _device_entries(cookie: str | None) -> list[tuple[str, str]]:
    entries = []
    for entry in (cookie or "").split("~")[:DEVICE_ACCOUNTS]:
        user_id, _dot, mark = entry.partition(".")
        if user_id.isascii() and user_id.isdigit() and mark:
            entries.append((user_id, mark))
    return entries


def device_knows(settings: Settings, cookie: str | None, user: User) -> bool:
    """Whether the device that sent `cookie` was used by `user` (with their current
    password) or let in from their unlock link."""
    expected = _device_mark(settings, user)
    return any(
        user_id == str(user.id) and hmac.compare_digest(mark, expected)
        for user_id, mark in _device_entries(cookie)
    )


def device_cookie_with(settings: Settings, cookie: str | None, user: User) -> str:
    """The device cookie's new value, remembering `user` (newest first)."""
    others = [e for e in _device_entries(cookie) if e[0] != str(user.id)]
    entries = [(str(user.id), _device_mark(settings, user)), *others][:DEVICE_ACCOUNTS]
    return "~".join(f"{user_id}.{mark}" for user_id, mark in entries)


# --- login waits --------------------------------------------------------------------------


@dataclass(frozen=True)
class Wait:
    """How long the next login attempt must wait, and why: "address" (too many failures
    from where the attempt comes from, for this account or any) or "account" (too many
    for the account from everywhere; a known device does not wait for this one)."""

    seconds: int
    scope: str = ""
    account_failures: int = 0


def _delay(settings: Settings, failures: int, limit: int, last: datetime | None) -> int:
    """Seconds still to wait after `failures` in the window with `limit` allowed."""
    if failures < limit or last is None:
        return 0
    doublings = min(failures - limit, 20)
    delay = min(
        settings.login_first_delay_seconds * 2**doublings, settings.login_longest_delay_seconds
    )
    remaining = as_utc(last) + timedelta(seconds=delay) - utcnow()
    return max(0, int(remaining.total_seconds() + 0.999))


def login_wait(
    session: Session, settings: Settings, *, email: str, address: str, known_device: bool
) -> Wait:
    """The wait before a login for `email` from `address` may be checked (one query)."""
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    of_account = col(LoginFailure.email) == email
    of_address = col(LoginFailure.address) == address
    of_both = and_(of_account, of_address)
    at = col(LoginFailure.at)
    row = session.execute(
        sa_select(
            func.count(case((of_account, 1))),
            func.max(case((of_account, at))),
            func.count(case((of_address, 1))),
            func.max(case((of_address, at))),
            func.count(case((of_both, 1))),
            func.max(case((of_both, at))),
        ).where(or_(of_account, of_address), at >= since)
    ).one()
    account_n, account_last, address_n, address_last, both_n, both_last = row
    per_account = settings.login_max_failures_per_account
    address_wait = max(
        _delay(settings, address_n, settings.login_max_failures_per_address, address_last),
        _delay(settings, both_n, per_account, both_last),
    )
    account_wait = 0 if known_device else _delay(settings, account_n, per_account, account_last)
    if account_wait > address_wait:
        return Wait(account_wait, "account", account_n)
    return Wait(address_wait, "address" if address_wait else "", account_n)


def record_failure(session: Session, settings: Settings, *, email: str, address: str) -> None:
    """Count a failed login; the account's failures older than the window go (they no
    longer count), so the table holds about one window's worth per account."""
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    session.execute(
        delete(LoginFailure).where(col(LoginFailure.email) == email, col(LoginFailure.at) < since)
    )
    session.add(LoginFailure(email=email[:254], address=address[:64]))
    session.flush()


def forget_failures(session: Session, *, email: str, address: str) -> None:
    session.execute(
        delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.address == address)  # type: ignore[arg-type]
    )


# --- password reset emails ----------------------------------------------------------------


def reset_email_allowed(session: Session, settings: Settings, *, email: str, address: str) -> bool:
    """Whether a reset email may go to `email` for a request from `address`: at most a
    few emails per account and a few more requests per address in the window. Every
    request is recorded, whatever the answer, and the caller answers the same."""
    since = utcnow() - timedelta(minutes=settings.reset_window_minutes)
    sent_to_account, from_address = session.exec(
        select(
            func.count(case((and_(col(ResetRequest.email) == email, col(ResetRequest.sent)), 1))),
            func.count(case((col(ResetRequest.address) == address, 1))),
        ).where(
            or_(col(ResetRequest.email) == email, col(ResetRequest.address) == address),
            col(ResetRequest.at) >= since,
        )
    ).one()
    allowed = (
        sent_to_account < settings.reset_emails_per_account
        and from_address < settings.reset_requests_per_address
    )
    session.execute(
        delete(ResetRequest).where(
            col(ResetRequest.address) == address, col(ResetRequest.at) < since
        )
    )
    session.add(ResetRequest(email=email[:254], address=address[:64], sent=allowed))
    session.flush()
    return bool(allowed)
