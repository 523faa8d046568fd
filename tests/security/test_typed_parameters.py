"""Bad parameter values never reach a query: every route of the route table (the
authorization matrix's list), as anonymous and as each role the matrix lets in, gets
values that look like numbers but are not ("²" passes str.isdigit), are out of range
(-1, 2**64) or are odd ("1e3", empty, very long) in each path placeholder, each query
parameter and every form field, and must answer below 500."""

from __future__ import annotations

import re
from typing import Any

import pytest

from iil_lms.app import create_app
from iil_lms.settings import Settings
from iil_lms.web.route_table import iter_api_routes
from tests.security.world import (
    SAFE_METHODS,
    app_routes,
    build_world,
    client_for,
    fill_path,
    load_expectations,
)

BAD_VALUES = ("²", "-1", "1e3", str(2**64), "", "9" * 5000)
# Fields that routes read from the form by hand (names known only at run time).
HAND_READ_FIELDS = (
    "q0",
    "q1",
    "base_revision",
    "parent_id",
    "rating",
    "rating_0",
    "trainee_id",
    "mentor_id",
    "circle_id",
    "module_id",
    "curriculum_id",
    "rubric-0",
)

_APP = create_app(Settings(database_url="sqlite://", secret_key="route-table-only-0123456789"))
ROUTES = app_routes(_APP)
EXPECTATIONS, _PROBLEMS = load_expectations()


def _declared(method: str, path: str) -> tuple[list[str], list[str]]:
    """The route's declared query and form parameter names (its dependencies' too)."""
    for route in iter_api_routes(_APP.routes):
        if route.path == path and method in route.methods:
            query: list[str] = []
            form: list[str] = []
            dependants = [route.dependant]
            while dependants:
                dependant = dependants.pop()
                query.extend(p.alias for p in dependant.query_params)
                form.extend(p.alias for p in dependant.body_params)
                dependants.extend(dependant.dependencies)
            return query, form
    raise AssertionError(f"{method} {path} is not in the route table")


def _requests(method: str, path: str, params: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """(url, form) pairs: each bad value in each path placeholder, in each query
    parameter, and (for a form post) in every form field at once."""
    query, form = _declared(method, path)
    good_url = fill_path(path, params)
    placeholders = re.findall(r"\{([^}:]+)(?::[^}]*)?\}", path)
    found: list[tuple[str, dict[str, str]]] = []
    for value in BAD_VALUES:
        for name in placeholders:
            if value:
                found.append((fill_path(path, {**params, name: value}), {}))
        for name in sorted(set(query)):
            found.append((f"{good_url}?{name}={value}", {}))
        if method not in SAFE_METHODS:
            fields = set(form) | set(HAND_READ_FIELDS)
            found.append((good_url, {name: value for name in fields if name != "csrf_token"}))
    return found


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_bad_parameter_values_never_cause_a_server_error(
    method, path, app, session, settings, engine
):
    module, expected = EXPECTATIONS[(method, path)]
    world = build_world(session, settings, engine)
    params: dict[str, Any] = {"cohort_id": world.cohort_a.id}
    if hasattr(module, "path_params_for"):
        params.update(module.path_params_for(world, method, path))
    else:
        params.update(module.path_params(world))
    roles = ["anonymous", *(role for role, outcome in expected.items() if outcome == "allow")]
    failures: list[str] = []
    for role in dict.fromkeys(roles):
        role_client = client_for(app, world, role)
        with role_client.client as client:
            for url, form in _requests(method, path, params):
                data = (
                    None
                    if method in SAFE_METHODS
                    else {**form, "csrf_token": role_client.csrf_token}
                )
                try:
                    response = client.request(method, url, data=data, follow_redirects=False)
                    status = response.status_code
                except Exception as error:  # noqa: BLE001 - a server error, reported below
                    status = 500
                    response = error
                if status >= 500:
                    failures.append(
                        f"{role} {method} {url[:120]} {form and list(form)[:3]}: {status}"
                    )
    assert failures == [], "\n".join(failures[:20])


def test_a_page_number_beyond_range_is_a_400_page_naming_the_field(client):
    response = client.get("/showcase/any-academy?page=99999999999999999999")
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]
    assert "page: the number is out of range" in response.text


def test_an_id_beyond_64_bits_or_not_a_number_is_refused_with_its_name(make_client, factory):
    made = factory.cohort(trainees=1)
    client = make_client()
    client.login(made.trainees[0].email)
    for url, why in [
        ("/review/99999999999999999999", "the number is out of range"),
        ("/review/%C2%B2", "a whole number was expected"),
        ("/review/-1", "the number is out of range"),
    ]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert f"submission_id: {why}" in response.text, url


def test_a_quiz_draft_with_a_superscript_option_ignores_it_and_a_bad_revision_is_named(
    make_client, factory, session
):
    from tests.learning.factories import course

    made = factory.cohort(trainees=1)
    quiz = course(session, made.cohort, types=("quiz",)).exercises["quiz"]
    client = make_client()
    client.login(made.trainees[0].email)
    path = f"/journey/exercises/{quiz.id}"
    token = client.csrf(path)
    saved = client.post(
        f"{path}/draft",
        data={"q0": ["²", "0"], "base_revision": "0", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    refused = client.post(
        f"{path}/draft", data={"q0": "0", "base_revision": "²", "csrf_token": token}
    )
    assert refused.status_code == 400
    assert "base_revision: a whole number was expected" in refused.text
