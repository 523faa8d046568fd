"""Authorization expectations for the curriculum browser, module pages and the cohort
plan editor (issue 3), read by the security suite's matrix runner.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow" (anything
but 401/403/404/login redirect), "login" (303 to /login), 403, 404.

Cohort A follows the small test curriculum with a generated plan; cohort B follows
none, so its trainee cannot see the curriculum's modules. Trainers edit the plan;
organisers read it and preview its modules.
"""

from __future__ import annotations

from typing import Any

from tests.security.world import ROLES


def _row(**outcomes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {role: 404 for role in ROLES}
    row["anonymous"] = "login"
    row.update(outcomes)
    return row


SIGNED_IN = _row(**{role: "allow" for role in ROLES if role != "anonymous"})
COHORT_A_MEMBERS = _row(
    trainee_a="allow",
    mentor_other="allow",
    mentor_a="allow",
    trainer="allow",
    organiser="allow",
    admin="allow",
)
PLAN_READERS = _row(
    trainee_a=403,
    mentor_other=403,
    mentor_a=403,
    trainer="allow",
    organiser="allow",
    admin="allow",
)
PLAN_WRITERS = PLAN_READERS | {"organiser": 403}

EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/curriculum"): SIGNED_IN,
    ("GET", "/curriculum/modules/{slug}"): COHORT_A_MEMBERS,
    ("GET", "/cohorts/{cohort_id}/plan"): PLAN_READERS,
    ("GET", "/cohorts/{cohort_id}/plan/preview/{module_id}"): PLAN_READERS,
    ("POST", "/cohorts/{cohort_id}/plan/generate"): PLAN_WRITERS,
    ("POST", "/cohorts/{cohort_id}/plan/add"): PLAN_WRITERS,
    ("POST", "/cohorts/{cohort_id}/plan/modules/{module_id}/dates"): PLAN_WRITERS,
    ("POST", "/cohorts/{cohort_id}/plan/modules/{module_id}/remove"): PLAN_WRITERS,
    ("POST", "/cohorts/{cohort_id}/plan/modules/{module_id}/restore"): PLAN_WRITERS,
    (
        "POST",
        "/cohorts/{cohort_id}/plan/modules/{module_id}/circles/{circle_id}/clear",
    ): PLAN_WRITERS,
}


def path_params(world: Any) -> dict[str, object]:
    """Loads the small test curriculum, puts cohort A on it with a generated plan and a
    learning circle; the module is its first one."""
    from sqlmodel import select

    from iil_lms.cohorts.models import LearningCircle
    from iil_lms.curriculum import plans, timeframes
    from iil_lms.curriculum.models import Module
    from iil_lms.curriculum.service import load_curriculum
    from tests.curriculum.helpers import MINI

    session = world.session
    report = load_curriculum(session, MINI)
    cohort = world.cohort_a
    cohort.curriculum_version_id = report.version_id
    session.add(cohort)
    if not plans.has_plan(session, cohort.id):
        plans.generate_plan(session, cohort, timeframes.ACADEMY_YEAR)
    circle = LearningCircle(cohort_id=cohort.id, name="Plan matrix circle (issue 3)")
    session.add(circle)
    session.flush()
    module = session.exec(select(Module).where(Module.slug == "what-is-integrity")).first()
    session.commit()
    assert module is not None
    return {"slug": module.slug, "module_id": module.id, "circle_id": circle.id}
