"""A page that is read writes nothing in its own (read) transaction: SQLite refuses to
upgrade a read transaction once another writer has committed, so such a write fails
with "database is locked" under ordinary load. Something a page records as seen is
written after the response, in a transaction of its own through the one-writer gate
(web/gate.py). Every GET of the route table, for several roles, in one world."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event
from sqlmodel import select

from iil_lms.db import write_intent
from iil_lms.learning.models import Feedback, Submission
from tests.security.test_authorization_matrix import EXPECTATIONS, ROUTES
from tests.security.world import build_world, client_for, fill_path

ROLES = ("anonymous", "trainee_a", "mentor_a", "trainer", "admin")
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def test_no_page_writes_in_its_read_transaction(app, session, settings, engine):
    world = build_world(session, settings, engine)
    # Each expectation file's own values (a placeholder may mean different things),
    # made once: its path_params_for would make the same people again.
    params: dict[Any, dict[str, Any]] = {}
    for module in {module for module, _expected in EXPECTATIONS.values()}:
        params[module] = {"cohort_id": world.cohort_a.id}
        if hasattr(module, "path_params"):
            params[module].update(module.path_params(world))
    # Unread comments on trainee_a's work, so the pages that mark them read do so.
    mentor = world.users["mentor_a"]
    for submission in session.exec(
        select(Submission).where(Submission.user_id == world.users["trainee_a"].id)
    ).all():
        session.add(Feedback(submission_id=submission.id, author_id=mentor.id, body="Read me."))
    session.commit()

    found: list[str] = []
    current: dict[str, str] = {}

    def spot(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "request" in current and WRITE.match(statement) and not write_intent.get():
            found.append(f"{current.get('request')}: {statement.split()[0:3]}")

    event.listen(engine, "before_cursor_execute", spot)
    try:
        for method, path in ROUTES:
            if method != "GET":
                continue
            module, _expected = EXPECTATIONS[(method, path)]
            url = fill_path(path, params[module])
            for role in ROLES:
                who = client_for(app, world, role)
                with who.client:
                    current["request"] = f"{role} GET {url}"
                    who.client.get(url, follow_redirects=False)
                    del current["request"]
    finally:
        event.remove(engine, "before_cursor_execute", spot)
    assert found == []
