"""Every role signs in, lands on its home and can follow each link of its menu (no 403 or
404): trainee, mentor, trainer, organiser, and the site admin, whose menu on a cohort's
page is that cohort's staff menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import Journey, Variant
from tests.browser.people import cohort_id

pytestmark = pytest.mark.browser

HOMES = {
    "trainee001@csa-pk.example.org": "/journey",
    "mentor01@csa-pk.example.org": "/mentees",
    "trainer1@csa-pk.example.org": "/cohorts/{cohort}",
    "organiser1@csa-pk.example.org": "/summits",
    "admin@example.org": "/admin",
}


def _menu(journey: Journey, person) -> list[str]:
    links = person.page.locator("nav.site-nav a")
    return [links.nth(i).get_attribute("href") or "" for i in range(links.count())]


def _follow_every_menu_link(journey: Journey, person, who: str) -> list[str]:
    menu = _menu(journey, person)
    assert menu, f"{who} has no menu"
    for url in menu:
        response = person.page.goto(url)
        assert response is not None
        assert response.status == 200, f"{who}: the menu link {url} answers {response.status}"
        expect(person.page.get_by_role("heading", level=1)).to_be_visible()
    return menu


@pytest.mark.parametrize("variant", [VARIANTS[0]], ids=str)
@pytest.mark.parametrize("email", list(HOMES), ids=lambda e: e.split("@")[0])
def test_each_role_lands_on_its_home_and_every_menu_link_opens(
    journey: Journey, live_server: LiveServer, variant: Variant, email: str
) -> None:
    cohort = cohort_id(live_server.engine)
    person = journey.person(email.split("@")[0])
    journey.login(person, email)
    person.page.goto("/")
    home = HOMES[email].format(cohort=cohort)
    person.page.wait_for_url(f"**{home}")
    expect(person.page.get_by_text("You are not part of a cohort yet")).to_have_count(0)
    journey.check(person, "home")
    menu = _follow_every_menu_link(journey, person, email)
    if email.startswith("admin"):
        # admins hold the trainer's and organiser's powers in every cohort: on a cohort's
        # page the menu offers them
        assert "/summits" in menu
        person.page.goto("/admin")
        person.page.get_by_role("link", name="Common Training Programme 2026-27").first.click()
        person.page.wait_for_url(f"**/cohorts/{cohort}")
        staff_menu = _follow_every_menu_link(journey, person, email)
        assert f"/cohorts/{cohort}/plan" in staff_menu
        assert f"/cohorts/{cohort}/roster" in staff_menu
        assert f"/cohorts/{cohort}/certificates" in staff_menu
