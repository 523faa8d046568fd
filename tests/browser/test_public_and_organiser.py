"""Public pages (the academies' showcase) for a visitor without an account, the
organiser's pages, and a check that the CSP watch really notices a violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import AccessibilityViolation, Journey, Variant, check_accessibility
from tests.browser.people import cohort_id

pytestmark = pytest.mark.browser
ORGANISER = "organiser1@csa-pk.example.org"


def test_visitor_reads_the_showcase_in_their_language(journey: Journey) -> None:
    visitor = journey.person("visitor")
    page = visitor.page
    page.goto("/login")
    page.locator(f"form[action='/language'] button[value={visitor.language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", visitor.language)

    page.goto("/showcase")
    journey.check(visitor, "showcase-index")
    academies = page.locator("main h2 a")
    expect(academies.first).to_be_visible()
    academies.first.click()
    page.wait_for_url("**/showcase/*")
    journey.check(visitor, "showcase-academy")
    items = page.locator(".showcase-grid h2 a")
    if items.count():
        items.first.click()
        page.wait_for_url("**/showcase/*/*")
        journey.check(visitor, "showcase-item")


def test_organiser_sees_the_cohort_and_the_curriculum(
    journey: Journey, live_server: LiveServer
) -> None:
    organiser = journey.person("organiser")
    journey.login(organiser, ORGANISER)
    page = organiser.page
    page.goto("/")
    page.wait_for_url("**/summits")  # the organiser's home: their summits
    nav = page.get_by_role("navigation", name=organiser.t("Main"))
    nav.get_by_role("link", name=organiser.t("Cohort"), exact=True).click()
    page.wait_for_url(f"**/cohorts/{cohort_id(live_server.engine)}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.check(organiser, "cohort")
    nav.get_by_role("link", name=organiser.t("Curriculum"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(organiser.t("Curriculum"))
    journey.check(organiser, "curriculum")
    modules = page.locator("a[href^='/curriculum/modules/']")
    if modules.count() == 0:
        pytest.fail("the curriculum page lists no module: did the demo load a curriculum?")
    modules.first.click()
    page.wait_for_url("**/curriculum/modules/*")
    journey.check(organiser, "curriculum-module")
    journey.logout(organiser)


@pytest.mark.parametrize("variant", [VARIANTS[0]], ids=str)
def test_the_csp_watch_notices_an_inline_script(journey: Journey, variant: Variant) -> None:
    """Guards the guard: the journeys assert no CSP violation, so the watch must see one."""
    visitor = journey.person("visitor")
    visitor.page.goto("/login")
    visitor.page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.append(s); }"
    )
    expect(visitor.page.locator("body")).to_be_visible()
    visitor.page.wait_for_timeout(200)
    assert visitor.csp_errors, "an inline script ran without a CSP violation being reported"
    assert visitor.page.evaluate("() => window.injected === undefined")


@pytest.mark.parametrize("variant", [VARIANTS[0]], ids=str)
def test_the_axe_check_fails_on_a_serious_violation(journey: Journey, variant: Variant) -> None:
    """Guards the guard: an unlabelled input and an image without alt text must fail."""
    page = journey.person("visitor").page
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>Form</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">'
        "</main></body></html>"
    )
    with pytest.raises(AccessibilityViolation) as caught:
        check_accessibility(page, "a bad page")
    assert "image-alt" in str(caught.value)
    assert "label" in str(caught.value)
