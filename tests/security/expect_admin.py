"""Authorization expectations for the site admin's pages (academies, cohorts, archive),
an academy's public logo, and a cohort's staff page.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow",
"login" (303 to /login), 401, 403, 404.

The admin pages exist only for site admins: everyone else signed in gets 404. A cohort's
staff page is its trainers' (and site admins'): its other members 403, others 404. The
matrix posts empty forms, which the routes answer with their validation error (400,
"allow"). The staff routes act on the trainer's own membership, which is refused as the
cohort's last trainer, so the rows after the trainer's still find it.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from sqlmodel import select

from iil_lms.cohorts import logos
from iil_lms.cohorts.models import Academy, Membership
from tests.security.world import ROLES

ADMIN_ONLY = {role: 404 for role in ROLES} | {"anonymous": "login", "admin": "allow"}
PUBLIC = {role: "allow" for role in ROLES}
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
    ("GET", "/admin"): ADMIN_ONLY,
    ("GET", "/admin/academies/new"): ADMIN_ONLY,
    ("POST", "/admin/academies"): ADMIN_ONLY,
    ("GET", "/admin/academies/{academy_id}"): ADMIN_ONLY,
    ("POST", "/admin/academies/{academy_id}"): ADMIN_ONLY,
    ("GET", "/admin/cohorts/new"): ADMIN_ONLY,
    ("POST", "/admin/cohorts"): ADMIN_ONLY,
    ("POST", "/admin/cohorts/{cohort_id}/archive"): ADMIN_ONLY,
    ("POST", "/admin/cohorts/{cohort_id}/unarchive"): ADMIN_ONLY,
    # shown on the academy's public pages
    ("GET", "/academies/{academy_id}/logo"): PUBLIC,
    ("GET", "/cohorts/{cohort_id}/staff"): COHORT_TRAINERS,
    ("POST", "/cohorts/{cohort_id}/staff"): COHORT_TRAINERS,
    ("POST", "/cohorts/{cohort_id}/staff/{membership_id}"): COHORT_TRAINERS,
    ("POST", "/cohorts/{cohort_id}/staff/{membership_id}/remove"): COHORT_TRAINERS,
}


def _logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), (10, 60, 120)).save(out, format="PNG")
    return out.getvalue()


def path_params(world: Any) -> dict[str, object]:
    """Cohort A's academy (given a logo) and the trainer's membership of cohort A."""
    session = world.session
    academy = session.get(Academy, world.cohort_a.academy_id)
    if academy.logo_name is None:
        academy.logo_name = logos.store_logo(world.settings, logos.clean_logo(_logo()))
        session.add(academy)
        session.commit()
    trainer = world.users["trainer"]
    membership_id = session.exec(
        select(Membership.id).where(
            Membership.cohort_id == world.cohort_a.id,
            Membership.user_id == trainer.id,
            Membership.role == "trainer",
        )
    ).one()
    return {"academy_id": academy.id, "membership_id": membership_id}
