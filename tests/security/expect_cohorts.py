"""Authorization expectations for the cohorts domain's pages.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow",
"login" (303 to /login), 401, 403, 404.

A cohort's page is for its staff (trainers and organisers) and site admins; its other
members see 403, people outside it 404 (its existence does not leak).
"""

from __future__ import annotations

from typing import Any

COHORT_STAFF = {
    "anonymous": "login",
    "trainee_a": 403,
    "trainee_b": 404,
    "mentor_other": 403,
    "mentor_a": 403,
    "trainer": "allow",
    "organiser": "allow",
    "admin": "allow",
}

EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/cohorts/{cohort_id}"): COHORT_STAFF,
}


def path_params(world: Any) -> dict[str, object]:
    """Only {cohort_id}, which the runner fills with cohort A."""
    return {}
