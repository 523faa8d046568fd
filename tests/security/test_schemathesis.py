"""schemathesis against /openapi.json, in-process over ASGI (no network): generated
requests to every documented operation never get a 5xx, and their responses match the
schema. The documented API is /healthz and /api/v1 (called with a trainer's read+write
token, and once more with the ids of a real cohort so the answers with data are checked
too); the HTML pages are kept out of the schema and covered by the other security tests."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from iil_lms.api import tokens
from tests.security import expect_api
from tests.security.world import build_world

# Small: each operation is also called once with real ids below.
MAX_EXAMPLES = 15
# The roster import checks its rows beyond what JSON Schema can say (a valid email, once
# in the file, a known language, ...: cohorts/roster.py), so a schema-valid body may be
# refused with the documented 422; its shape is still checked.
RULES_BEYOND_SCHEMA = {("POST", "/api/v1/cohorts/{cohort_id}/roster")}


def _real_case(operation: Any, params: dict[str, Any]) -> Any:
    """The operation called with the world's ids (and a valid body for the import)."""
    names = [p.name for p in operation.path_parameters]
    path_parameters = {name: params[name] for name in names}
    if operation.method.upper() == "POST":
        body = {"rows": [{"name": "Schema Person", "email": "schema.person@example.test"}]}
        return operation.Case(
            path_parameters=path_parameters, body=body, media_type="application/json"
        )
    return operation.Case(path_parameters=path_parameters)


def _generated_cases(operation: Any, auth: dict[str, str], excluded: list[Any]) -> Any:
    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck)
    )
    def never_a_server_error(case):
        response = case.call(headers=auth)
        assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code}"
        case.validate_response(response, headers=auth, excluded_checks=excluded)

    return never_a_server_error


def test_api_never_answers_with_a_server_error(app, session, settings, engine):
    world = build_world(session, settings, engine)
    _row, token = tokens.create(session, world.users["trainer"], "schemathesis", tokens.WRITE)
    session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    params = {"cohort_id": world.cohort_a.id, "code": "unknown", **expect_api.path_params(world)}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema documents no operation"
    for operation in operations:
        beyond = (operation.method.upper(), operation.path) in RULES_BEYOND_SCHEMA
        _generated_cases(operation, auth, [positive_data_acceptance] if beyond else [])()
        if operation.path.startswith("/api/v1/cohorts"):
            case = _real_case(operation, params)
            response = case.call(headers=auth)
            assert response.status_code == 200, f"{operation.path}: {response.text[:300]}"
            case.validate_response(response, headers=auth)


def test_the_schema_documents_the_health_check(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert "/healthz" in paths
    # HTML pages are not part of the API contract
    assert "/login" not in paths
