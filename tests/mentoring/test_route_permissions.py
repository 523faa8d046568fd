"""Runs tests/security/expect_mentoring.py against a small world, so the expectations
this area hands to the security suite are known to hold (and every route of the area is
listed there)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from iil_lms.cohorts.models import Membership
from iil_lms.web.route_table import iter_api_routes
from tests.security import expect_mentoring

AREA = re.compile(
    r"^/(mentees|mentoring|review|circle|circles|notifications|outreach|showcase)\b"
    r"|^/cohorts/\{cohort_id\}/(mentors|circles|outreach)\b"
)


@dataclass
class World:
    session: Any
    factory: Any
    cohort_a: Any = None
    cohort_b: Any = None
    users: dict[str, Any] = field(default_factory=dict)


def _world(session, factory) -> World:
    a = factory.cohort(trainees=1, mentors=2, trainers=1, organisers=1, circles=0)
    b = factory.cohort(trainees=1, mentors=0, trainers=0, organisers=0, circles=0)
    world = World(session, factory, a.cohort, b.cohort)
    world.users = {
        "trainee_a": a.trainees[0],
        "trainee_b": b.trainees[0],
        "mentor_a": a.mentors[0],
        "mentor_other": a.mentors[1],
        "trainer": a.trainers[0],
        "organiser": a.organisers[0],
        "admin": factory.user(is_admin=True),
    }
    assert session.get(Membership, a.memberships[(a.trainees[0].id, "trainee")].id)
    return world


def test_every_route_of_the_area_has_expectations(app):
    routes = {
        (method, route.path)
        for route in iter_api_routes(app.routes)
        for method in route.methods - {"HEAD"}
        if AREA.search(route.path)
    }
    assert routes == set(expect_mentoring.EXPECTATIONS)


def _outcome(response) -> Any:
    if response.status_code == 303 and response.headers.get("location", "").startswith("/login"):
        return "login"
    if response.status_code in (401, 403, 404):
        return response.status_code
    return "allow"


@pytest.mark.parametrize("role", expect_mentoring.ROLES)
def test_expectations_hold(role, session, factory, make_client):
    world = _world(session, factory)
    params = expect_mentoring.path_params(world)
    params["cohort_id"] = world.cohort_a.id
    client = make_client()
    if role != "anonymous":
        client.login(world.users[role].email)
    token = client.csrf("/account" if role != "anonymous" else "/login")
    wrong = []
    # GETs first, then POSTs, so what a POST changes does not decide a GET
    for (method, path), expected in sorted(expect_mentoring.EXPECTATIONS.items()):
        url = path.format(**params)
        if method == "GET":
            response = client.get(url, follow_redirects=False)
        else:
            continue
        if _outcome(response) != expected[role]:
            wrong.append((method, path, expected[role], response.status_code))
    for (method, path), expected in sorted(expect_mentoring.EXPECTATIONS.items()):
        if method != "POST":
            continue
        response = client.post(
            path.format(**params), data={"csrf_token": token}, follow_redirects=False
        )
        if _outcome(response) != expected[role]:
            wrong.append((method, path, expected[role], response.status_code))
    assert not wrong
