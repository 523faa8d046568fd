"""A real uvicorn server on 127.0.0.1 in this process, for the tests that need real
sockets (concurrency, slow clients), and signed-in credentials for it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from sqlmodel import Session

from iil_lms.accounts import service as accounts
from iil_lms.accounts.models import User
from iil_lms.settings import Settings
from iil_lms.web.auth import SESSION_COOKIE
from iil_lms.web.security import sign


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve `app` (lifespan included) until the block ends; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the test server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@dataclass(frozen=True)
class Credentials:
    cookie: str
    csrf_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{SESSION_COOKIE}={self.cookie}", "X-CSRF-Token": self.csrf_token}


def sign_in(session: Session, settings: Settings, user: User) -> Credentials:
    """What a login stores, without the (deliberately slow) password hash."""
    token = accounts.start_session(session, settings, user)
    session.commit()
    return Credentials(token, sign(settings.secret_key, "session:" + accounts.hash_token(token)))
