"""An academy's first day, from an EMPTY database (no demo): the operator migrates, loads
the core curriculum and runs `iil-lms create-user --admin`; everything after happens in
the browser. The admin follows their invitation link, creates an academy (a wrong time
zone is refused first) with its logo, then a cohort, and invites a trainer; the trainer
follows the emailed link, chooses a password and lands on the cohort's page. The trainer
then imports the roster (a broken file first: its bad rows are shown and nothing is
saved; then 30 trainees), invites a mentor, checks the plan and creates a convening; a
trainee follows their invitation, chooses a password and opens their first exercise; the
trainer takes attendance on a phone-sized page."""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect
from sqlalchemy import create_engine, text

from tests.browser.conftest import (
    BIN_DIR,
    FAILURES_DIR,
    LiveServer,
    _failed_key,
    _run_cli,
    _schema_from_models_if_migrations_lag,
    _start_server,
    _stop,
)
from tests.browser.helpers import Journey, Variant
from tests.cohorts.roster_files import csv_bytes, person, xlsx_bytes

pytestmark = pytest.mark.browser
CORE = Path(__file__).resolve().parents[2] / "curricula" / "iil-core"
PASSWORD = "first-day-password-1"


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict]]:
    """`iil-lms serve` on a database with the schema and the core curriculum, and no
    academy, cohort or person."""
    data_dir = tmp_path_factory.mktemp("empty-server")
    database_url = f"sqlite:///{data_dir / 'iil.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IIL_TEST")}
    env |= {"IIL_DATA_DIR": str(data_dir), "IIL_DATABASE_URL": database_url,
            "IIL_PRODUCTION": "false", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    _run_cli(env, "migrate")
    _schema_from_models_if_migrations_lag(database_url)
    _run_cli(env, "load-curriculum", str(CORE))
    log_path = data_dir / "server.log"
    process, url = _start_server(env, log_path)
    engine = create_engine(database_url)
    try:
        yield LiveServer(url, database_url, engine, log_path), env
    finally:
        engine.dispose()
        _stop(process)


def create_admin(env: dict, email: str) -> str:
    """`iil-lms create-user --admin` as the README says; returns the invitation path."""
    result = subprocess.run(
        [str(BIN_DIR / "iil-lms"), "create-user", "--admin", "--email", email,
         "--name", "Academy Administrator"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = re.search(r"https?://\S+(/invite/\S+)", result.stdout)
    assert found, result.stdout
    return found.group(1)


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, browser: Browser, empty_server, variant: Variant
) -> Iterator[Journey]:
    server, _env = empty_server
    trip = Journey(browser=browser, base_url=server.url, variant=variant)
    yield trip
    try:
        if request.node.stash.get(_failed_key, False):
            folder = FAILURES_DIR / request.node.name.replace("/", "_")
            saved = trip.save_screenshots(folder)
            print(f"\nScreenshots of {len(saved)} steps: {folder}")
            print(f"Server log (tail):\n{server.log_tail()}")
        elif os.environ.get("IIL_BROWSER_SCREENSHOTS"):
            folder = Path(os.environ["IIL_BROWSER_SCREENSHOTS"]) / request.node.name
            trip.save_screenshots(folder.with_name(folder.name.replace("/", "_")), "at-end")
    finally:
        trip.close()


def _logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 300), (12, 74, 110)).save(out, format="JPEG")
    return out.getvalue()


def _choose_password(journey: Journey, person, link: str) -> None:
    page = person.page
    page.goto(link)
    journey.check(person, "invitation")
    page.get_by_label(person.t("New password")).fill(PASSWORD)
    page.get_by_label(person.t("The same password again")).fill(PASSWORD)
    page.get_by_role("button", name=person.t("Save password")).click()


def test_an_admin_sets_up_an_academy_and_a_cohort_and_a_trainer_joins_it(
    journey: Journey, empty_server
) -> None:
    server, env = empty_server
    tag = journey.variant.language
    admin_link = create_admin(env, f"admin-{tag}@academy.example")

    # The admin's invitation link opens the admin home, empty but for what to do first.
    admin = journey.person("admin", language="en")
    _choose_password(journey, admin, admin_link)
    admin.page.wait_for_url("**/admin")
    journey.set_language(admin, journey.variant.language)
    page = admin.page
    page.goto("/admin")
    journey.check(admin, "admin-empty")
    page.get_by_role("link", name=admin.t("Create an academy")).first.click()

    # An academy: a time zone that is not an IANA name is refused and named.
    page.wait_for_url("**/admin/academies/new")
    academy_name = f"Nepal Administrative Staff College {tag}"
    page.get_by_label(admin.t("Name"), exact=True).fill(academy_name)
    page.get_by_label(admin.t("Short name")).fill(f"NASC {tag}")
    page.get_by_label(admin.t("Country")).fill("Nepal")
    page.get_by_label(admin.t("Time zone")).fill("Nepal/Kathmandu")
    page.locator("input[name=languages][value=ne]").check()
    page.get_by_label(admin.t("Contact address")).fill("Jawalakhel, Lalitpur")
    page.get_by_label(admin.t("Logo")).set_input_files(
        {"name": "logo.jpg", "mimeType": "image/jpeg", "buffer": _logo()}
    )
    page.get_by_role("button", name=admin.t("Create the academy")).click()
    expect(page.locator("#f-timezone-error")).to_be_visible()
    journey.check(admin, "academy-refused")
    page.get_by_label(admin.t("Time zone")).fill("Asia/Kathmandu")
    page.get_by_label(admin.t("Logo")).set_input_files(
        {"name": "logo.jpg", "mimeType": "image/jpeg", "buffer": _logo()}
    )
    page.get_by_role("button", name=admin.t("Create the academy")).click()

    # Its first cohort, planned by the quarterly template, second language Nepali.
    page.wait_for_url("**/admin/cohorts/new?academy_id=*")
    journey.check(admin, "cohort-form")
    cohort_name = f"Kathmandu 2027 {tag}"
    page.get_by_label(admin.t("Name"), exact=True).fill(cohort_name)
    # Started two weeks ago, so its first module is open today.
    first_day = date.today() - timedelta(days=14)
    page.get_by_label(admin.t("First day")).fill(first_day.isoformat())
    page.get_by_label(admin.t("Last day")).fill((first_day + timedelta(days=330)).isoformat())
    page.get_by_label(admin.t("Quarterly convenings")).check()
    page.get_by_label(admin.t("Second language")).select_option("ne")
    page.get_by_role("button", name=admin.t("Create the cohort")).click()

    # Straight to its staff page, to invite its first trainer.
    page.wait_for_url(re.compile(r".*/cohorts/\d+/staff$"))
    cohort_id = int(re.search(r"/cohorts/(\d+)/staff", page.url).group(1))
    journey.check(admin, "staff-empty")
    trainer_email = f"trainer-{tag}@academy.example"
    page.get_by_label(admin.t("Email")).fill(trainer_email)
    page.get_by_label(admin.t("Name"), exact=True).fill("Bina Thapa")
    page.get_by_label(admin.t("Role"), exact=True).select_option("trainer")
    page.get_by_role("button", name=admin.t("Invite"), exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(trainer_email)
    expect(page.get_by_role("row", name=re.compile("Bina Thapa"))).to_be_visible()
    journey.check(admin, "staff-invited")

    page.goto("/admin")
    expect(page.get_by_role("link", name=cohort_name)).to_be_visible()
    expect(
        page.locator(f"img[src='/academies/{_academy_id(server, academy_name)}/logo']")
    ).to_be_visible()
    journey.check(admin, "admin-home")

    # The invitation waits in the outbox; the trainer follows its link.
    with server.engine.connect() as connection:
        link = connection.execute(
            text("SELECT link FROM outbox_message WHERE to_address = :e"), {"e": trainer_email}
        ).scalar_one()
    trainer = journey.person("trainer", language="en")
    _choose_password(journey, trainer, link)
    trainer.page.wait_for_url(f"**/cohorts/{cohort_id}")
    expect(trainer.page.get_by_role("heading", level=1)).to_have_text(cohort_name)
    expect(trainer.page.get_by_role("link", name=trainer.t("Staff"))).to_be_visible()
    journey.check(trainer, "trainer-cohort")

    trainee_email = _import_the_roster(journey, trainer, cohort_id, tag)
    _invite_a_mentor(journey, trainer, cohort_id, tag)
    convening_url = _check_the_plan_and_plan_a_convening(journey, trainer, cohort_id, first_day)

    # A trainee follows the invitation the import queued and opens their first exercise.
    trainee = journey.person("trainee", language="en")
    _choose_password(journey, trainee, _outbox_link(server, trainee_email))
    trainee.page.wait_for_url("**/journey")
    journey.check(trainee, "trainee-journey")
    trainee.page.locator("a[href^='/journey/modules/']").first.click()
    trainee.page.locator("a[href^='/journey/exercises/']").first.click()
    expect(trainee.page.locator("form textarea, form input[type=radio]").first).to_be_visible()
    journey.check(trainee, "trainee-exercise")

    _take_attendance_on_a_phone(journey, trainer, convening_url)


def _outbox_link(server: LiveServer, email: str) -> str:
    with server.engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT link FROM outbox_message WHERE to_address = :e"), {"e": email}
            ).scalar_one()
        )


def _import_the_roster(journey: Journey, trainer, cohort_id: int, tag: str) -> str:
    """A broken file is refused row by row; the fixed workbook imports 30 trainees."""
    rows = [person(n, email=f"trainee{n}-{tag}@academy.example") for n in range(1, 31)]
    rows[2]["email"] = "not-an-address"
    rows[7]["preferred language"] = "Klingon"
    page = trainer.page
    page.goto(f"/cohorts/{cohort_id}/roster")
    page.get_by_label(trainer.t("Roster file")).set_input_files(
        {
            "name": "roster.csv",
            "mimeType": "text/csv",
            "buffer": csv_bytes(rows, delimiter=";", newline="\r\n", bom=True),
        }
    )
    page.get_by_role("button", name=trainer.t("Check the file")).click()
    problems = page.locator("table.problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0).get_by_role("rowheader")).to_have_text("4")
    expect(problems.nth(1).get_by_role("rowheader")).to_have_text("9")
    journey.check(trainer, "roster-broken")
    rows[2]["email"] = f"trainee3-{tag}@academy.example"
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
    page.get_by_role("button", name=trainer.t("Import %(count)s trainees", count="30")).click()
    expect(page.locator("a[href*='/roster/people/']")).to_have_count(30)
    journey.check(trainer, "roster-imported")
    return rows[0]["email"]


def _invite_a_mentor(journey: Journey, trainer, cohort_id: int, tag: str) -> None:
    page = trainer.page
    page.goto(f"/cohorts/{cohort_id}/staff")
    mentor_email = f"mentor-{tag}@academy.example"
    page.get_by_label(trainer.t("Email")).fill(mentor_email)
    page.get_by_label(trainer.t("Name"), exact=True).fill("Ram Prasad Adhikari")
    page.get_by_label(trainer.t("Role"), exact=True).select_option("mentor")
    page.get_by_role("button", name=trainer.t("Invite"), exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(mentor_email)
    journey.check(trainer, "mentor-invited")


def _check_the_plan_and_plan_a_convening(
    journey: Journey, trainer, cohort_id: int, first_day: date
) -> str:
    page = trainer.page
    page.goto(f"/cohorts/{cohort_id}/plan")
    expect(page.locator("main")).to_contain_text("Foundations of integrity")
    journey.check(trainer, "plan")
    page.goto(f"/cohorts/{cohort_id}/convenings")
    page.get_by_label(trainer.t("Title")).fill("Quarterly convening 1")
    page.get_by_label(trainer.t("First day")).fill(first_day.isoformat())
    page.get_by_label(trainer.t("Last day")).fill((first_day + timedelta(days=2)).isoformat())
    page.get_by_label(trainer.t("Venue")).fill("Jawalakhel, Lalitpur")
    page.get_by_role("button", name=trainer.t("Save the convening")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly convening 1")
    journey.check(trainer, "convening")
    return page.url


def _take_attendance_on_a_phone(journey: Journey, trainer, convening_url: str) -> None:
    page = trainer.page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(convening_url)
    page.get_by_role(
        "link", name=re.compile(trainer.t("Take or correct attendance for"))
    ).first.click()
    rows = page.locator(".attendance-row")
    expect(rows).to_have_count(30)
    rows.nth(0).locator("button[value='1']").click()
    expect(rows.nth(0).locator("button[value='1']")).to_have_attribute("aria-pressed", "true")
    rows.nth(1).locator("button[value='1']").click()
    expect(rows.nth(1).locator("button[value='1']")).to_have_attribute("aria-pressed", "true")
    journey.check(trainer, "attendance-on-a-phone")
    page.reload()
    expect(page.locator(".attendance-row.is-present")).to_have_count(2)


def _academy_id(server: LiveServer, name: str) -> int:
    with server.engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT id FROM academy WHERE name = :n"), {"n": name}
            ).scalar_one()
        )
