"""Issue 4's "done when": a demo trainee goes from login through a reading, a quiz (score
and explanations), an autosaved reflection that survives a reload, an upload and an
action plan to a completed milestone on the journey map. Their mentor accepts the work
in the UI, in a second browser context; the trainee then sees the milestone done, and the
notifications that told them so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import Journey, Person, Variant
from tests.browser.people import (
    SMALL_MILESTONE_MODULES,
    mentored_trainee,
    small_milestone,
    write_and_submit,
)

pytestmark = pytest.mark.browser
ACTION_PLAN = {
    "The problem": "Birth certificates take six visits because the file waits for a fee.",
    "Who is affected": "Mothers from outlying villages, who lose a day's wage each visit.",
    "Your idea": "A token with the due date, and an SMS when the certificate is ready.",
    "First steps": "Agree the token with the union council secretary; print 200 tokens.",
    "Measures of success": "Visits per certificate, from the register, before and after.",
}
SUBMITTED = (
    "Submitted: your mentor will review it.",
    "Submitted (after the due date): your mentor will review it.",
)


def sent_pattern(person: Person) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(person.t(message)) for message in SUBMITTED))


def open_exercise(journey: Journey, trainee: Person, module_id: int, exercise_id: int) -> None:
    """From the journey map, through the module page, to one of its exercises."""
    page = trainee.page
    page.goto("/journey")
    page.locator(f".journey-modules a[href='/journey/modules/{module_id}']").click()
    expect(page.locator("#reading-heading")).to_have_text(trainee.t("Reading"))
    page.locator(f"ol.exercise-steps a[href='/journey/exercises/{exercise_id}']").click()
    expect(page.locator("#answer-form")).to_be_visible()


def png_file(folder: Path) -> Path:
    """A small real photo-like PNG (content-sniffed by the server, so it must be one)."""
    path = folder / "idea-wall.png"
    image = Image.new("RGB", (64, 48), (250, 220, 90))
    for x in range(8, 56):
        for y in range(8, 16):
            image.putpixel((x, y), (40, 90, 200))
    image.save(path, format="PNG")
    return path


# Two of the four variants (desktop English, phone Nepali) keep the suite near five
# minutes; the page sweep opens these pages in every language.
@pytest.mark.parametrize("variant", [VARIANTS[0], VARIANTS[3]], ids=str)
def test_trainee_completes_a_milestone_with_every_kind_of_answer(
    journey: Journey, live_server: LiveServer, tmp_path: Path, variant: Variant
) -> None:
    pair = mentored_trainee(live_server.engine, 40 + VARIANTS.index(journey.variant))
    plan = small_milestone(
        live_server.engine, pair.trainee_email, f"Browser journey {journey.variant}"
    )
    ideas, testing = (plan.module_ids[slug] for slug in SMALL_MILESTONE_MODULES)
    ex = plan.exercise_ids
    trainee = journey.person("trainee")
    journey.login(trainee, pair.trainee_email)
    page = trainee.page

    # The journey map: the small milestone is open and not done yet.
    page.goto("/journey")
    expect(page.get_by_role("heading", level=1)).to_have_text(trainee.t("My journey"))
    milestone = page.locator(
        "li.journey-step", has=page.locator(f"a[href='/journey/modules/{ideas}']")
    )
    expect(milestone.locator(f"a[href='/journey/modules/{testing}']")).to_be_visible()
    expect(milestone.locator(".journey-modules > li")).to_have_count(2)
    expect(milestone).not_to_have_class(re.compile(r"\bstep-done\b"))
    journey.check(trainee, "journey-map")

    # The reading, on the module page.
    milestone.locator(f"a[href='/journey/modules/{ideas}']").click()
    reading = page.locator("section.reading")
    expect(reading.locator("#reading-heading")).to_have_text(trainee.t("Reading"))
    expect(reading.locator("p").first).to_be_visible()
    expect(page.locator("ol.exercise-steps > li")).to_have_count(3)
    journey.check(trainee, "module-reading")

    # A reflection: autosaved as it is typed, still there after a reload, then submitted.
    page.locator(f"ol.exercise-steps a[href='/journey/exercises/{ex['how-might-we']}']").click()
    expect(page.get_by_label(trainee.t("Your reflection"))).to_be_visible()
    journey.check(trainee, "reflection")
    write_and_submit(journey, trainee, "How might we let a mother know the certificate is ready?")

    # An upload: a real PNG, typed by its content.
    open_exercise(journey, trainee, ideas, ex["idea-wall"])
    page.get_by_label(trainee.t("Your file")).set_input_files(png_file(tmp_path))
    page.get_by_label(trainee.t("A note for your mentor (optional)")).fill("Faces cropped.")
    page.get_by_role("button", name=trainee.t("Submit"), exact=True).click()
    expect(page.get_by_role("status").first).to_have_text(sent_pattern(trainee))
    expect(page.locator("#history a[href^='/submissions/']").first).to_be_visible()
    journey.check(trainee, "uploaded")

    # A quiz: every right answer, then the score and the explanations.
    open_exercise(journey, trainee, ideas, ex["ideation-quiz"])
    journey.check(trainee, "quiz")
    for qi, question in enumerate(plan.quiz_spec["questions"]):
        for oi, option in enumerate(question["options"]):
            if option["correct"]:
                page.locator(f"#q{qi}-{oi}").check()
    page.get_by_role("button", name=trainee.t("Submit answers")).click()
    expect(page.get_by_role("status").first).to_have_text(
        trainee.t("Quiz submitted: you scored %(score)s%%.", score=100)
    )
    result = page.locator("#result")
    expect(result.locator(".big-number")).to_have_text(trainee.t("Score: %(score)s%%", score=100))
    passed = trainee.t(
        "Passed: your best score, %(best)s%%, reaches the pass mark of %(mark)s%%.",
        best=100,
        mark=plan.quiz_spec["pass_mark"],
    )
    expect(result).to_contain_text(passed)
    questions = plan.quiz_spec["questions"]
    options = sum(len(q["options"]) for q in questions)
    expect(result.locator("ul.explanations > li")).to_have_count(options)
    expect(result.locator("ul.explanations > li > p").first).not_to_be_empty()
    journey.check(trainee, "quiz-result")

    # The second module: a reflection, the action plan (structured form) and the survey.
    open_exercise(journey, trainee, testing, ex["test-log"])
    page.get_by_label(trainee.t("Your reflection")).fill("Six citizens tried the token.")
    page.get_by_role("button", name=trainee.t("Submit"), exact=True).click()
    expect(page.get_by_role("status").first).to_have_text(sent_pattern(trainee))

    open_exercise(journey, trainee, testing, ex["first-action-plan"])
    journey.check(trainee, "action-plan")
    page.get_by_role("button", name=trainee.t("Submit"), exact=True).click()
    # Submitting an empty plan names every part that is missing.
    expect(page.get_by_role("alert").first).to_be_visible()
    missing = trainee.t("Fill in this part of the plan before submitting.")
    expect(page.locator(".field.has-error .error")).to_have_count(len(ACTION_PLAN))
    expect(page.locator(".field.has-error .error").first).to_have_text(missing)
    journey.check(trainee, "action-plan-errors")
    for label, value in ACTION_PLAN.items():
        page.get_by_label(trainee.t(label), exact=True).fill(value)
    page.get_by_role("button", name=trainee.t("Submit"), exact=True).click()
    expect(page.get_by_role("status").first).to_have_text(sent_pattern(trainee))
    expect(page.locator("#history")).to_contain_text(ACTION_PLAN["First steps"])
    journey.check(trainee, "action-plan-sent")

    open_exercise(journey, trainee, testing, ex["ideas-feedback"])
    for fieldset in page.locator("fieldset.likert").all():
        fieldset.locator("input[type=radio]").nth(3).check()
    page.get_by_role("button", name=trainee.t("Send survey")).click()
    expect(page.get_by_role("status").first).to_have_text(
        trainee.t("Thank you: your answers are recorded.")
    )

    page.goto("/journey")
    expect(milestone).not_to_have_class(re.compile(r"\bstep-done\b"))
    expect(milestone.locator(".journey-modules")).to_contain_text(
        trainee.t("%(done)s/%(total)s", done=1, total=3)
    )

    # The mentor accepts the four pieces of work that need a person's eye.
    mentor = journey.person("mentor")
    journey.login(mentor, pair.mentor_email)
    mentor_page = mentor.page
    opened: list[int] = []
    for review in range(4):
        mentor_page.goto("/mentees")
        waiting = mentor_page.locator("ol.awaiting li").filter(has_text=pair.trainee_name)
        expect(waiting).to_have_count(4 - review)
        if review == 0:
            journey.check(mentor, "mentees")
        waiting.first.get_by_role("link").first.click()
        accept = mentor_page.get_by_role("button", name=mentor.t("Accept"), exact=True)
        expect(accept).to_be_visible()
        journey.check(mentor, f"review-{review + 1}")
        sent_file = mentor_page.locator(".submission-content a[href^='/submissions/']")
        if sent_file.count():  # the upload: the mentor can open the trainee's photo
            response = mentor.context.request.get(str(sent_file.first.get_attribute("href")))
            assert response.ok and response.headers["content-type"] == "image/png"
            opened.append(review)
        accept.click()
        expect(mentor_page.get_by_role("status").first).to_have_text(
            mentor.t("Accepted. The trainee has been told.")
        )
    assert len(opened) == 1, "the review page of the upload links no file"
    mentor_page.goto("/mentees")
    expect(mentor_page.locator("ol.awaiting li").filter(has_text=pair.trainee_name)).to_have_count(
        0
    )

    # The milestone is done on the trainee's journey map, and the bell says why.
    page.goto("/journey")
    expect(milestone).to_have_class(re.compile(r"\bstep-done\b"))
    expect(milestone.locator(".badge").first).to_have_text(trainee.t("Done"))
    expect(milestone.locator(".journey-modules")).to_contain_text(
        trainee.t("%(done)s/%(total)s", done=3, total=3)
    )
    journey.check(trainee, "milestone-done")
    bell = page.locator("header a.bell")
    expect(bell.locator(".bell-count")).to_be_visible()
    bell.click()
    page.wait_for_url("**/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text(trainee.t("Notifications"))
    expect(page.locator("ul.notifications > li").first).to_be_visible()
    journey.check(trainee, "notifications")
