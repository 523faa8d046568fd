"""The authorization matrix: every route of the app's route table x every role, compared
with the expectations in tests/security/expect_*.py. A route without an expectation
fails (so a new route cannot be forgotten), and so does an expectation for a route that
no longer exists.

Each route gets a fresh world (POSTs change state); inside it the roles run in the
order of ROLES, each with its own fresh signed-in client."""

from __future__ import annotations

from typing import Any

import pytest

from iil_lms.app import create_app
from iil_lms.settings import Settings
from tests.security.html_checks import inline_code
from tests.security.world import (
    ROLES,
    app_routes,
    build_world,
    call,
    classify,
    client_for,
    fill_path,
    load_expectations,
)

_ROUTE_TABLE_APP = create_app(
    Settings(database_url="sqlite://", secret_key="route-table-only-0123456789")
)
ROUTES = app_routes(_ROUTE_TABLE_APP)
EXPECTATIONS, EXPECTATION_PROBLEMS = load_expectations()


def test_expectation_files_are_well_formed():
    assert EXPECTATION_PROBLEMS == []


def test_every_expectation_names_a_route_that_exists():
    stale = sorted(set(EXPECTATIONS) - set(ROUTES))
    assert stale == [], f"expectations for routes that no longer exist: {stale}"


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_route_answers_each_role_as_expected(method, path, app, session, settings, engine):
    assert (method, path) in EXPECTATIONS, (
        f"no authorization expectation for {method} {path}: add it to "
        "tests/security/expect_<domain>.py"
    )
    module, expected = EXPECTATIONS[(method, path)]
    world = build_world(session, settings, engine)
    params: dict[str, Any] = {"cohort_id": world.cohort_a.id}
    if hasattr(module, "path_params_for"):
        # a file whose routes share a placeholder name with different meanings
        params.update(module.path_params_for(world, method, path))
    else:
        params.update(module.path_params(world))
    url = fill_path(path, params)
    actual: dict[str, Any] = {}
    inline: dict[str, list[str]] = {}
    for role in ROLES:
        role_client = client_for(app, world, role)
        with role_client.client:
            response = call(role_client, method, url)
        actual[role] = classify(response)
        if response.headers.get("content-type", "").startswith("text/html"):
            # the CSP blocks inline code, so a page that carries some is broken
            problems = inline_code(response.text)
            if problems:
                inline[role] = problems
    wrong = {
        role: f"expected {expected[role]!r}, got {actual[role]!r}"
        for role in ROLES
        if actual[role] != expected[role]
    }
    assert wrong == {}, f"{method} {url}: {wrong}"
    assert inline == {}, f"{method} {url}: inline code the CSP blocks: {inline}"
