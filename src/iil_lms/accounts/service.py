"""Accounts: password hashing, login with throttling, sessions, invitation and reset
tokens. Plain functions over a Session; no HTTP here."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from iil_lms.accounts import throttle
from iil_lms.accounts.models import AuthToken, User, UserSession
from iil_lms.audit.service import record
from iil_lms.db import as_utc, utcnow
from iil_lms.settings import LANGUAGES, Settings

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A user-facing reason an account action was refused."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check so a missing account is not told apart.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Use at least {MIN_PASSWORD_LENGTH} characters.")


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str | None = None,
    language: str | None = None,
    is_admin: bool = False,
) -> User:
    """Create an account; the email must be new. Without a password the account can only
    be entered through an invitation link."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("Enter a valid email address.")
    if not display_name.strip():
        raise AccountError("Enter a display name.")
    if language is not None and language not in LANGUAGES:
        raise AccountError(f"Unknown language {language!r}.")
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise AccountError(f"An account with the email {email} already exists.")
    if password is not None:
        check_password_rules(password)
    user = User(
        email=email,
        display_name=display_name.strip(),
        language=language,
        is_admin=is_admin,
        password_hash=hash_password(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = hash_password(password)
    session.add(user)
    # A new password ends every other session: a reset after a stolen laptop must help.
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))  # type: ignore[arg-type]
    session.flush()


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    throttled: bool = False
    # Seconds to wait before the next attempt, and why ("account" or "address").
    retry_after: int = 0
    scope: str = ""
    # Set when the owner must be told that their account is being guessed at: the
    # account and a fresh link that lets a device of theirs in without waiting.
    owner: User | None = None
    unlock_token: str | None = None


def authenticate(
    session: Session,
    settings: Settings,
    *,
    email: str,
    password: str,
    address: str,
    device: str | None = None,
) -> LoginResult:
    """Check a login. Too many recent failures slow guessing down (the next attempt must
    wait, longer after each failure) rather than lock the account: from one address,
    for one account from one address, and for one account from anywhere, which a device
    the owner used before (`device`, the known-device cookie) does not wait for. The
    first time the account's failures reach the limit in a window, the owner gets an
    unlock link (returned here for the caller to send)."""
    email = normalise_email(email)
    user = session.exec(select(User).where(User.email == email)).first()
    known = user is not None and throttle.device_knows(settings, device, user)
    wait = throttle.login_wait(session, settings, email=email, address=address, known_device=known)
    if wait.seconds:
        return LoginResult(None, throttled=True, retry_after=wait.seconds, scope=wait.scope)
    if user is not None and user.is_active and verify_password(user.password_hash, password):
        # The owner's own typing errors from here stop counting; failures from
        # elsewhere still do, so signing in never gives a guesser fresh attempts.
        throttle.forget_failures(session, email=email, address=address)
        user.last_login_at = utcnow()
        session.add(user)
        session.flush()
        return LoginResult(user)
    if user is None:
        verify_password(None, password)
    throttle.record_failure(session, settings, email=email, address=address)
    if (
        user is not None
        and user.is_active
        and wait.account_failures + 1 >= settings.login_max_failures_per_account
        and not _unlock_sent_recently(session, settings, user)
    ):
        return LoginResult(
            None, owner=user, unlock_token=issue_token(session, settings, user, "unlock")
        )
    return LoginResult(None)


def _unlock_sent_recently(session: Session, settings: Settings, user: User) -> bool:
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    return (
        session.exec(
            select(AuthToken.id).where(
                AuthToken.user_id == user.id,
                AuthToken.purpose == "unlock",
                AuthToken.created_at >= since,
            )
        ).first()
        is not None
    )


def unlock_device(session: Session, token: str) -> User:
    """Redeem an unlock link: the caller then marks the device as the owner's. The link
    works once and signs no one in: the password is still needed."""
    auth_token, user = find_token(session, token, "unlock")
    auth_token.used_at = utcnow()
    session.add(auth_token)
    session.flush()
    return user


def start_session(session: Session, settings: Settings, user: User) -> str:
    """A fresh random session token for every login (no fixation); only its hash is
    stored."""
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,  # type: ignore[arg-type]
            expires_at=utcnow() + timedelta(days=settings.session_days),
        )
    )
    session.flush()
    return token


def end_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == hash_token(token)))  # type: ignore[arg-type]
    session.flush()


def issue_token(session: Session, settings: Settings, user: User, purpose: str) -> str:
    """A single-use invitation or reset token. Earlier unused tokens of the same purpose
    stop working, so only the newest link in someone's inbox is valid."""
    if purpose not in ("invite", "reset", "unlock"):
        raise ValueError(purpose)
    now = utcnow()
    for old in session.exec(
        select(AuthToken).where(
            AuthToken.user_id == user.id,
            AuthToken.purpose == purpose,
            AuthToken.used_at.is_(None),  # type: ignore[union-attr]
        )
    ):
        old.used_at = now
        session.add(old)
    lifetime = {
        "invite": timedelta(days=settings.invitation_days),
        "reset": timedelta(hours=settings.reset_hours),
        "unlock": timedelta(hours=settings.login_unlock_hours),
    }[purpose]
    token = secrets.token_urlsafe(32)
    session.add(
        AuthToken(
            token_hash=hash_token(token),
            purpose=purpose,
            user_id=user.id,  # type: ignore[arg-type]
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


class TokenProblem(AccountError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown" | "expired" | "used"


def find_token(session: Session, token: str, purpose: str) -> tuple[AuthToken, User]:
    row = session.exec(
        select(AuthToken, User)
        .join(User, User.id == AuthToken.user_id)  # type: ignore[arg-type]
        .where(AuthToken.token_hash == hash_token(token), AuthToken.purpose == purpose)
    ).first()
    if row is None:
        raise TokenProblem("unknown")
    auth_token, user = row
    if auth_token.used_at is not None:
        raise TokenProblem("used")
    if as_utc(auth_token.expires_at) <= utcnow():
        raise TokenProblem("expired")
    return auth_token, user


def redeem_token(session: Session, token: str, purpose: str, new_password: str) -> User:
    """Set a password through a link; the token works once."""
    auth_token, user = find_token(session, token, purpose)
    set_password(session, user, new_password)
    auth_token.used_at = utcnow()
    session.add(auth_token)
    session.flush()
    return user


def set_language(session: Session, user: User, language: str) -> None:
    if language not in LANGUAGES:
        raise AccountError(f"Unknown language {language!r}.")
    user.language = language
    session.add(user)
    session.flush()


PROFILE_LIMITS = {"display_name": 120, "gender": 32, "disability": 32, "service_group": 80}


class ProfileProblem(AccountError):
    """Fields of the account form that cannot be saved, by field name."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields  # field -> "required" | "too_long"


def update_profile(
    session: Session,
    user: User,
    *,
    display_name: str,
    gender: str,
    disability: str,
    service_group: str,
) -> None:
    """Save a person's own name and their optional, self-declared profile (gender,
    disability, service group: used for mentor matching and GESI figures only). Nothing
    is written when a field is wrong. The account page calls it through
    `cohorts.service.update_profile`, which copies the profile to the memberships."""
    values = {
        "display_name": display_name.strip(),
        "gender": gender.strip(),
        "disability": disability.strip(),
        "service_group": service_group.strip(),
    }
    problems = {
        name: "too_long" for name, value in values.items() if len(value) > PROFILE_LIMITS[name]
    }
    if not values["display_name"]:
        problems["display_name"] = "required"
    if problems:
        raise ProfileProblem(problems)
    user.display_name = values["display_name"]
    user.gender = values["gender"] or None
    user.disability = values["disability"] or None
    user.service_group = values["service_group"] or None
    session.add(user)
    audit(session, user.id, "account.profile", f"user:{user.id}")
    session.flush()


@dataclass(frozen=True)
class PasswordChange:
    """What became of a password change: `problem` is None when it was saved; otherwise
    "current" (wrong current password), "mismatch", "short" or "throttled" (then
    `retry_after` seconds)."""

    problem: str | None
    retry_after: int = 0


def change_password(
    session: Session,
    settings: Settings,
    user: User,
    *,
    current: str,
    new: str,
    confirm: str,
    address: str,
    keep_session_token: str | None,
) -> PasswordChange:
    """A signed-in person changes their password: the current one is required (a wrong
    one counts as a failed login, so the form cannot be used to guess it), and every
    other session of theirs ends; the one they are using stays."""
    wait = throttle.login_wait(
        session, settings, email=user.email, address=address, known_device=True
    )
    if wait.seconds:
        return PasswordChange("throttled", wait.seconds)
    if not verify_password(user.password_hash, current):
        throttle.record_failure(session, settings, email=user.email, address=address)
        return PasswordChange("current")
    if new != confirm:
        return PasswordChange("mismatch")
    if len(new) < MIN_PASSWORD_LENGTH:
        return PasswordChange("short")
    user.password_hash = hash_password(new)
    session.add(user)
    others = delete(UserSession).where(col(UserSession.user_id) == user.id)
    if keep_session_token:
        others = others.where(col(UserSession.token_hash) != hash_token(keep_session_token))
    session.execute(others)
    audit(session, user.id, "account.password", f"user:{user.id}")
    session.flush()
    return PasswordChange(None)


def audit(
    session: Session,
    actor_id: int | None,
    action: str,
    subject: str,
    detail: str = "",
    before: Any = None,
    after: Any = None,
) -> None:
    record(session, actor_id, action, subject, before, after, detail=detail)


def user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()
