"""Curriculum browser, module pages, the plan editor (trainer-only writes, htmx rows with
inline errors) and the module preview."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest
from sqlmodel import select

from iil_lms.curriculum import plans, timeframes
from iil_lms.curriculum.models import Module, PlanItem
from tests.curriculum.helpers import copy_mini, load_mini, plan_cohort
from tests.query_count import count_queries, selects

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session, factory):
    report = load_mini(session)
    made = factory.cohort(trainees=1, circles=2)
    plan_cohort(session, made.cohort, report)
    other = factory.cohort(trainees=1)  # no curriculum
    return made, other


def _module(session, slug: str) -> Module:
    return session.exec(select(Module).where(Module.slug == slug)).one()


def test_browser_needs_a_login(client):
    response = client.get("/curriculum", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_browser_shows_milestones_modules_and_exercise_types_without_answers(client, world):
    made, _other = world
    client.login(made.trainees[0].email)
    page = client.get("/curriculum")
    assert page.status_code == 200
    text = page.text
    assert "Foundations of integrity" in text and "Integrity Summit" in text
    assert 'href="/curriculum/modules/what-is-integrity"' in text
    assert "Quiz" in text and "Case study" in text and "Feedback survey" in text
    assert "45 min" in text and "Explain integrity in public service." in text
    assert "A family tie creates a private interest." not in text


def test_browser_has_a_helpful_empty_state_without_a_curriculum(client, world):
    _made, other = world
    client.login(other.trainees[0].email)
    text = client.get("/curriculum").text
    assert "None of your cohorts follows a curriculum yet" in text
    assert "Foundations of integrity" not in text


def test_browser_shows_translated_titles_to_an_urdu_reader(client, session, world):
    made, _other = world
    user = made.trainees[0]
    user.language = "ur"
    session.add(user)
    session.commit()
    client.login(user.email)
    text = client.get("/curriculum").text
    assert 'dir="rtl"' in text
    assert "دیانت کیا ہے؟" in text and "دیانت کی بنیادیں" in text
    assert "What is integrity?" not in text
    assert "Real dilemmas" in text  # untranslated: English, with a note
    assert 'class="muted untranslated"' in text


def test_module_page_renders_the_reading_and_lists_exercises_without_answers(client, world):
    made, _other = world
    client.login(made.trainees[0].email)
    page = client.get("/curriculum/modules/what-is-integrity")
    assert page.status_code == 200
    assert '<a href="/curriculum/modules/dilemmas"' in page.text
    assert "Basics" in page.text and "Explain integrity in public service." in page.text
    assert "A family tie" not in page.text and "correct" not in page.text.lower()


def test_module_page_is_404_for_people_whose_cohorts_do_not_use_it(client, world):
    _made, other = world
    client.login(other.trainees[0].email)
    assert client.get("/curriculum/modules/what-is-integrity").status_code == 404
    assert client.get("/curriculum/modules/no-such-module").status_code == 404


def test_urdu_reader_gets_the_translated_reading_or_english_with_a_note(client, session, world):
    made, _other = world
    user = made.trainees[0]
    user.language = "ur"
    session.add(user)
    session.commit()
    client.login(user.email)
    assert "متن" in client.get("/curriculum/modules/what-is-integrity").text
    assert 'lang="en"' in client.get("/curriculum/modules/dilemmas").text


@pytest.mark.parametrize(
    ("who", "status"),
    [("trainer", 200), ("organiser", 200), ("trainee", 403), ("mentor", 403), ("outsider", 404)],
)
def test_plan_page_is_for_trainers_and_organisers_of_the_cohort(client, world, who, status):
    made, other = world
    people = {
        "trainer": made.trainers[0],
        "organiser": made.organisers[0],
        "trainee": made.trainees[0],
        "mentor": made.mentors[0],
        "outsider": other.trainers[0],
    }
    client.login(people[who].email)
    response = client.get(f"/cohorts/{made.cohort.id}/plan")
    assert response.status_code == status
    if who == "trainer":
        assert "Save dates" in response.text and "plan-calendar" in response.text
    if who == "organiser":
        assert "Save dates" not in response.text and "What is integrity?" in response.text


def test_trainer_generates_a_plan_for_a_cohort_without_one(client, session, world):
    _made, other = world
    client.login(other.trainers[0].email)
    page = client.get(f"/cohorts/{other.cohort.id}/plan")
    assert "This cohort has no plan yet." in page.text and "Generate plan" in page.text
    curriculum_id = _module(session, "pitch").curriculum_id
    response = client.post_form(
        f"/cohorts/{other.cohort.id}/plan/generate",
        {"timeframe": timeframes.QUARTERLY, "curriculum_id": str(curriculum_id)},
        token_from=f"/cohorts/{other.cohort.id}/plan",
    )
    assert response.status_code == 303
    session.rollback()  # end the test's read snapshot to see the request's commit
    assert len(plans.effective_plan(session, other.cohort.id, None)) == 7
    again = client.post_form(
        f"/cohorts/{other.cohort.id}/plan/generate",
        {"timeframe": timeframes.QUARTERLY},
        token_from=f"/cohorts/{other.cohort.id}/plan",
        follow_redirects=True,
    )
    assert "already has a plan" in again.text


def test_saving_dates_with_htmx_swaps_the_row_with_saved_or_the_error(client, session, world):
    made, _other = world
    module = _module(session, "dilemmas")
    client.login(made.trainers[0].email)
    url = f"/cohorts/{made.cohort.id}/plan/modules/{module.id}/dates"
    token_from = f"/cohorts/{made.cohort.id}/plan"
    ok = client.post_form(
        url, {"opens_on": "2026-10-05", "due_on": "2026-10-16"}, token_from=token_from, headers=HX
    )
    assert ok.status_code == 200 and "Saved." in ok.text
    assert ok.text.lstrip().startswith("<article") and "<html" not in ok.text
    bad = client.post_form(
        url, {"opens_on": "2026-10-20", "due_on": "2026-10-16"}, token_from=token_from, headers=HX
    )
    assert "The due date cannot be before the opening date." in bad.text
    outside = client.post_form(
        url, {"opens_on": "2026-10-20", "due_on": "2027-12-16"}, token_from=token_from, headers=HX
    )
    assert "Dates must fall within the cohort" in outside.text
    session.rollback()
    item = session.exec(
        select(PlanItem).where(PlanItem.module_id == module.id, PlanItem.circle_id.is_(None))
    ).one()
    assert (item.opens_on, item.due_on) == (date(2026, 10, 5), date(2026, 10, 16))


def test_drop_restore_and_circle_dates_through_the_editor(client, session, world):
    made, _other = world
    module = _module(session, "dilemmas")
    client.login(made.trainers[0].email)
    base = f"/cohorts/{made.cohort.id}/plan/modules/{module.id}"
    token_from = f"/cohorts/{made.cohort.id}/plan"
    dropped = client.post_form(f"{base}/remove", {}, token_from=token_from, headers=HX)
    assert "Put back in the plan" in dropped.text
    session.rollback()
    assert module.id not in [
        p.module_id for p in plans.effective_plan(session, made.cohort.id, None)
    ]
    restored = client.post_form(f"{base}/restore", {}, token_from=token_from, headers=HX)
    assert "Drop from the plan" in restored.text
    circle = made.circles[1]
    saved = client.post_form(
        f"{base}/dates",
        {"opens_on": "2026-11-02", "due_on": "2026-11-13", "circle_id": str(circle.id)},
        token_from=token_from,
        headers=HX,
    )
    assert "Dates per learning circle" in saved.text and circle.name in saved.text
    session.rollback()
    planned = plans.effective_plan(session, made.cohort.id, circle.id)
    assert next(p for p in planned if p.module_id == module.id).opens_on == date(2026, 11, 2)
    # without htmx, a plain post redirects back to the plan
    plain = client.post_form(f"{base}/circles/{circle.id}/clear", {}, token_from=token_from)
    assert plain.status_code == 303


def test_only_trainers_may_change_the_plan(client, session, world):
    made, other = world
    module = _module(session, "dilemmas")
    url = f"/cohorts/{made.cohort.id}/plan/modules/{module.id}/remove"
    client.login(made.organisers[0].email)
    assert client.post_form(url, {}).status_code == 403
    client.post("/logout", data={"csrf_token": client.csrf("/account")})
    client.login(made.trainees[0].email)
    assert client.post_form(url, {}).status_code == 403
    client.post("/logout", data={"csrf_token": client.csrf("/account")})
    client.login(other.trainers[0].email)
    assert client.post_form(url, {}).status_code == 404


def test_preview_shows_prompts_with_disabled_inputs_and_no_answers(client, session, world):
    made, other = world
    module = _module(session, "what-is-integrity")
    client.login(made.trainers[0].email)
    page = client.get(f"/cohorts/{made.cohort.id}/plan/preview/{module.id}")
    assert page.status_code == 200
    assert "Describe a moment when you saw integrity at work." in page.text
    assert "Which is a conflict of interest?" in page.text
    assert "<fieldset disabled>" in page.text
    assert "A family tie" not in page.text
    assert "Specific" in page.text  # the rubric trainees are reviewed by
    assert client.get(f"/cohorts/{other.cohort.id}/plan/preview/{module.id}").status_code == 404


def test_raw_html_in_a_reading_never_reaches_the_page(client, session, factory, tmp_path):
    folder = copy_mini(tmp_path)
    reading = folder / "modules" / "pitch" / "reading.md"
    reading.write_text(
        "# Pitch\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(1)) <b>bold</b>\n",
        encoding="utf-8",
    )
    report = load_mini(session, folder)
    made = factory.cohort(trainees=1)
    plan_cohort(session, made.cohort, report)
    client.login(made.trainees[0].email)
    text = client.get("/curriculum/modules/pitch").text
    assert "<script>alert" not in text and "<b>bold</b>" not in text
    assert 'href="javascript:' not in text


def test_site_admins_see_every_curriculum_or_how_to_load_one(client, session, factory):
    admin = factory.user(is_admin=True)
    client.login(admin.email)
    assert "iil-lms load-curriculum" in client.get("/curriculum").text
    load_mini(session)
    assert "Mini integrity curriculum" in client.get("/curriculum").text


def _select_count(engine, call) -> int:
    with count_queries(engine) as statements:
        assert call().status_code == 200
    return len(selects(statements))


def test_plan_and_browser_pages_cost_the_same_queries_whatever_the_cohort_size(
    make_client, session, factory, engine
):
    report = load_mini(session)
    small = factory.cohort(trainees=1, circles=1)
    big = factory.cohort(trainees=30, circles=6)
    counts = []
    for made in (small, big):
        plan_cohort(session, made.cohort, report)
        for circle in made.circles:
            plans.set_dates(
                session,
                made.cohort,
                _module(session, "pitch").id,
                date(2027, 6, 1),
                date(2027, 6, 9),
                circle.id,
            )
        session.commit()
        trainer = make_client()
        trainer.login(made.trainers[0].email)
        trainee = make_client()
        trainee.login(made.trainees[0].email)
        plan_url = f"/cohorts/{made.cohort.id}/plan"
        counts.append(
            (
                _select_count(engine, partial(trainer.get, plan_url)),
                _select_count(engine, partial(trainee.get, "/curriculum")),
            )
        )
    assert counts[0] == counts[1]


def test_a_module_is_dropped_for_one_circle_only_and_put_back(client, session, world):
    made, other = world
    module = _module(session, "dilemmas")
    client.login(made.trainers[0].email)
    base = f"/cohorts/{made.cohort.id}/plan/modules/{module.id}"
    token_from = f"/cohorts/{made.cohort.id}/plan"
    dropped_circle, kept_circle = made.circles[0], made.circles[1]
    dropped = client.post_form(
        f"{base}/remove", {"circle_id": str(dropped_circle.id)}, token_from=token_from, headers=HX
    )
    assert "Dropped for this circle. Its trainees no longer see it." in dropped.text
    assert "Put back for this circle" in dropped.text
    session.rollback()

    def planned(circle_id):
        return [p.module_id for p in plans.effective_plan(session, made.cohort.id, circle_id)]

    assert module.id not in planned(dropped_circle.id)
    assert module.id in planned(kept_circle.id) and module.id in planned(None)

    refused = client.post_form(
        f"{base}/remove", {"circle_id": str(other.circles[0].id)}, token_from=token_from, headers=HX
    )
    assert "Choose a learning circle of this cohort." in refused.text

    client.post_form(f"{base}/circles/{dropped_circle.id}/clear", {}, token_from=token_from)
    session.rollback()
    assert module.id in planned(dropped_circle.id)


def test_a_dropped_module_shows_no_open_month_in_the_plan_calendar(client, session, world):
    import re

    made, _other = world
    module = _module(session, "dilemmas")
    client.login(made.trainers[0].email)
    plan_url = f"/cohorts/{made.cohort.id}/plan"
    before = client.get(plan_url).text

    def calendar_row(page: str) -> str:
        rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">.*?</tr>", page, re.S)
        return next(r for r in rows if f'href="#module-{module.id}"' in r)

    assert 'class="cal-on"' in calendar_row(before)
    client.post_form(
        f"/cohorts/{made.cohort.id}/plan/modules/{module.id}/remove", {}, token_from=plan_url
    )
    row = calendar_row(client.get(plan_url).text)
    assert "dropped" in row
    assert 'class="cal-on"' not in row and ">open<" not in row
