"""Authorization expectations for the cohort progress grid and its CSV export, read by
the security suite's matrix runner.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow" (anything
but 401/403/404/login redirect), "login" (303 to /login), 403, 404.

Progress is for the cohort's trainers and organisers and site admins; its trainees and
mentors see 403, people outside it 404 (its existence does not leak).
"""

from __future__ import annotations

from typing import Any

TRAINERS_AND_ORGANISERS = {
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
    ("GET", "/cohorts/{cohort_id}/progress"): TRAINERS_AND_ORGANISERS,
    ("GET", "/cohorts/{cohort_id}/progress.csv"): TRAINERS_AND_ORGANISERS,
}


def path_params(world: Any) -> dict[str, object]:
    """Only {cohort_id}, which the runner fills with cohort A."""
    return {}
