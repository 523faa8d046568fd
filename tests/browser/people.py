"""Demo people for the journeys, found in the served database, and the trainee steps that
several journeys share (a trainee opens a module, writes a reflection and submits it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.browser.helpers import Journey, Person

PAKISTAN = "ctp-2026"


@dataclass(frozen=True)
class Pair:
    trainee_email: str
    trainee_name: str
    mentor_email: str


def mentored_trainee(engine: Engine, slot: int) -> Pair:
    """The `slot`-th trainee of the Pakistan demo cohort who has a mentor (each test and
    variant takes its own slot, so journeys never see each other's work)."""
    query = text(
        "SELECT t.email, t.display_name, m.email FROM mentor_assignment a"
        " JOIN cohort c ON c.id = a.cohort_id"
        ' JOIN "user" t ON t.id = a.trainee_id JOIN "user" m ON m.id = a.mentor_id'
        " WHERE c.slug = :slug AND a.ended_at IS NULL ORDER BY t.email"
    )
    with engine.connect() as connection:
        rows = connection.execute(query, {"slug": PAKISTAN}).all()
    if len(rows) <= slot:
        pytest.fail(f"the demo has {len(rows)} mentored trainees in {PAKISTAN}; need {slot + 1}")
    email, name, mentor = rows[slot]
    return Pair(email, name, mentor)


def cohort_id(engine: Engine, slug: str = PAKISTAN) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(text("SELECT id FROM cohort WHERE slug = :s"), {"s": slug}).one()[0]
        )


def placeholder_pattern(translated: str) -> re.Pattern[str]:
    """A translated message with %(name)s placeholders as a regular expression."""
    parts = re.split(r"%\(\w+\)s", translated)
    return re.compile(".+".join(re.escape(part) for part in parts))


def open_reflection(journey: Journey, trainee: Person) -> str:
    """From the journey map, open the first module that has a reflection still to do, then
    that exercise; returns the exercise's URL."""
    page = trainee.page
    page.goto("/journey")
    expect(page.get_by_role("heading", level=1)).to_have_text(trainee.t("My journey"))
    journey.check(trainee, "journey-map")
    modules = page.locator(".journey-modules a")
    if modules.count() == 0:
        pytest.fail(
            "the journey map links no open module: did the demo load a curriculum "
            "(curricula/iil-core) and give the Pakistan cohort a plan?"
        )
    hrefs = [modules.nth(i).get_attribute("href") for i in range(modules.count())]
    for href in hrefs:
        page.goto(str(href))
        todo = page.locator("ol.exercise-steps li").filter(has_text=trainee.t("Reflection"))
        todo = todo.filter(has_text=trainee.t("To do"))
        if todo.count():
            journey.check(trainee, "module")
            todo.first.get_by_role("link").click()
            expect(page.get_by_label(trainee.t("Your reflection"))).to_be_visible()
            journey.check(trainee, "exercise")
            return page.url
    pytest.fail("no open module has a reflection exercise left to do")


def write_and_submit(journey: Journey, trainee: Person, answer: str) -> None:
    """Type a reflection, see autosave's "Saved", reload (the draft is kept), submit."""
    page = trainee.page
    box = page.get_by_label(trainee.t("Your reflection"))
    box.fill(answer)
    saved = placeholder_pattern(trainee.t("Saved at %(time)s"))
    expect(page.locator("#save-status")).to_have_text(saved, timeout=15_000)
    journey.check(trainee, "autosaved")
    page.reload()
    expect(page.get_by_label(trainee.t("Your reflection"))).to_have_value(answer)
    draft = placeholder_pattern(trainee.t("Draft saved at %(time)s"))
    expect(page.locator("#save-status")).to_have_text(draft)  # rendered by the server
    page.get_by_role("button", name=trainee.t("Submit"), exact=True).click()
    sent = [
        trainee.t("Submitted: your mentor will review it."),
        trainee.t("Submitted (after the due date): your mentor will review it."),
    ]
    sent_pattern = re.compile("|".join(re.escape(message) for message in sent))
    expect(page.get_by_role("status").first).to_have_text(sent_pattern)
    expect(page.locator("#history")).to_contain_text(answer)
    journey.check(trainee, "submitted")
