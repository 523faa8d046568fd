"""Authorization expectations for the audit log's pages.

A cohort's log is for its trainers and site admins: its other members get 403, people
outside it 404. The whole site's log is for site admins only (404 for everyone else
signed in). Nothing in the app writes to the log except the services' record() calls:
there are no state-changing audit routes.
"""

from __future__ import annotations

from typing import Any

from tests.security.world import ROLES

ADMIN_ONLY = {role: 404 for role in ROLES} | {"anonymous": "login", "admin": "allow"}
COHORT_TRAINERS = {
    "anonymous": "login",
    "trainee_a": 403,
    "trainee_b": 404,
    "mentor_other": 403,
    "mentor_a": 403,
    "trainer": "allow",
    "organiser": 403,
    "admin": "allow",
}

EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/cohorts/{cohort_id}/audit"): COHORT_TRAINERS,
    ("GET", "/admin/audit"): ADMIN_ONLY,
}


def path_params(world: Any) -> dict[str, object]:
    return {"cohort_id": world.cohort_a.id}
