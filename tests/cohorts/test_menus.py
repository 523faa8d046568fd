"""Each role's menu and home for the admin and staff pages."""

from __future__ import annotations

from iil_lms.accounts.models import User
from iil_lms.web.auth import CohortRole, Viewer
from iil_lms.web.home import home_url
from iil_lms.web.navigation import navigation


def _viewer(*roles: str, is_admin: bool = False) -> Viewer:
    user = User(id=1, email="p@example.test", display_name="P", is_admin=is_admin)
    return Viewer(
        user=user,
        roles=[CohortRole(7, "C", "A", role, membership_id=i) for i, role in enumerate(roles)],
    )


def _urls(viewer: Viewer) -> list[str]:
    return [link.url for link in navigation(viewer)]


def test_a_site_admin_without_a_cohort_starts_on_the_admin_home_with_its_menu_link():
    admin = _viewer(is_admin=True)
    assert home_url(admin) == "/admin"
    assert "/admin" in _urls(admin)


def test_a_site_admin_who_also_trains_keeps_the_trainer_home_and_both_menus():
    both = _viewer("trainer", is_admin=True)
    assert home_url(both) == "/cohorts/7"
    assert {"/cohorts/7/staff", "/admin"} <= set(_urls(both))


def test_only_trainers_see_the_staff_page_and_nobody_else_the_admin_home():
    assert "/cohorts/7/staff" in _urls(_viewer("trainer"))
    for role in ("trainee", "mentor", "organiser"):
        urls = _urls(_viewer(role))
        assert "/cohorts/7/staff" not in urls and "/admin" not in urls
    assert home_url(_viewer()) == "/account"
