"""A mentor reaches their mentees' learning circle from the menu, posts in it, and after
reviewing a mentee's work is offered the next work waiting for them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import Journey, Variant
from tests.browser.people import mentored_trainee, open_reflection, write_and_submit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("variant", [VARIANTS[3]], ids=str)
def test_mentor_posts_in_a_mentees_circle_and_is_offered_the_next_review(
    journey: Journey, live_server: LiveServer, variant: Variant
) -> None:
    pair = mentored_trainee(live_server.engine, 70 + VARIANTS.index(journey.variant))
    trainee = journey.person("trainee")
    journey.login(trainee, pair.trainee_email)
    open_reflection(journey, trainee)
    write_and_submit(journey, trainee, "Stamps at the district office wait for the clerk.")

    mentor = journey.person("mentor")
    journey.login(mentor, pair.mentor_email)
    page = mentor.page
    nav = page.get_by_role("navigation", name=mentor.t("Main"))
    nav.get_by_role("link", name=mentor.t("Circles"), exact=True).click()
    page.wait_for_url("**/circle")
    expect(page.get_by_text("You are not in a learning circle yet")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text(mentor.t("Your mentees' circles"))
    journey.check(mentor, "mentee-circles")
    page.locator("main li").filter(has_text=pair.trainee_name).get_by_role("link").click()
    page.wait_for_url(re.compile(r"/circles/\d+$"))
    journey.check(mentor, "circle")
    page.get_by_label(mentor.t("Your post")).fill(f"Your mentor is reading along ({variant}).")
    page.get_by_role("button", name=mentor.t("Post"), exact=True).click()
    expect(page.get_by_role("status").first).to_have_text(mentor.t("Posted."))
    expect(page.get_by_text(f"Your mentor is reading along ({variant}).")).to_be_visible()

    page.goto("/mentees")
    page.locator("ol.awaiting li").filter(has_text=pair.trainee_name).get_by_role("link").click()
    page.get_by_label(mentor.t("Comment")).fill("Name who keeps the stamp, and why.")
    page.get_by_role("button", name=mentor.t("Accept"), exact=True).click()
    expect(page.get_by_role("status").first).to_have_text(
        mentor.t("Accepted. The trainee has been told.")
    )
    offer = page.locator("main .next-up")
    expect(offer).to_be_visible()
    journey.check(mentor, "next-in-queue")
    following = offer.get_by_role("link")
    if following.count() and following.first.get_attribute("href", timeout=1000) != "/mentees":
        following.first.click()
        page.wait_for_url(re.compile(r"/review/\d+$"))
        expect(page.get_by_label(mentor.t("Comment"))).to_be_visible()
