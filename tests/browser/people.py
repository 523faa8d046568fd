"""Demo people for the journeys, found in the served database, and the trainee steps that
several journeys share (a trainee opens a module, writes a reflection and submits it)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

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
    variant takes its own slot, so journeys never see each other's work). Taken: 0-3
    feedback round trip, 10-13 mentor review, 20-23 trainer plan, 30 keyboard, 40-43
    completed milestone (moved to circles of their own), 50-53 circle and outreach,
    60 the page sweep, 70-73 the mentor in their mentees' circle."""
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


@dataclass(frozen=True)
class SmallMilestone:
    """A learning circle of one trainee whose "Ideas and prototypes" milestone is two
    open modules (the third dropped for the circle): exercise ids by slug, module ids."""

    circle_id: int
    module_ids: dict[str, int]
    exercise_ids: dict[str, int]
    quiz_spec: dict[str, Any]


SMALL_MILESTONE_MODULES = ("generating-ideas", "testing-with-citizens")
SMALL_MILESTONE_DROPPED = "low-cost-prototypes"


def small_milestone(engine: Engine, trainee_email: str, circle_name: str) -> SmallMilestone:
    """Put the trainee alone in a new learning circle of the Pakistan cohort whose plan
    (circle overrides, as a trainer's per-circle dates make them) opens generating-ideas
    (reflection, upload, quiz) and testing-with-citizens (reflection, action plan,
    survey) today and drops low-cost-prototypes, so one milestone holds every answer type.

    Done in SQL on the served database: the plan editor sets a circle's dates but can only
    drop a module for the whole cohort, and other journeys share the cohort's plan."""
    today = date.today()
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
                "UPDATE membership SET circle_id = :circle WHERE cohort_id = :c AND role = "
                "'trainee' AND user_id = (SELECT id FROM \"user\" WHERE email = :e)"
            ),
            {"circle": circle, "c": cohort, "e": trainee_email},
        )
        rows = connection.execute(
            text(
                "SELECT m.id, m.slug, p.opens_on, p.due_on FROM plan_item p"
                " JOIN module m ON m.id = p.module_id"
                " WHERE p.cohort_id = :c AND p.circle_id IS NULL AND m.slug IN (:a, :b, :x)"
            ),
            {"c": cohort, "a": SMALL_MILESTONE_MODULES[0], "b": SMALL_MILESTONE_MODULES[1],
             "x": SMALL_MILESTONE_DROPPED},
        ).all()  # fmt: skip
        modules = {slug: int(module_id) for module_id, slug, _o, _d in rows}
        if len(modules) != 3:
            pytest.fail(f"the Pakistan plan lacks some of the ideas modules: {sorted(modules)}")
        insert = text(
            "INSERT INTO plan_item (cohort_id, module_id, circle_id, opens_on, due_on, removed)"
            " VALUES (:c, :m, :circle, :o, :d, :r)"
        )
        for (
            module_id,
            slug,
            opens_on,
            due_on,
        ) in rows:
            dropped = slug == SMALL_MILESTONE_DROPPED
            connection.execute(
                insert,
                {"c": cohort, "m": module_id, "circle": circle,
                 "o": str(opens_on) if dropped else (today - timedelta(days=1)).isoformat(),
                 "d": str(due_on) if dropped else (today + timedelta(days=20)).isoformat(),
                 "r": dropped},
            )  # fmt: skip
        exercises = connection.execute(
            text("SELECT id, slug, spec FROM exercise WHERE module_id IN (:a, :b) AND NOT retired"),
            {"a": modules[SMALL_MILESTONE_MODULES[0]], "b": modules[SMALL_MILESTONE_MODULES[1]]},
        ).all()
    quiz = next(spec for _id, slug, spec in exercises if slug == "ideation-quiz")
    return SmallMilestone(
        circle_id=int(circle),
        module_ids={slug: modules[slug] for slug in SMALL_MILESTONE_MODULES},
        exercise_ids={slug: int(exercise_id) for exercise_id, slug, _spec in exercises},
        quiz_spec=json.loads(quiz) if isinstance(quiz, str) else quiz,
    )
