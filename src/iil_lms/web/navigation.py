"""The navigation each role sees for its active cohort."""

from __future__ import annotations

import re
from dataclasses import dataclass

from iil_lms.i18n import gettext
from iil_lms.web.auth import Viewer


def _(message: str) -> str:
    """Mark for extraction; translated when the menu is built."""
    return message


ROLE_LABELS = {
    "trainee": _("Trainee"),
    "mentor": _("Mentor"),
    "trainer": _("Trainer"),
    "organiser": _("Organiser"),
}

# (role, label, url) in menu order; `{cohort_id}` is the viewer's active cohort.
NAV_ITEMS: list[tuple[str, str, str]] = [
    ("trainee", _("My journey"), "/journey"),
    ("trainee", _("My mentor"), "/mentoring"),
    ("trainee", _("Circle"), "/circle"),
    ("trainee", _("Outreach"), "/outreach"),
    ("trainee", _("My pitch"), "/pitch"),
    ("trainee", _("My certificates"), "/certificates"),
    ("mentor", _("My mentees"), "/mentees"),
    ("mentor", _("My mentees' pitches"), "/mentee-pitches"),
    ("mentor", _("Circles"), "/circle"),
    ("mentor", _("My certificates"), "/certificates"),
    ("trainer", _("Cohort"), "/cohorts/{cohort_id}"),
    ("trainer", _("Progress"), "/cohorts/{cohort_id}/progress"),
    ("trainer", _("Roster"), "/cohorts/{cohort_id}/roster"),
    ("trainer", _("Convenings"), "/cohorts/{cohort_id}/convenings"),
    ("trainer", _("Plan"), "/cohorts/{cohort_id}/plan"),
    ("trainer", _("Mentors"), "/cohorts/{cohort_id}/mentors"),
    ("trainer", _("Circles"), "/cohorts/{cohort_id}/circles"),
    ("trainer", _("Outreach"), "/cohorts/{cohort_id}/outreach"),
    ("trainer", _("Submissions"), "/cohorts/{cohort_id}/submissions"),
    ("trainer", _("Feedback surveys"), "/cohorts/{cohort_id}/feedback"),
    ("trainer", _("Staff"), "/cohorts/{cohort_id}/staff"),
    ("trainer", _("Audit log"), "/cohorts/{cohort_id}/audit"),
    ("trainer", _("GESI figures"), "/cohorts/{cohort_id}/gesi"),
    ("organiser", _("Summits"), "/summits"),
    ("organiser", _("Cohort"), "/cohorts/{cohort_id}"),
    ("organiser", _("Progress"), "/cohorts/{cohort_id}/progress"),
    ("organiser", _("Convenings"), "/cohorts/{cohort_id}/convenings"),
    ("organiser", _("Plan"), "/cohorts/{cohort_id}/plan"),
    ("organiser", _("Certificates"), "/cohorts/{cohort_id}/certificates"),
    ("organiser", _("Feedback surveys"), "/cohorts/{cohort_id}/feedback"),
    ("*", _("Curriculum"), "/curriculum"),
    ("admin", _("Administration"), "/admin"),
    ("admin", _("Audit log"), "/admin/audit"),
    ("admin", _("Summits"), "/summits"),
]

# Site admins hold every staff role in every cohort (web/auth.py cohort_role); on a
# cohort's pages their menu is that cohort's trainer and organiser menu.
ADMIN_COHORT_ROLES = frozenset({"trainer", "organiser"})
_COHORT_PATH = re.compile(r"^/cohorts/(\d{1,18})(?:/|$)")


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str


def role_label(role: str) -> str:
    return gettext(ROLE_LABELS.get(role, role))


def navigation(viewer: Viewer, path: str = "") -> list[NavLink]:
    """Every page the viewer's roles in their active cohort may open; for a site admin
    on a cohort's page (`path`), that cohort's staff pages too."""
    cohort_id = viewer.active_cohort_id
    roles = set(viewer.active_roles)
    if viewer.user is not None and viewer.user.is_admin:
        roles.add("admin")  # a site role, not a cohort's
        looking_at = _COHORT_PATH.match(path)
        if looking_at:
            cohort_id = int(looking_at.group(1))
            roles = {"admin", *ADMIN_COHORT_ROLES, *viewer.roles_in(cohort_id)}
    links: list[NavLink] = []
    seen: set[str] = set()
    for role, label, url in NAV_ITEMS:
        if role != "*" and role not in roles:
            continue
        if "{cohort_id}" in url and cohort_id is None:
            continue
        resolved = url.format(cohort_id=cohort_id)
        if resolved in seen:
            continue
        seen.add(resolved)
        links.append(NavLink(gettext(label), resolved))
    return links
