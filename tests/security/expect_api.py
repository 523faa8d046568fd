"""Authorization expectations for the JSON API (/api/v1) and the account page's token
forms.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow",
"login" (303 to /login), 401, 403, 404.

Every role but anonymous calls the API with its own read+write token (world.client_for);
anonymous has none and gets 401. A token acts as its person: the same rules as the
pages the routes mirror (roster: trainers; progress and surveys: trainers and
organisers; the cohort itself: any member), 403 for a member without the role, 404
outside the cohort. A token is revoked only by its owner (trainee_a's here).
"""

from __future__ import annotations

from typing import Any

ANY_TOKEN = {
    "anonymous": 401,
    "trainee_a": "allow",
    "trainee_b": "allow",
    "mentor_other": "allow",
    "mentor_a": "allow",
    "trainer": "allow",
    "organiser": "allow",
    "admin": "allow",
}
MEMBERS = {**ANY_TOKEN, "trainee_b": 404}
TRAINERS = {
    "anonymous": 401,
    "trainee_a": 403,
    "trainee_b": 404,
    "mentor_other": 403,
    "mentor_a": 403,
    "trainer": "allow",
    "organiser": 403,
    "admin": "allow",
}
STAFF = {**TRAINERS, "organiser": "allow"}
SIGNED_IN = {**ANY_TOKEN, "anonymous": "login"}
OWNER = {role: 404 for role in ANY_TOKEN} | {"anonymous": "login", "trainee_a": "allow"}

BASE = "/api/v1/cohorts/{cohort_id}"
EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/cohorts"): ANY_TOKEN,
    ("GET", BASE): MEMBERS,
    ("GET", BASE + "/roster"): TRAINERS,
    ("POST", BASE + "/roster"): TRAINERS,
    ("GET", BASE + "/progress"): STAFF,
    ("GET", BASE + "/surveys"): STAFF,
    ("GET", BASE + "/surveys/{exercise_id}/results"): STAFF,
    ("POST", "/account/api-tokens"): SIGNED_IN,
    ("POST", "/account/api-tokens/{token_id}/revoke"): OWNER,
}


def path_params(world: Any) -> dict[str, object]:
    """A survey in cohort A's plan, and a token of trainee_a's."""
    from iil_lms.api import tokens
    from tests.learning.trainer_factories import planned_module

    made = planned_module(world.session, world.cohort_a, slug="matrix-api")
    row, _token = tokens.create(world.session, world.users["trainee_a"], "matrix", "read")
    world.session.commit()
    return {"exercise_id": made.exercises["survey"].id, "token_id": row.id}
