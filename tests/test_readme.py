"""The README names only routes that exist, and every JSON API route the app has."""

from __future__ import annotations

import re
from pathlib import Path

from iil_lms.app import create_app
from iil_lms.settings import Settings
from tests.security.world import app_routes

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
APP = create_app(Settings(database_url="sqlite://", secret_key="readme-routes-0123456789"))
# named in the README to say it is not served
ABSENT_ON_PURPOSE = {"/api/docs"}
PATHS = {path for _method, path in app_routes(APP)} | {"/openapi.json"}


def _pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^}]+\}|<[^>]+>", path)
    return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "$")


def test_every_route_the_readme_names_exists():
    named = {p for p in re.findall(r"`(/[^`\s]*)`", README) if not p.startswith(("/srv", "/data"))}
    assert named, "the README names no route"
    missing = [p for p in named if not any(_pattern(p).match(route) for route in PATHS)]
    missing = [p for p in missing if p not in ABSENT_ON_PURPOSE]
    assert missing == [], f"the README names routes the app does not have: {missing}"


def test_there_is_no_swagger_page_that_the_csp_would_leave_blank(client):
    assert client.get("/api/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 200


def test_every_json_api_route_is_named_in_the_readme():
    api = sorted(path for path in PATHS if path.startswith("/api/"))
    assert api, "the app has no /api routes"
    for path in api:
        assert f"`{path}`" in README, f"the README does not name {path}"
