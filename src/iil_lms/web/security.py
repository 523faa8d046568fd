"""Signing: the flash cookie (itsdangerous: signed, timestamped, refused once too old)
and the CSRF token (a keyed digest, below)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer

# A flash message is shown on the next page; a cookie older than this is stale.
FLASH_MAX_AGE_S = 10 * 60


def sign(secret: str, message: str) -> str:
    """The CSRF token of a session or anonymous visitor (`message` names which). Not a
    signed cookie, so not itsdangerous: it carries no payload to read back and needs no
    timestamp (it lives as long as the session whose token hash it is computed from),
    and it must be the same on every page of the session, so it is a plain HMAC,
    compared in constant time (web/csrf.py)."""
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _serializer(secret: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=salt)


def dump_signed(secret: str, payload: Any, salt: str = "flash") -> str:
    """`payload` as JSON, signed and timestamped, for a cookie."""
    return _serializer(secret, salt).dumps(payload)


def load_signed(
    secret: str, value: str | None, salt: str = "flash", max_age: int = FLASH_MAX_AGE_S
) -> Any:
    """What dump_signed signed, or None when the value is missing, altered, signed for
    another purpose (salt) or older than `max_age` seconds."""
    if not value:
        return None
    try:
        return _serializer(secret, salt).loads(value, max_age=max_age)
    except BadData:
        return None
