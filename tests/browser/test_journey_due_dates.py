"""The journey map says when things are due: every open module shows its due date, and
an overdue milestone names the module that is overdue and when the milestone ends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect
from sqlalchemy import text
from sqlalchemy.engine import Engine

from iil_lms.i18n import BABEL_LOCALES
from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import Journey, Person
from tests.browser.people import PAKISTAN, mentored_trainee

pytestmark = pytest.mark.browser

# Ideas and prototypes (milestone 3, not started by any demo trainee): the first module
# overdue, the other two open and due later.
LATE, OPEN, LAST = "generating-ideas", "low-cost-prototypes", "testing-with-citizens"


def ideas_dates(engine: Engine, trainee_email: str, circle_name: str) -> dict[str, date]:
    """Put the trainee alone in a new learning circle whose ideas modules opened before
    today: generating-ideas due five days ago, the others due later. Returns each
    module's due date."""
    today = date.today()
    dates = {
        LATE: (today - timedelta(days=30), today - timedelta(days=5)),
        OPEN: (today - timedelta(days=3), today + timedelta(days=12)),
        LAST: (today - timedelta(days=2), today + timedelta(days=26)),
    }
    with engine.begin() as connection:
        cohort = connection.execute(
            text("SELECT id FROM cohort WHERE slug = :s"), {"s": PAKISTAN}
        ).scalar_one()
        connection.execute(
            text("INSERT INTO learning_circle (cohort_id, name) VALUES (:c, :n)"),
            {"c": cohort, "n": circle_name},
        )
        circle = connection.execute(
            text("SELECT id FROM learning_circle WHERE cohort_id = :c AND name = :n"),
            {"c": cohort, "n": circle_name},
        ).scalar_one()
        connection.execute(
            text(
                "UPDATE membership SET circle_id = :circle WHERE cohort_id = :c AND role ="
                " 'trainee' AND user_id = (SELECT id FROM \"user\" WHERE email = :e)"
            ),
            {"circle": circle, "c": cohort, "e": trainee_email},
        )
        for slug, (opens_on, due_on) in dates.items():
            connection.execute(
                text(
                    "INSERT INTO plan_item (cohort_id, module_id, circle_id, opens_on, due_on,"
                    " removed) SELECT :c, m.id, :circle, :o, :d, 0 FROM module m"
                    " JOIN plan_item p ON p.module_id = m.id AND p.cohort_id = :c"
                    " AND p.circle_id IS NULL WHERE m.slug = :slug"
                ),
                {"c": cohort, "circle": circle, "o": opens_on.isoformat(),
                 "d": due_on.isoformat(), "slug": slug},
            )  # fmt: skip
    return {slug: due_on for slug, (_opens, due_on) in dates.items()}


def day(person: Person, value: date) -> str:
    return format_date(value, format="medium", locale=BABEL_LOCALES[person.language])


def test_journey_map_shows_each_open_modules_due_date_and_which_module_is_overdue(
    journey: Journey, live_server: LiveServer
) -> None:
    slot = 90 + VARIANTS.index(journey.variant)
    pair = mentored_trainee(live_server.engine, slot)
    due = ideas_dates(live_server.engine, pair.trainee_email, f"Due dates {slot}")
    trainee = journey.person("trainee")
    journey.login(trainee, pair.trainee_email)
    page = trainee.page
    page.goto("/journey")
    ideas = page.locator(".journey-step").nth(2)
    modules = ideas.locator(".journey-modules li")
    expect(modules).to_have_count(3)
    late_title = modules.nth(0).get_by_role("link").inner_text()

    # The milestone's line: the overdue module, its date, and the milestone's end.
    line = ideas.locator("p").first
    expect(line).to_contain_text(late_title)
    expect(line).to_contain_text(day(trainee, due[LATE]))
    expect(line).to_contain_text(day(trainee, due[LAST]))
    # Each open module shows its own due date.
    expect(modules.nth(0)).to_contain_text(
        trainee.t("Was due %(day)s", day=day(trainee, due[LATE]))
    )
    expect(modules.nth(1)).to_contain_text(trainee.t("due %(day)s", day=day(trainee, due[OPEN])))
    expect(modules.nth(2)).to_contain_text(trainee.t("due %(day)s", day=day(trainee, due[LAST])))
    journey.check(trainee, "journey-due-dates")
