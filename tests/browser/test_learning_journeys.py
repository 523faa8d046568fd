"""The trainee's and the mentor's main journeys, each with a second person in their own
browser context: a trainee submits a reflection, the mentor reviews it in the UI."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import Journey, Person
from tests.browser.people import mentored_trainee, open_reflection, write_and_submit

pytestmark = pytest.mark.browser


def slot(base: int, journey: Journey) -> int:
    return base + VARIANTS.index(journey.variant)


def review_from_inbox(journey: Journey, mentor: Person, trainee_name: str) -> None:
    """The mentor opens My mentees and the awaiting submission of `trainee_name`."""
    page = mentor.page
    page.goto("/mentees")
    expect(page.get_by_role("heading", level=1)).to_have_text(mentor.t("My mentees"))
    journey.check(mentor, "mentees")
    waiting = page.locator("ol.awaiting li").filter(has_text=trainee_name)
    expect(waiting).to_have_count(1)
    waiting.get_by_role("link").click()
    expect(page.get_by_label(mentor.t("Comment"))).to_be_visible()
    journey.check(mentor, "review")


def test_trainee_submits_a_reflection_and_sees_the_mentors_feedback(
    journey: Journey, live_server: LiveServer
) -> None:
    pair = mentored_trainee(live_server.engine, slot(0, journey))
    trainee = journey.person("trainee")
    journey.login(trainee, pair.trainee_email)
    exercise_url = open_reflection(journey, trainee)
    answer = "In my tehsil office, files move faster for people who know someone."
    write_and_submit(journey, trainee, answer)

    mentor = journey.person("mentor")
    journey.login(mentor, pair.mentor_email)
    review_from_inbox(journey, mentor, pair.trainee_name)
    expect(mentor.page.get_by_text(answer)).to_be_visible()
    mentor.page.get_by_label(mentor.t("Comment")).fill("Say who gains from the delay, and how.")
    mentor.page.get_by_role("button", name=mentor.t("Return for revision")).click()
    expect(mentor.page.get_by_role("status").first).to_have_text(
        mentor.t("Returned for revision. The trainee has been told.")
    )
    journey.check(mentor, "returned")

    page = trainee.page
    page.goto("/journey")
    feedback = page.locator(
        "section", has=page.get_by_role("heading", name=trainee.t("New feedback"))
    )
    expect(feedback).to_contain_text("Say who gains from the delay")
    expect(feedback).to_contain_text(trainee.t("Returned for revision"))
    journey.check(trainee, "journey-with-feedback")
    feedback.get_by_role("link").first.click()
    page.wait_for_url(f"{exercise_url}#history")
    expect(
        page.get_by_role("heading", level=2, name=trainee.t("Revise your answer"))
    ).to_be_visible()
    journey.check(trainee, "revise")


def test_mentor_reviews_a_mentees_work_comments_and_accepts(
    journey: Journey, live_server: LiveServer
) -> None:
    pair = mentored_trainee(live_server.engine, slot(10, journey))
    trainee = journey.person("trainee")
    journey.login(trainee, pair.trainee_email)
    open_reflection(journey, trainee)
    write_and_submit(journey, trainee, "A clinic queue that favours the well connected.")

    mentor = journey.person("mentor")
    journey.login(mentor, pair.mentor_email)
    page = mentor.page
    page.goto("/mentees")
    row = page.get_by_role("row").filter(has_text=pair.trainee_name)
    row.get_by_role("link", name=pair.trainee_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(pair.trainee_name)
    journey.check(mentor, "mentee")

    review_from_inbox(journey, mentor, pair.trainee_name)
    page.get_by_label(mentor.t("Comment")).fill("Good start: **name the queue rule**.")
    page.get_by_role("button", name=mentor.t("Post comment")).click()
    expect(page.get_by_role("status").first).to_have_text(mentor.t("Your comment is posted."))
    expect(page.locator(".comment-body strong")).to_have_text("name the queue rule")
    journey.check(mentor, "commented")
    page.get_by_role("button", name=mentor.t("Accept"), exact=True).click()
    expect(page.get_by_role("status").first).to_have_text(
        mentor.t("Accepted. The trainee has been told.")
    )
    journey.check(mentor, "accepted")
    page.goto("/mentees")
    expect(page.locator("ol.awaiting li").filter(has_text=pair.trainee_name)).to_have_count(0)
