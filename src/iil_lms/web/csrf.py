"""CSRF protection for every state-changing request, installed as an app-wide
dependency. The token is an HMAC of the session (or, before login, of an anonymous
cookie), sent as the `csrf_token` form field or the `X-CSRF-Token` header that the base
layout sets for htmx."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from iil_lms.web.auth import DbSession, load_viewer
from iil_lms.web.gate import SAFE_METHODS

# Paths of the JSON API (see iil_lms.api.routes, which accepts bearer tokens only).
API_PREFIX = "/api/v1/"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class CsrfRefused(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=403, detail="csrf")


async def csrf_protect(request: Request, session: DbSession) -> None:
    if request.method in SAFE_METHODS:
        return
    if request.url.path.startswith(API_PREFIX):
        # The JSON API signs in by bearer token only, never by cookie (iil_lms.api), so
        # another site cannot make a browser write there: nothing to forge.
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # parsed once; the route reads the same cached form
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not sent:
        raise CsrfRefused
    # In a worker thread, never on the event loop: this is the request's first query, and
    # for a write it opens SQLite's write transaction (BEGIN IMMEDIATE), which waits for
    # the one in progress; waiting on the loop would stop that one from committing.
    viewer = await run_in_threadpool(load_viewer, request, session)
    expected = viewer.csrf_token(request.app.state.settings.secret_key)
    if viewer.new_anon_id or not hmac.compare_digest(sent, expected):
        raise CsrfRefused
