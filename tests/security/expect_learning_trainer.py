"""Authorization expectations for the trainer's submission pages, paper entry and the
printable exercise packs (issue 4, second half), read by the security suite's matrix
runner.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow" (anything
but 401/403/404/login redirect), "login" (303 to /login), 403, 404.

A trainee's own pack (/journey/...) exists only for trainees who have the module in
their plan: everyone else gets 404, as for anything they may not know exists.
"""

from __future__ import annotations

from typing import Any

TRAINER_ONLY = {
    "anonymous": "login",
    "trainee_a": 403,
    "trainee_b": 404,
    "mentor_other": 403,
    "mentor_a": 403,
    "trainer": "allow",
    "organiser": 403,
    "admin": "allow",
}
COHORT_STAFF = {
    "anonymous": "login",
    "trainee_a": 403,
    "trainee_b": 404,
    "mentor_other": "allow",
    "mentor_a": "allow",
    "trainer": "allow",
    "organiser": "allow",
    "admin": "allow",
}
PLANNED_TRAINEE = {
    "anonymous": "login",
    "trainee_a": "allow",
    "trainee_b": 404,
    "mentor_other": 404,
    "mentor_a": 404,
    "trainer": 404,
    "organiser": 404,
    "admin": 404,
}

EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/cohorts/{cohort_id}/submissions"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/exercises/{exercise_id}/submissions"): TRAINER_ONLY,
    # an empty form is refused with 400 for the trainer: "allow" (the check let it in)
    ("POST", "/cohorts/{cohort_id}/exercises/{exercise_id}/paper"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/modules/{module_id}/pack.pdf"): COHORT_STAFF,
    ("GET", "/journey/modules/{module_id}/pack.pdf"): PLANNED_TRAINEE,
}


def path_params(world: Any) -> dict[str, object]:
    """Values for path parameters other than {cohort_id} (which is cohort A), created in
    `world`: one module with an exercise of every type in cohort A's plan."""
    from tests.learning.trainer_factories import planned_module

    made = planned_module(world.session, world.cohort_a, slug="matrix-trainer-pack")
    return {"module_id": made.module.id, "exercise_id": made.exercises["reflection"].id}
