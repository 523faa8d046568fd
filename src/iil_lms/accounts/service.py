"""Accounts: password hashing, login with throttling, sessions, invitation and reset
tokens. Plain functions over a Session; no HTTP here."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func
from sqlmodel import Session, select

from iil_lms.accounts.models import AuditEntry, AuthToken, LoginFailure, User, UserSession
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


def _recent_failures(
    session: Session, settings: Settings, *, email: str, address: str
) -> tuple[int, int]:
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    by_account = session.exec(
        select(func.count()).where(LoginFailure.email == email, LoginFailure.at >= since)
    ).one()
    by_address = session.exec(
        select(func.count()).where(LoginFailure.address == address, LoginFailure.at >= since)
    ).one()
    return int(by_account), int(by_address)


def authenticate(
    session: Session, settings: Settings, *, email: str, password: str, address: str
) -> LoginResult:
    """Check a login. Too many recent failures for the account or from the address
    refuse even a correct password until the window passes."""
    email = normalise_email(email)
    by_account, by_address = _recent_failures(session, settings, email=email, address=address)
    if (
        by_account >= settings.login_max_failures_per_account
        or by_address >= settings.login_max_failures_per_address
    ):
        return LoginResult(None, throttled=True)
    user = session.exec(select(User).where(User.email == email)).first()
    if user is not None and user.is_active and verify_password(user.password_hash, password):
        session.execute(delete(LoginFailure).where(LoginFailure.email == email))  # type: ignore[arg-type]
        user.last_login_at = utcnow()
        session.add(user)
        session.flush()
        return LoginResult(user)
    if user is None:
        verify_password(None, password)
    session.add(LoginFailure(email=email[:254], address=address[:64]))
    session.flush()
    return LoginResult(None)


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


def session_user(session: Session, token: str) -> tuple[UserSession, User] | None:
    row = session.exec(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)  # type: ignore[arg-type]
        .where(UserSession.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    user_session, user = row
    if as_utc(user_session.expires_at) <= utcnow() or not user.is_active:
        return None
    return user_session, user


def end_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == hash_token(token)))  # type: ignore[arg-type]
    session.flush()


def issue_token(session: Session, settings: Settings, user: User, purpose: str) -> str:
    """A single-use invitation or reset token. Earlier unused tokens of the same purpose
    stop working, so only the newest link in someone's inbox is valid."""
    if purpose not in ("invite", "reset"):
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
    lifetime = (
        timedelta(days=settings.invitation_days)
        if purpose == "invite"
        else timedelta(hours=settings.reset_hours)
    )
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


def audit(
    session: Session, actor_id: int | None, action: str, subject: str, detail: str = ""
) -> None:
    session.add(AuditEntry(actor_id=actor_id, action=action, subject=subject, detail=detail[:2000]))


def user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()
