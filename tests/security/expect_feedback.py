"""Authorization expectations for the cohort's feedback surveys read together (issue
18): the list, each survey's results and exports, and "you said, we did".

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow" (anything
but 401/403/404/login redirect), "login" (303 to /login), 403, 404.

Trainers, organisers and site admins read the results; mentors and trainees never
(403 in the cohort, 404 outside it). Only trainers (and site admins) answer them.
"""

from __future__ import annotations

from typing import Any

READERS = {
    "anonymous": "login",
    "trainee_a": 403,
    "trainee_b": 404,
    "mentor_other": 403,
    "mentor_a": 403,
    "trainer": "allow",
    "organiser": "allow",
    "admin": "allow",
}
TRAINERS = {**READERS, "organiser": 403}

EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/cohorts/{cohort_id}/feedback"): READERS,
    ("GET", "/cohorts/{cohort_id}/feedback/{exercise_id}"): READERS,
    ("GET", "/cohorts/{cohort_id}/feedback/{exercise_id}/results.csv"): READERS,
    ("GET", "/cohorts/{cohort_id}/feedback/{exercise_id}/results.xlsx"): READERS,
    # an empty response is refused with 400 for the trainer: "allow" (the check let it in)
    ("POST", "/cohorts/{cohort_id}/feedback/{exercise_id}/replies"): TRAINERS,
}


def path_params(world: Any) -> dict[str, object]:
    """A survey in cohort A's plan."""
    from tests.learning.trainer_factories import planned_module

    made = planned_module(world.session, world.cohort_a, slug="matrix-feedback")
    return {"exercise_id": made.exercises["survey"].id}
