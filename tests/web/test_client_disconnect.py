"""A client that goes away while sending a form is logged as one INFO line, not as an
ERROR with a traceback."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest


def _post_then_disconnect(app: Any, path: str) -> list[dict[str, Any]]:
    """A form post whose body never arrives: the client disconnects instead."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"100"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    # In a thread of its own: a session-wide event loop (Playwright's, when the browser
    # journeys share this worker) would refuse asyncio.run on this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    return sent


@pytest.mark.parametrize(
    "path",
    # A route that reads the form itself (through the CSRF check), and one whose form
    # fields FastAPI reads.
    ["/notifications/read-all", "/login"],
)
def test_a_client_that_disconnects_mid_form_is_one_info_line(app, caplog, path):
    caplog.set_level(logging.INFO)
    sent = _post_then_disconnect(app, path)
    # The body is read before any route runs: nobody is left to send an answer to.
    assert sent == []
    access = [r for r in caplog.records if r.name == "iil_lms.access"]
    assert [r.fields["status"] for r in access] == [499]  # type: ignore[attr-defined]
    mine = [
        r for r in caplog.records if r.name.startswith("iil_lms") and r.name != "iil_lms.access"
    ]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert len(mine) == 1
    assert mine[0].levelno == logging.INFO
    assert mine[0].exc_info is None
    assert mine[0].fields["event"] == "client disconnected"  # type: ignore[attr-defined]
    assert mine[0].fields["path"] == path  # type: ignore[attr-defined]
