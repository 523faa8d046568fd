"""Many people saving at once must not hang the server (denial of service by ordinary
use): 60 concurrent form posts, each with its own session, against a real uvicorn
server in this process, all answered within seconds. Before the middleware let one
SQLite writer in at a time, 20 concurrent posts hung until SQLite's busy timeout."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import uvicorn

from tests.security.world import build_world, client_for

WRITERS = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sixty_concurrent_posts_are_all_answered_quickly(app, session, settings, engine):
    world = build_world(session, settings, engine)
    people = [world.factory.user() for _ in range(WRITERS)]
    senders = []
    for person in people:
        world.users["writer"] = person
        who = client_for(app, world, "writer")
        senders.append((who.client.cookies["iil_session"], who.csrf_token))
        who.client.close()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started

    def post(sender: tuple[str, str]) -> int | str:
        token, csrf = sender
        body = urllib.parse.urlencode({"csrf_token": csrf, "language": "ne"}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/account/language",
            data=body,
            method="POST",
            headers={"Cookie": f"iil_session={token}", "HX-Request": "true"},
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code
        except OSError as error:
            return type(error).__name__

    try:
        started = time.monotonic()
        with ThreadPoolExecutor(WRITERS) as pool:
            outcomes = Counter(pool.map(post, senders))
        elapsed = time.monotonic() - started
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert outcomes == Counter({204: WRITERS})
    assert elapsed < 15
    session.expire_all()
    assert all(session.get(type(p), p.id).language == "ne" for p in people)
