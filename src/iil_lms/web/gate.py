"""SQLite's one-writer gate, held only around a database transaction that writes.

SQLite has one writer at a time. A request that writes holds the write lock (BEGIN
IMMEDIATE) from its first query to its commit, across several thread-pool hops; with
more writers in flight than worker threads or pooled connections, the lock holder could
wait for a thread that the waiting writers hold (found by `make bench`: 20 concurrent
POSTs hung until busy_timeout). So this process lets one writing transaction at a time
in; the others wait on this asyncio lock without holding a thread or a connection.

The gate is taken after the request's body is in (the middleware reads it, bounded in
size and time, and the form is parsed before the gate), and given back at the commit:
never while waiting for the network or another server. Email goes through the outbox.
A page that records something seen does so after its response, through the same gate
(`write_after_response`), and only when there is something to record."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from iil_lms.db import transaction

log = logging.getLogger("iil_lms.gate")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# A write after a response retries this many times on a busy database, waiting a little
# longer each time (SQLite's busy_timeout covers writers in other processes; this covers
# the rest, e.g. a checkpoint), then gives up: the page has been answered already.
RETRIES = 3
RETRY_WAIT_SECONDS = 0.2


def install(app: FastAPI) -> None:
    app.state.write_gate = asyncio.Lock()


def write_gate(app: Any) -> asyncio.Lock | None:
    """The gate when the app runs on SQLite; None on PostgreSQL (which has row locks)."""
    if app.state.engine.dialect.name != "sqlite":
        return None
    gate: asyncio.Lock = app.state.write_gate
    return gate


async def enter_for_request(request: Request) -> asyncio.Lock | None:
    """Before a writing request's transaction: parse its form (the body is already in
    memory, see the middleware; multipart files spool to disk here, outside the gate),
    then wait for the gate. Returns the gate to release after the commit, or None."""
    if request.method in SAFE_METHODS:
        return None
    gate = write_gate(request.app)
    if gate is None:
        return None
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        await request.form()  # cached: the CSRF check and the route read the same form
    await gate.acquire()
    return gate


def is_busy(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "locked" in text or "busy" in text


def _write_with_retries(app: Any, function: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    for attempt in range(1, RETRIES + 1):
        try:
            with transaction(app.state.engine) as session:
                function(session, **kwargs)
            return
        except OperationalError as error:
            if not is_busy(error) or attempt == RETRIES:
                log.warning("write after response gave up: %s: %s", function.__name__, error)
                return
            time.sleep(RETRY_WAIT_SECONDS * attempt)


async def _write_through_gate(
    app: Any, function: Callable[..., Any], kwargs: dict[str, Any]
) -> None:
    gate = write_gate(app)
    if gate is None:
        await run_in_threadpool(_write_with_retries, app, function, kwargs)
        return
    async with gate:
        await run_in_threadpool(_write_with_retries, app, function, kwargs)


async def write_later(app: Any, function: Callable[..., Any], **kwargs: Any) -> None:
    """`function(session, **kwargs)` in a transaction of its own, through the gate, with
    the bounded retry: for a background task that records something seen."""
    await _write_through_gate(app, function, kwargs)


def write_after_response(
    request: Request,
    session: Session,
    response: Response,
    function: Callable[..., Any],
    **kwargs: Any,
) -> Response:
    """Record something the reader has now seen (`function(session, **kwargs)`): in the
    request's own transaction when the request writes anyway, else in a transaction of
    its own after the response has left, through the gate, with a bounded retry. A page
    that is read never fails because others write."""
    if request.method not in SAFE_METHODS:
        function(session, **kwargs)
        return response
    task = BackgroundTask(_write_through_gate, request.app, function, kwargs)
    if response.background is None:
        response.background = task
    else:
        earlier = response.background

        async def both() -> None:
            await earlier()
            await task()

        response.background = BackgroundTask(both)
    return response
