"""schemathesis against /openapi.json, in-process over ASGI (no network): generated
requests to every documented operation never get a 5xx, and their responses match the
schema. The documented API is small (/healthz and /api/v1 as it lands); the HTML pages
are kept out of the schema and covered by the other security tests."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from tests.security.world import build_world


def test_api_never_answers_with_a_server_error(app, session, settings, engine):
    build_world(session, settings, engine)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema documents no operation"
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=50, deadline=None, suppress_health_check=list(HealthCheck)
        )
        def never_a_server_error(case):
            response = case.call()
            assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code}"
            case.validate_response(response)

        never_a_server_error()


def test_the_schema_documents_the_health_check(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert "/healthz" in paths
    # HTML pages are not part of the API contract
    assert "/login" not in paths
