"""The security suite's world: two cohorts and one person per role, plus clients that
are signed in as each role without going through the (deliberately slow) password hash.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin, in no cohort).

Expectation files (tests/security/expect_<domain>.py) hold EXPECTATIONS and
path_params(world); a file whose routes use one placeholder name with different meanings
may define path_params_for(world, method, path) instead, which the runner then prefers.
Outcomes: "allow", "login" (303 to /login), 401, 403, 404."""

from __future__ import annotations

import importlib
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session

from iil_lms.accounts import service as accounts
from iil_lms.accounts.models import User
from iil_lms.api import tokens as api_tokens
from iil_lms.api.models import ApiToken
from iil_lms.cohorts.models import Cohort
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.settings import Settings
from iil_lms.web.auth import ANON_COOKIE, SESSION_COOKIE
from iil_lms.web.route_table import iter_api_routes
from iil_lms.web.security import sign
from tests.conftest import Factory, WebClient

ROLES = (
    "anonymous",
    "trainee_a",
    "trainee_b",
    "mentor_other",
    "mentor_a",
    "trainer",
    "organiser",
    "admin",
)
OUTCOMES = ("allow", "login", 401, 403, 404)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HERE = Path(__file__).resolve().parent


@dataclass
class World:
    session: Session
    factory: Factory
    settings: Settings
    engine: Engine
    cohort_a: Cohort
    cohort_b: Cohort
    users: dict[str, User] = field(default_factory=dict)


def build_world(session: Session, settings: Settings, engine: Engine) -> World:
    """Cohort A (trainee_a, mentor_a who mentors trainee_a, mentor_other with no mentees,
    trainer, organiser), cohort B (trainee_b) and a site admin in no cohort."""
    factory = Factory(session)
    a = factory.cohort(trainees=1, mentors=2, trainers=1, organisers=1, circles=0)
    b = factory.cohort(trainees=1, mentors=0, trainers=0, organisers=0, circles=0)
    admin = factory.user(name="Site Admin", email="admin@example.test", is_admin=True)
    world = World(
        session=session,
        factory=factory,
        settings=settings,
        engine=engine,
        cohort_a=a.cohort,
        cohort_b=b.cohort,
        users={
            "trainee_a": a.trainees[0],
            "trainee_b": b.trainees[0],
            "mentor_a": a.mentors[0],
            "mentor_other": a.mentors[1],
            "trainer": a.trainers[0],
            "organiser": a.organisers[0],
            "admin": admin,
        },
    )
    session.add(
        MentorAssignment(
            cohort_id=a.cohort.id,  # type: ignore[arg-type]
            mentor_id=a.mentors[0].id,  # type: ignore[arg-type]
            trainee_id=a.trainees[0].id,  # type: ignore[arg-type]
        )
    )
    session.commit()
    return world


@dataclass
class RoleClient:
    """A client signed in as one role, with the CSRF token its forms would carry."""

    role: str
    client: WebClient
    csrf_token: str


def _api_token(session: Session, user: User) -> str:
    """A read+write API token of `user`, stored directly (as tokens.create stores it,
    without its audit entry, which would show up in the audit log tests' counts)."""
    token = api_tokens.TOKEN_START + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id or 0,
            name="matrix",
            token_hash=api_tokens.hash_token(token),
            prefix=token[: api_tokens.PREFIX_LENGTH],
            scope=api_tokens.WRITE,
        )
    )
    return token


def client_for(app: FastAPI, world: World, role: str) -> RoleClient:
    """A fresh client for `role`: a session started directly in the database (what a
    successful login does) and an API token, or for anonymous an anonymous cookie;
    either way the CSRF token is the one its pages would render."""
    client = WebClient(app, base_url="http://testserver")
    secret = world.settings.secret_key
    if role == "anonymous":
        anon_id = secrets.token_urlsafe(18)
        client.cookies.set(ANON_COOKIE, anon_id)
        token = sign(secret, "anon:" + anon_id)
    else:
        session_token = accounts.start_session(world.session, world.settings, world.users[role])
        # and an API token that may read and write, sent with every request: the pages
        # ignore it, /api/v1 signs in with it only (never with the cookie)
        api_token = _api_token(world.session, world.users[role])
        world.session.commit()
        client.cookies.set(SESSION_COOKIE, session_token)
        client.headers["Authorization"] = f"Bearer {api_token}"
        token = sign(secret, "session:" + accounts.hash_token(session_token))
    return RoleClient(role=role, client=client, csrf_token=token)


def classify(response: Any) -> str | int:
    """The matrix outcome of one response."""
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response.headers.get("location", "")
        if re.match(r"^(https?://[^/]+)?/login(\?|$)", location):
            return "login"
        return "allow"
    if status in (401, 403, 404):
        return status
    return "allow"


def expectation_modules() -> list[ModuleType]:
    """Every `expect_*.py` next to this file, imported."""
    return [
        importlib.import_module(f"tests.security.{path.stem}")
        for path in sorted(HERE.glob("expect_*.py"))
    ]


def load_expectations() -> tuple[
    dict[tuple[str, str], tuple[ModuleType, dict[str, Any]]], list[str]
]:
    """(method, path) -> (its module, its row), and a list of problems: a route named in
    two files, a row missing a role or naming an unknown outcome."""
    found: dict[tuple[str, str], tuple[ModuleType, dict[str, Any]]] = {}
    problems: list[str] = []
    for module in expectation_modules():
        name = module.__name__.rsplit(".", 1)[-1]
        for key, row in module.EXPECTATIONS.items():
            if key in found:
                other = found[key][0].__name__.rsplit(".", 1)[-1]
                problems.append(f"{key} is expected in both {other} and {name}")
            if set(row) != set(ROLES):
                problems.append(f"{name} {key}: roles must be exactly {ROLES}, got {sorted(row)}")
            bad = [outcome for outcome in row.values() if outcome not in OUTCOMES]
            if bad:
                problems.append(f"{name} {key}: unknown outcomes {bad}")
            found[key] = (module, row)
    return found, problems


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) for every route in the app's route table; HEAD follows GET and the
    static mount is not a route."""
    return sorted(
        {
            (method, route.path)
            for route in iter_api_routes(app.routes)
            for method in route.methods
            if method != "HEAD"
        }
    )


def fill_path(path: str, params: dict[str, object]) -> str:
    """The path with its {placeholders} replaced; a missing value is an error naming it."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise KeyError(f"{path}: path_params() gives no value for {{{name}}}")
        return str(params[name])

    return re.sub(r"\{([^}:]+)(?::[^}]*)?\}", value, path)


def call(role_client: RoleClient, method: str, url: str) -> Any:
    """One request as a browser form would send it: GETs plain, anything else with the
    role's valid CSRF token and an otherwise empty form."""
    if method in SAFE_METHODS:
        return role_client.client.request(method, url, follow_redirects=False)
    return role_client.client.request(
        method,
        url,
        data={"csrf_token": role_client.csrf_token},
        follow_redirects=False,
    )
