"""Pure ASGI middleware: request ids, security headers, write intent, access logs."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iil_lms.db import write_intent
from iil_lms.logging_setup import request_id_var
from iil_lms.web.i18n import end_language_scope, new_language_scope

log = logging.getLogger("iil_lms.access")

# htmx needs no inline script or style when its indicator styles are off (see base.html).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _uses_sqlite(scope: Scope) -> bool:
    engine = getattr(getattr(scope.get("app"), "state", None), "engine", None)
    return engine is not None and engine.dialect.name == "sqlite"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # SQLite has one writer at a time. A request that writes holds the write lock
        # (BEGIN IMMEDIATE) from its first query to its commit, across several
        # thread-pool hops; with more writers in flight than worker threads or pooled
        # connections, the lock holder could wait for a thread that the waiting writers
        # hold (found by `make bench`: 20 concurrent POSTs hung until busy_timeout).
        # So this process lets one writing request at a time in, the others wait here
        # without holding a thread or a connection.
        self.sqlite_writer = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(6)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_holder: dict[str, Any] = {}
        path: str = scope["path"]
        is_static = path.startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                headers.append((b"x-request-id", request_id.encode()))
                if is_static:
                    headers.append((b"cache-control", b"public, max-age=31536000, immutable"))
                elif not any(name == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        intent_token = write_intent.set(scope["method"] not in SAFE_METHODS)
        request_id_token = request_id_var.set(request_id)
        language_token = new_language_scope()
        try:
            if scope["method"] not in SAFE_METHODS and _uses_sqlite(scope):
                async with self.sqlite_writer:
                    await self.app(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        finally:
            write_intent.reset(intent_token)
            request_id_var.reset(request_id_token)
            end_language_scope(language_token)
            if not is_static:
                log.info(
                    "request",
                    extra={
                        "fields": {
                            "event": "request",
                            "request_id": request_id,
                            "method": scope["method"],
                            "path": path,
                            "status": status_holder.get("status", 500),
                            "ms": round((time.perf_counter() - started) * 1000, 1),
                        }
                    },
                )
