"""schemathesis against /openapi.json, in-process over ASGI (no network): generated
requests to every documented operation never get a 5xx, and their responses match the
schema. The documented API is small (/healthz and /api/v1 as it lands); the HTML pages
are kept out of the schema and covered by the other security tests."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.security.world import build_world


@pytest.fixture
def api_schema(app, session, settings, engine):
    build_world(session, settings, engine)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis_settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_with_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code}"
    case.validate_response(response)


def test_the_schema_documents_the_health_check(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert "/healthz" in paths
    # HTML pages are not part of the API contract
    assert "/login" not in paths
