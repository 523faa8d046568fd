"""Authorization expectations for the reports (GESI figures, trainee reports, exports),
read by the security suite's matrix runner.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow" (anything
but 401/403/404/login redirect), "login" (303 to /login), 403, 404.

GESI figures come from the self-declared answers of the roster, so like the roster they
are for the cohort's trainers and site admins only. An academy's figures (its cohorts'
summed) are for site admins and whoever trains every one of its cohorts: other members
of its cohorts 403, people with no role in it 404.
"""

from __future__ import annotations

from typing import Any

from tests.security.expect_roster import TRAINER_ONLY

# A trainee's report: the trainee, their mentor, the cohort's trainers and site admins;
# the organiser (who sees the trainee on the progress page) 403; anyone else 404.
TRAINEE_REPORT = {
    "anonymous": "login",
    "trainee_a": "allow",
    "trainee_b": 404,
    "mentor_other": 404,
    "mentor_a": "allow",
    "trainer": "allow",
    "organiser": 403,
    "admin": "allow",
}

EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/cohorts/{cohort_id}/gesi"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/gesi.pdf"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/gesi.csv"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/gesi.xlsx"): TRAINER_ONLY,
    # cohort A's academy, whose only cohort is A: the trainer trains all its cohorts
    ("GET", "/academies/{academy_id}/gesi"): TRAINER_ONLY,
    ("GET", "/academies/{academy_id}/gesi.pdf"): TRAINER_ONLY,
    ("GET", "/academies/{academy_id}/gesi.csv"): TRAINER_ONLY,
    ("GET", "/academies/{academy_id}/gesi.xlsx"): TRAINER_ONLY,
    # the trainer's empty form is refused with 400: "allow" (the check let it in)
    ("POST", "/cohorts/{cohort_id}/progress/at-risk"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/trainees/{trainee_id}/report"): TRAINEE_REPORT,
    ("GET", "/cohorts/{cohort_id}/trainees/{trainee_id}/report.pdf"): TRAINEE_REPORT,
}


def path_params(world: Any) -> dict[str, object]:
    """{cohort_id} is cohort A (the runner fills it); the report is trainee_a's; the
    academy is cohort A's."""
    return {"trainee_id": world.users["trainee_a"].id, "academy_id": world.cohort_a.academy_id}
