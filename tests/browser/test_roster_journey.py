"""A trainer on a phone imports a roster: a broken file first (the bad rows are shown,
nothing is saved), then the fixed file with 30 trainees; then plans a convening and takes
attendance with one tap per person, correcting one."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from iil_lms.accounts import service as accounts
from iil_lms.cohorts.models import Academy, Cohort, Membership
from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import DEMO_PASSWORD, Journey
from tests.cohorts.roster_files import csv_bytes, people, xlsx_bytes

pytestmark = pytest.mark.browser
TRAINER = "roster-trainer@browser.example.org"


def _new_cohort(live_server: LiveServer) -> int:
    """A cohort of its own (no trainee yet) with one trainer, so the 30 imported
    trainees change nothing the other journeys look at."""
    with Session(live_server.engine) as session:
        academy = Academy(slug="browser-roster", name="Roster Academy", country="Nepal")
        session.add(academy)
        session.flush()
        cohort = Cohort(
            academy_id=academy.id,
            slug="browser-roster",
            name="Roster cohort",
            starts_on=date(2026, 9, 7),
            ends_on=date(2027, 7, 30),
        )
        session.add(cohort)
        trainer = accounts.user_by_email(session, TRAINER) or accounts.create_user(
            session, email=TRAINER, display_name="Roster Trainer", password=DEMO_PASSWORD
        )
        session.flush()
        session.add(Membership(cohort_id=cohort.id, user_id=trainer.id, role="trainer"))
        session.commit()
        return int(cohort.id or 0)


@pytest.mark.parametrize("variant", [VARIANTS[1]], ids=str)  # a 360 x 740 phone, English
def test_trainer_imports_a_roster_and_takes_attendance_on_a_phone(
    journey: Journey, live_server: LiveServer
) -> None:
    cohort = _new_cohort(live_server)
    trainer = journey.person("trainer")
    journey.login(trainer, TRAINER)
    page = trainer.page
    page.goto(f"/cohorts/{cohort}/roster")
    expect(page.get_by_role("heading", level=1)).to_have_text(trainer.t("Roster"))
    journey.check(trainer, "roster-empty")

    # A broken file: a bad email (row 4) and an unknown language (row 9).
    rows = people(30)
    rows[2]["email"] = "not-an-address"
    rows[7]["preferred language"] = "Klingon"
    broken = csv_bytes(rows, delimiter=";", newline="\r\n", bom=True)
    page.get_by_label(trainer.t("Roster file")).set_input_files(
        {"name": "roster.csv", "mimeType": "text/csv", "buffer": broken}
    )
    page.get_by_role("button", name=trainer.t("Check the file")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(trainer.t("Check the roster file"))
    problems = page.locator("table.problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0).get_by_role("rowheader")).to_have_text("4")
    expect(problems.nth(1).get_by_role("rowheader")).to_have_text("9")
    expect(page.get_by_role("button", name=re.compile(trainer.t("Import")))).to_have_count(0)
    journey.check(trainer, "preview-broken")

    # Fixed, as an Excel workbook this time.
    rows[2]["email"] = "trainee3@example.test"
    rows[7]["preferred language"] = "ne"
    page.get_by_role("link", name=trainer.t("Upload the corrected file")).click()
    page.get_by_label(trainer.t("Roster file")).set_input_files(
        {
            "name": "roster.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": xlsx_bytes(rows),
        }
    )
    page.get_by_role("button", name=trainer.t("Check the file")).click()
    expect(page.locator("table.problems")).to_have_count(0)
    journey.check(trainer, "preview-valid")
    page.get_by_role("button", name=trainer.t("Import %(count)s trainees", count="30")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(trainer.t("Roster"))
    expect(page.locator("a[href*='/roster/people/']")).to_have_count(30)
    journey.check(trainer, "roster-imported")

    # A convening, then attendance on its first day.
    page.goto(f"/cohorts/{cohort}/convenings")
    page.get_by_label(trainer.t("Title")).fill("Quarterly convening 1")
    page.get_by_label(trainer.t("First day")).fill("2026-12-01")
    page.get_by_label(trainer.t("Last day")).fill("2026-12-03")
    page.get_by_label(trainer.t("Venue")).fill("Nepal Administrative Staff College")
    page.get_by_role("button", name=trainer.t("Save the convening")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly convening 1")
    journey.check(trainer, "convening")
    page.get_by_role(
        "link", name=re.compile(trainer.t("Take or correct attendance for"))
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(trainer.t("Attendance"))
    journey.check(trainer, "attendance")

    first = page.locator(".attendance-row").first
    first.locator("button[value='1']").click()
    expect(first.locator("button[value='1']")).to_have_attribute("aria-pressed", "true")
    page.get_by_label(trainer.t("Find a trainee")).fill(rows[4]["name"])
    found = page.locator(".attendance-row")
    expect(found).to_have_count(1)
    found.locator("button[value='0']").click()
    expect(found.locator("button[value='0']")).to_have_attribute("aria-pressed", "true")
    # Corrected: they had come after all.
    found.locator("button[value='1']").click()
    expect(found.locator("button[value='1']")).to_have_attribute("aria-pressed", "true")
    expect(found.locator("button[value='0']")).to_have_attribute("aria-pressed", "false")
    journey.check(trainer, "attendance-taken")
    page.reload()
    expect(page.locator(".attendance-row.is-present")).to_have_count(1)
    page.get_by_label(trainer.t("Find a trainee")).fill("")
    page.goto(f"/cohorts/{cohort}/convenings")
    expect(page.get_by_role("cell", name=re.compile("2 present"))).to_be_visible()
