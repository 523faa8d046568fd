"""Pure ASGI middleware: request ids, security headers, write intent, request bodies
read whole (bounded in size and time) before the app sees them, access logs."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iil_lms.db import write_intent
from iil_lms.i18n import end_language_scope, new_language_scope
from iil_lms.logging_setup import request_id_var
from iil_lms.web.gate import SAFE_METHODS

log = logging.getLogger("iil_lms.access")
events = logging.getLogger("iil_lms.requests")

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


def _replay(body: bytes, receive: Receive) -> Receive:
    """The app's receive: the body already read, then the client's own (disconnect)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replayed


class BodyRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def read_body(
    receive: Receive, *, max_bytes: int, grace_seconds: float, min_rate: float
) -> bytes | None:
    """The whole request body, or None when the client went away. Refuses (BodyRefused)
    a body past `max_bytes` as soon as it gets there, and one that arrives too slowly:
    by `grace_seconds + received / min_rate` after the start, `received` bytes must be
    in (a body trickling at 1 byte/s is cut off after the grace period)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    chunks: list[bytes] = []
    received = 0
    while True:
        wait = started + grace_seconds + received / min_rate - loop.time()
        if wait <= 0:
            raise BodyRefused(408, "The request body arrived too slowly.")
        try:
            message = await asyncio.wait_for(receive(), wait)
        except TimeoutError:
            raise BodyRefused(408, "The request body arrived too slowly.") from None
        if message["type"] == "http.disconnect":
            return None
        chunk: bytes = message.get("body", b"")
        received += len(chunk)
        if received > max_bytes:
            raise BodyRefused(413, _too_large(max_bytes))
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _too_large(max_bytes: int) -> str:
    return f"The request is too large: at most {max_bytes / 1_048_576:.0f} MB."


async def _refuse(send: Send, refused: BodyRefused) -> None:
    body = refused.message.encode()
    await send(
        {
            "type": "http.response.start",
            "status": refused.status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body is never read: the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """Also reads a writing request's body before the app sees it, so that nothing
    downstream waits for the network: the one-writer gate (web/gate.py) is taken only
    once the body is in, and a slow or oversized body never reaches a route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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

        writes = scope["method"] not in SAFE_METHODS
        intent_token = write_intent.set(writes)
        request_id_token = request_id_var.set(request_id)
        language_token = new_language_scope()
        try:
            settings = scope["app"].state.settings
            declared = _declared_length(scope)
            if declared is not None and declared > settings.body_max_bytes:
                # Refused before a byte of the body is read (no 100 Continue is sent).
                too_large = BodyRefused(413, _too_large(settings.body_max_bytes))
                await _refuse(send_with_headers, too_large)
            elif writes:
                try:
                    body = await read_body(
                        receive,
                        max_bytes=settings.body_max_bytes,
                        grace_seconds=settings.body_grace_seconds,
                        min_rate=settings.body_min_bytes_per_second,
                    )
                except BodyRefused as refused:
                    await _refuse(send_with_headers, refused)
                else:
                    if body is not None:
                        await self.app(scope, _replay(body, receive), send_with_headers)
                    else:
                        # A phone that lost its signal mid-form: nobody is left to answer
                        # and nothing failed here, so one line rather than an error.
                        status_holder["status"] = 499
                        events.info(
                            "client disconnected",
                            extra={
                                "fields": {
                                    "event": "client disconnected",
                                    "method": scope["method"],
                                    "path": path,
                                }
                            },
                        )
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
