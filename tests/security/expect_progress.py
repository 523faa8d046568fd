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

from tests.security.expect_cohorts import COHORT_STAFF

EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/cohorts/{cohort_id}/progress"): COHORT_STAFF,
    ("GET", "/cohorts/{cohort_id}/progress.csv"): COHORT_STAFF,
    ("GET", "/cohorts/{cohort_id}/progress.xlsx"): COHORT_STAFF,
    ("GET", "/cohorts/{cohort_id}/attendance.csv"): COHORT_STAFF,
    ("GET", "/cohorts/{cohort_id}/attendance.xlsx"): COHORT_STAFF,
}


def path_params(world: Any) -> dict[str, object]:
    """Only {cohort_id}, which the runner fills with cohort A."""
    return {}
