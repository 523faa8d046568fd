"""The plan's calendar draws a dropped module with no open month, and draws it open again
once it is back in the plan."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import Journey, Variant
from tests.browser.people import cohort_id

pytestmark = pytest.mark.browser
TRAINER = "trainer1@csa-pk.example.org"


@pytest.mark.parametrize("variant", [VARIANTS[0]], ids=str)
def test_a_dropped_module_is_not_drawn_open_in_the_calendar(
    journey: Journey, live_server: LiveServer, variant: Variant
) -> None:
    trainer = journey.person("trainer")
    journey.login(trainer, TRAINER)
    page = trainer.page
    page.goto(f"/cohorts/{cohort_id(live_server.engine)}/plan")
    row_id = page.locator("article.plan-row:not(.plan-removed)").last.get_attribute("id")
    calendar_row = page.locator("table.plan-calendar tr", has=page.locator(f"a[href='#{row_id}']"))
    expect(calendar_row.locator("td.cal-on").first).to_be_visible()

    row = page.locator(f"#{row_id}")
    row.get_by_role("button", name=trainer.t("Drop from the plan")).click()
    expect(row.get_by_role("status")).to_have_text(
        trainer.t("Dropped from the plan. Trainees no longer see it.")
    )
    page.reload()
    expect(calendar_row).to_contain_text(trainer.t("dropped"))
    expect(calendar_row.locator("td.cal-on")).to_have_count(0)
    journey.check(trainer, "plan-dropped")

    # back in the plan (other journeys share the demo), drawn open again
    page.locator(f"#{row_id}").get_by_role("button", name=trainer.t("Put back in the plan")).click()
    expect(page.locator(f"#{row_id}").get_by_role("status")).to_have_text(
        trainer.t("Back in the plan.")
    )
    page.reload()
    expect(calendar_row.locator("td.cal-on").first).to_be_visible()
