"""The background email sender: a task of the web process that sends what the outbox
holds, so no request waits for a mail server. It takes each email and marks it sent in
short transactions through the one-writer gate, and talks to the mail server with no
transaction open and the gate free. Several processes may run it (and
`iil-lms send-outbox` from cron): an email taken by one is not due for the others."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio.from_thread
from fastapi import FastAPI
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from iil_lms.db import transaction
from iil_lms.notifications.service import any_due, deliver_outbox
from iil_lms.web.gate import write_gate

log = logging.getLogger("iil_lms.outbox")


def _gated_transaction(app: FastAPI, work: Callable[[Session], Any]) -> Any:
    """In a worker thread: `work(session)` in a transaction, holding the gate."""
    gate = write_gate(app)
    if gate is not None:
        anyio.from_thread.run(gate.acquire)
    try:
        with transaction(app.state.engine) as session:
            return work(session)
    finally:
        if gate is not None:
            anyio.from_thread.run_sync(gate.release)


def _send_due(app: FastAPI) -> None:
    with transaction(app.state.engine, writes=False) as session:
        if not any_due(session):
            return
    report = deliver_outbox(
        app.state.engine,
        app.state.settings,
        in_transaction=lambda work: _gated_transaction(app, work),
    )
    if report.sent or report.failed:
        log.info(
            "outbox: sent %s, failed %s, waiting %s", report.sent, report.failed, report.waiting
        )


async def _send_forever(app: FastAPI, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await run_in_threadpool(_send_due, app)
        except Exception:  # the next round tries again; the outbox keeps every email
            log.exception("outbox: sending failed")


@asynccontextmanager
async def background_sender(app: FastAPI) -> AsyncIterator[None]:
    """The app's lifespan: the sender runs while the app serves (unless
    IIL_OUTBOX_INTERVAL_SECONDS is 0)."""
    interval = app.state.settings.outbox_interval_seconds
    task = asyncio.create_task(_send_forever(app, interval)) if interval > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
