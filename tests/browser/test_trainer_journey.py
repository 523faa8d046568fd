"""The trainer's main journey: the cohort, its plan (dates changed, a module dropped and put
back), then who has submitted an exercise a trainee just sent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import Journey
from tests.browser.people import cohort_id, mentored_trainee, open_reflection, write_and_submit

pytestmark = pytest.mark.browser
TRAINER = "trainer1@csa-pk.example.org"


def test_trainer_adjusts_the_plan_and_sees_who_submitted(
    journey: Journey, live_server: LiveServer
) -> None:
    pair = mentored_trainee(live_server.engine, 20 + VARIANTS.index(journey.variant))
    trainee = journey.person("trainee")
    journey.login(trainee, pair.trainee_email)
    open_reflection(journey, trainee)
    exercise_title = trainee.page.get_by_role("heading", level=1).inner_text()
    write_and_submit(journey, trainee, "Transfers are announced late, so postings are bargained.")

    trainer = journey.person("trainer")
    journey.login(trainer, TRAINER)
    page = trainer.page
    cohort = cohort_id(live_server.engine)
    page.goto("/")
    page.wait_for_url(f"**/cohorts/{cohort}")
    journey.check(trainer, "cohort")

    nav = page.get_by_role("navigation", name=trainer.t("Main"))
    nav.get_by_role("link", name=trainer.t("Plan"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(trainer.t("Plan"))
    journey.check(trainer, "plan")

    # Adjust the last module's dates (it has not opened, so its dates may change).
    row = page.locator("article.plan-row:not(.plan-removed)").last
    row_id = row.get_attribute("id")
    row = page.locator(f"#{row_id}")
    dates = row.locator("form.plan-dates").first  # the cohort's dates; then per circle
    opens = date.fromisoformat(str(dates.get_by_label(trainer.t("Opens on")).input_value()))
    dates.get_by_label(trainer.t("Due on")).fill((opens + timedelta(days=10)).isoformat())
    dates.get_by_role("button", name=trainer.t("Save dates")).click()
    expect(row.get_by_role("status")).to_have_text(trainer.t("Saved."))
    expect(dates.get_by_label(trainer.t("Due on"))).to_have_value(
        (opens + timedelta(days=10)).isoformat()
    )
    journey.check(trainer, "plan-dates-saved")

    # Drop the module from the plan, then assign it to the cohort again.
    row.get_by_role("button", name=trainer.t("Drop from the plan")).click()
    expect(row.get_by_role("status")).to_have_text(
        trainer.t("Dropped from the plan. Trainees no longer see it.")
    )
    row.get_by_role("button", name=trainer.t("Put back in the plan")).click()
    expect(row.get_by_role("status")).to_have_text(trainer.t("Back in the plan."))
    journey.check(trainer, "plan-module-back")

    # Who has submitted: the trainee's reflection is there, waiting for review.
    nav.get_by_role("link", name=trainer.t("Submissions"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(trainer.t("Submissions"))
    journey.check(trainer, "submissions")
    page.get_by_role("link", name=exercise_title, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(exercise_title)
    submitted = page.get_by_role("row").filter(has_text=pair.trainee_name)
    expect(submitted).to_contain_text(trainer.t("Submitted"))
    journey.check(trainer, "who-submitted")
    submitted.get_by_role("link").click()
    expect(page.get_by_label(trainer.t("Comment"))).to_be_visible()
    journey.check(trainer, "review")
