"""Security headers on every kind of response: pages, error pages (403, 404, 500,
CSRF refusal, validation), static files and JSON. The Content-Security-Policy allows no
inline script or style (htmx runs with it because base.html turns its indicator styles
off), and no page may need inline code to work."""

from __future__ import annotations

import re

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from iil_lms.app import create_app
from tests.security.html_checks import assert_security_headers, inline_code
from tests.security.world import build_world, client_for


def test_login_page_and_its_assets(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert_security_headers(page, "login page")
    assert inline_code(page.text) == []
    assert '"includeIndicatorStyles": false' in page.text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert_security_headers(response, asset)


def test_json_and_api_errors(client):
    assert_security_headers(client.get("/healthz"), "/healthz")
    assert_security_headers(client.get("/openapi.json"), "/openapi.json")
    missing = client.get("/api/v1/does-not-exist")
    assert missing.status_code == 404
    assert_security_headers(missing, "API 404")


def test_error_pages(client, app, session, settings, engine):
    world = build_world(session, settings, engine)
    assert_security_headers(client.get("/no-such-page"), "404 page")
    assert_security_headers(client.post("/account/language", data={}), "CSRF refusal")
    trainee = client_for(app, world, "trainee_a")
    with trainee.client:
        forbidden = trainee.client.get(f"/cohorts/{world.cohort_a.id}")
        assert forbidden.status_code == 403
        assert_security_headers(forbidden, "403 page")
        assert inline_code(forbidden.text) == []
        invalid = trainee.client.post(
            "/cohorts/switch", data={"csrf_token": trainee.csrf_token, "cohort_id": "x"}
        )
        assert invalid.status_code == 400
        assert_security_headers(invalid, "validation error page")
    redirect = client.get("/account", follow_redirects=False)
    assert redirect.status_code == 303
    assert_security_headers(redirect, "login redirect")


def test_server_error_page(settings, engine):
    app = create_app(settings, engine)
    boom = APIRouter()

    @boom.get("/boom")
    def explode() -> None:
        raise RuntimeError("boom")

    app.include_router(boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom")
    assert response.status_code == 500
    assert_security_headers(response, "500 page")
    assert inline_code(response.text) == []


@pytest.mark.parametrize(
    "role", ["trainee_a", "mentor_a", "trainer", "organiser", "admin"], ids=str
)
def test_each_roles_home_page_needs_no_inline_code(role, app, session, settings, engine):
    world = build_world(session, settings, engine)
    who = client_for(app, world, role)
    with who.client:
        page = who.client.get("/", follow_redirects=True)
    assert_security_headers(page, f"{role}'s home")
    assert inline_code(page.text) == []
