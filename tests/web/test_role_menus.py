"""Each role's menu agrees with the authorization matrix: every page in a person's menu
opens for them, and every menu page the matrix lets a role open is in its menu. A site
admin holds the trainer's and organiser's powers in every cohort by design (web/auth.py
cohort_role); on a cohort's page the admin's menu is that cohort's staff menu."""

from __future__ import annotations

import re

import pytest

from iil_lms.web.navigation import NAV_ITEMS
from tests.security.test_authorization_matrix import EXPECTATIONS
from tests.security.world import build_world, client_for

MENU_PAGES = sorted({url for _role, _label, url in NAV_ITEMS})
# Pages that answer every signed-in person with their own (perhaps empty) list, so the
# matrix allows them to all; they are in the menu only of roles that have something there.
OWN_LISTS = {"/certificates", "/circle"}
STAFF_ROLES = ("trainee_a", "mentor_a", "trainer", "organiser", "admin")


def _menu(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S)
    assert nav, "no menu on the page"
    return re.findall(r'href="([^"]+)"', nav.group(0))


def _allowed(role: str, page: str) -> bool:
    _module, expected = EXPECTATIONS[("GET", page)]
    return expected[role] == "allow"


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_menu_shows_every_page_the_role_may_open_and_each_opens(
    role, app, session, settings, engine
):
    world = build_world(session, settings, engine)
    cohort = world.cohort_a.id
    who = client_for(app, world, role)
    with who.client:
        home = who.client.get("/")
        assert home.status_code == 200, f"{role}: home answers {home.status_code}"
        # an admin looks at cohort A's page to see its staff menu
        page = who.client.get(f"/cohorts/{cohort}") if role == "admin" else home
        menu = _menu(page.text)
        for url in menu:
            answer = who.client.get(url)
            status = answer.status_code
            assert status == 200, f"{role}: {url} in the menu answers {status}"
        for template in MENU_PAGES:
            url = template.format(cohort_id=cohort)
            if template in OWN_LISTS:
                continue
            if _allowed(role, template):
                assert url in menu, f"{role} may open {url} but the menu does not show it"
            else:
                assert url not in menu, f"{role}'s menu shows {url}, which it may not open"


def test_admin_home_is_the_administration_page_with_every_cohort(app, session, settings, engine):
    world = build_world(session, settings, engine)
    who = client_for(app, world, "admin")
    with who.client:
        home = who.client.get("/")
        assert str(home.url).endswith("/admin")
        assert f'href="/cohorts/{world.cohort_a.id}"' in home.text
        assert "You are not part of a cohort yet" not in home.text
        assert "/summits" in _menu(home.text)
