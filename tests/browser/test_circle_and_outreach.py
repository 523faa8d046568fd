"""The trainee's circle and outreach pages: a post in the learning circle's discussion, an
outreach story sent to the trainers, approved by the cohort's trainer on the moderation
page, then read by a visitor on the academy's public showcase; the trainee's bell and
notifications page tell them of the decision."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import Journey, Variant
from tests.browser.people import PAKISTAN, cohort_id, mentored_trainee

pytestmark = pytest.mark.browser
TRAINER = "trainer1@csa-pk.example.org"


def academy_slug(live_server: LiveServer) -> str:
    query = text(
        "SELECT a.slug FROM academy a JOIN cohort c ON c.academy_id = a.id WHERE c.slug = :s"
    )
    with live_server.engine.connect() as connection:
        return str(connection.execute(query, {"s": PAKISTAN}).scalar_one())


# Two of the four variants (Urdu on a desktop, English on a phone) keep the suite near
# five minutes; the page sweep opens these pages in every language.
@pytest.mark.parametrize("variant", [VARIANTS[2], VARIANTS[1]], ids=str)
def test_trainee_posts_in_the_circle_and_publishes_outreach_to_the_showcase(
    journey: Journey, live_server: LiveServer, variant: Variant
) -> None:
    pair = mentored_trainee(live_server.engine, 50 + VARIANTS.index(journey.variant))
    trainee = journey.person("trainee")
    journey.login(trainee, pair.trainee_email)
    page = trainee.page
    nav = page.get_by_role("navigation", name=trainee.t("Main"))

    # The learning circle's discussion: a post, shown with its Markdown.
    nav.get_by_role("link", name=trainee.t("Circle"), exact=True).click()
    page.wait_for_url(re.compile(r"/circles/\d+$"))
    journey.check(trainee, "circle")
    page.get_by_label(trainee.t("Your post")).fill(
        f"Who tried the token idea? **{journey.variant}**"
    )
    page.get_by_role("button", name=trainee.t("Post"), exact=True).click()
    expect(page.get_by_role("status").first).to_have_text(trainee.t("Posted."))
    posted = page.locator("article.post .comment-body strong").filter(has_text=str(journey.variant))
    expect(posted.first).to_be_visible()
    journey.check(trainee, "circle-posted")

    # Outreach: a story sent to the trainers.
    title = f"Tokens instead of six visits ({journey.variant})"
    nav.get_by_role("link", name=trainee.t("Outreach"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(trainee.t("Outreach"))
    journey.check(trainee, "outreach")
    page.get_by_role("link", name=trainee.t("Publish something new")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(trainee.t("Publish outreach"))
    journey.check(trainee, "outreach-new")
    page.locator("input[name=kind][value=story]").check()
    page.get_by_label(trainee.t("Title"), exact=True).fill(title)
    page.get_by_label(trainee.t("Story or caption"), exact=True).fill(
        "Mothers now come **twice**, not six times, for a birth certificate."
    )
    page.get_by_role("button", name=trainee.t("Send to the trainers")).click()
    expect(page.get_by_role("status").first).to_have_text(
        trainee.t("Sent to the trainers. You will hear when they decide.")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    journey.check(trainee, "outreach-sent")

    # The trainer approves it for the showcase.
    trainer = journey.person("trainer")
    journey.login(trainer, TRAINER)
    tpage = trainer.page
    cohort = cohort_id(live_server.engine)
    tpage.goto(f"/cohorts/{cohort}/circles")
    journey.check(trainer, "circles")
    tnav = tpage.get_by_role("navigation", name=trainer.t("Main"))
    tnav.get_by_role("link", name=trainer.t("Outreach"), exact=True).click()
    expect(tpage.get_by_role("heading", level=1)).to_have_text(trainer.t("Outreach moderation"))
    item = tpage.locator("article.card").filter(
        has=tpage.get_by_role("heading", level=2, name=title, exact=True)
    )
    expect(item).to_have_count(1)
    journey.check(trainer, "moderation")
    item.get_by_role("button", name=trainer.t("Approve for the showcase")).click()
    expect(tpage.get_by_role("status").first).to_have_text(
        trainer.t("Approved: “%(title)s” is on the showcase.", title=title)
    )
    journey.check(trainer, "approved")

    # A visitor without an account reads it on the academy's showcase.
    visitor = journey.person("visitor")
    vpage = visitor.page
    vpage.goto(f"/showcase/{academy_slug(live_server)}")
    vpage.get_by_role("link", name=title, exact=True).click()
    vpage.wait_for_url("**/showcase/*/*")
    expect(vpage.get_by_role("heading", level=1)).to_have_text(title)
    expect(vpage.locator("main strong").filter(has_text="twice")).to_be_visible()
    journey.check(visitor, "showcase-item")

    # The trainee's bell and notifications page.
    page.goto("/outreach")
    expect(page.locator("header a.bell .bell-count")).to_be_visible()
    page.locator("header a.bell").click()
    page.wait_for_url("**/notifications")
    expect(page.locator("ul.notifications > li.unread").first).to_be_visible()
    journey.check(trainee, "notifications")
    page.get_by_role("button", name=trainee.t("Mark all as read")).click()
    expect(page.locator("ul.notifications > li.unread")).to_have_count(0)
    expect(page.locator("header a.bell .bell-count")).to_have_count(0)
    journey.check(trainee, "notifications-read")
