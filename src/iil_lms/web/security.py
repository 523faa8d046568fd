"""Signing helpers for CSRF tokens and flash cookies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


def sign(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def dump_signed(secret: str, payload: Any) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    return f"{body}.{sign(secret, body)}"


def load_signed(secret: str, value: str | None) -> Any:
    if not value or "." not in value:
        return None
    body, signature = value.rsplit(".", 1)
    if not hmac.compare_digest(sign(secret, body), signature):
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(body.encode() + b"=" * (-len(body) % 4)))
    except ValueError:
        return None
