"""CSRF: every state-changing route of the route table refuses a request without a
valid token (403, before any permission check or write), for a signed-in admin and for
anonymous visitors; a token from another session is refused too."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.security.test_authorization_matrix import EXPECTATIONS, ROUTES
from tests.security.world import SAFE_METHODS, build_world, client_for, fill_path

# The JSON API signs in by bearer token only, never by cookie, so there is nothing to
# forge; tests/api covers that a session cookie alone gets 401 there.
STATE_CHANGING = [(m, p) for m, p in ROUTES if m not in SAFE_METHODS and not p.startswith("/api/")]
CSRF_MESSAGE = "came from another site"


def _url(world: Any, method: str, path: str) -> str:
    params: dict[str, Any] = {"cohort_id": world.cohort_a.id}
    if (method, path) in EXPECTATIONS:
        module = EXPECTATIONS[(method, path)][0]
        if hasattr(module, "path_params_for"):
            params.update(module.path_params_for(world, method, path))
        else:
            params.update(module.path_params(world))
    # CSRF is checked before anything looks at the path's values, so a route whose
    # expectation file is still missing is checked with placeholder values
    for name in re.findall(r"\{([^}:]+)", path):
        params.setdefault(name, 1)
    return fill_path(path, params)


def _assert_refused(response: Any, what: str) -> None:
    assert response.status_code == 403, f"{what}: {response.status_code}"
    assert CSRF_MESSAGE in response.text, f"{what}: a 403, but not the CSRF refusal"


def test_there_are_state_changing_routes_to_check():
    assert len(STATE_CHANGING) >= 10


@pytest.mark.parametrize(
    ("method", "path"), STATE_CHANGING, ids=[f"{m} {p}" for m, p in STATE_CHANGING]
)
def test_state_changing_route_refuses_missing_wrong_and_foreign_tokens(
    method, path, app, session, settings, engine
):
    world = build_world(session, settings, engine)
    url = _url(world, method, path)
    admin = client_for(app, world, "admin")
    anonymous = client_for(app, world, "anonymous")
    trainer = client_for(app, world, "trainer")
    with admin.client, anonymous.client, trainer.client:
        for who in (admin, anonymous):
            _assert_refused(
                who.client.request(method, url, data={"x": "1"}, follow_redirects=False),
                f"{who.role} without a token",
            )
            _assert_refused(
                who.client.request(
                    method, url, data={"csrf_token": "forged"}, follow_redirects=False
                ),
                f"{who.role} with a forged token",
            )
            _assert_refused(
                who.client.request(
                    method, url, headers={"X-CSRF-Token": ""}, follow_redirects=False
                ),
                f"{who.role} with an empty header",
            )
        # another person's valid token, in the form and in the htmx header
        _assert_refused(
            admin.client.request(
                method, url, data={"csrf_token": trainer.csrf_token}, follow_redirects=False
            ),
            "admin with the trainer's token",
        )
        _assert_refused(
            anonymous.client.request(
                method,
                url,
                headers={"X-CSRF-Token": admin.csrf_token},
                follow_redirects=False,
            ),
            "anonymous with the admin's token",
        )


def test_a_token_survives_only_with_its_session(app, session, settings, engine):
    """After logout the old session's token is worth nothing, even with the old cookie."""
    world = build_world(session, settings, engine)
    admin = client_for(app, world, "admin")
    with admin.client:
        old_cookie = admin.client.cookies["iil_session"]
        response = admin.client.post(
            "/logout", data={"csrf_token": admin.csrf_token}, follow_redirects=False
        )
        assert response.status_code == 303
        admin.client.cookies.set("iil_session", old_cookie)
        _assert_refused(
            admin.client.post(
                "/account/language",
                data={"csrf_token": admin.csrf_token, "language": "ur"},
                follow_redirects=False,
            ),
            "a logged-out session's token",
        )
