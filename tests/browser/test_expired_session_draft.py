"""Two tabs on the same exercise, then the session ends: text typed in the older tab
cannot be saved, is kept on the device, and is back in the form after signing in again,
with a notice saying so; the other tab's newer text is kept among the earlier versions."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import DEMO_PASSWORD, Journey, Person
from tests.browser.people import mentored_trainee, open_reflection, placeholder_pattern

pytestmark = pytest.mark.browser


def other_tab(person: Person) -> Person:
    """Another tab in the same browser (same sign-in), watched for JS errors."""
    page = person.context.new_page()
    tab = Person(f"{person.who}-tab-2", person.context, page, person.language)
    page.on("pageerror", lambda error: tab.page_errors.append(f"{page.url}: {error}"))
    return tab


def test_text_typed_in_an_older_tab_after_the_session_ended_is_back_after_signing_in(
    journey: Journey, live_server: LiveServer
) -> None:
    pair = mentored_trainee(live_server.engine, 110 + VARIANTS.index(journey.variant))
    older = journey.person("trainee")
    journey.login(older, pair.trainee_email)
    exercise_url = open_reflection(journey, older)
    newer = other_tab(older)
    journey.people.append(newer)
    newer.page.goto(exercise_url)

    # The newer tab saves: the older one still has the revision it opened with.
    newer_text = "Written in the newer tab: the complaints register is kept in a drawer."
    newer.page.get_by_label(newer.t("Your reflection")).fill(newer_text)
    saved = placeholder_pattern(newer.t("Saved at %(time)s"))
    expect(newer.page.locator("#save-status")).to_have_text(saved, timeout=15_000)

    # The session ends on the server (expired, or signed out elsewhere).
    with live_server.engine.begin() as connection:
        connection.execute(
            text(
                'DELETE FROM user_session WHERE user_id = (SELECT id FROM "user" WHERE email = :e)'
            ),
            {"e": pair.trainee_email},
        )

    older_text = "Typed in the older tab after the session ended: citizens queue from dawn."
    older.page.get_by_label(older.t("Your reflection")).fill(older_text)
    expired = older.page.locator("#expired-notice")
    expect(expired).to_be_visible(timeout=15_000)
    journey.check(older, "signed-out-while-typing")

    # Sign in again from the notice's link: it comes back to the exercise.
    expired.get_by_role("link").click()
    older.page.wait_for_url("**/login**")
    older.page.locator("input[name=email]").fill(pair.trainee_email)
    older.page.locator("input[name=password]").fill(DEMO_PASSWORD)
    older.page.locator("form[action='/login'] button[type=submit]").click()
    older.page.wait_for_url(exercise_url)

    box = older.page.get_by_label(older.t("Your reflection"))
    expect(box).to_have_value(older_text)
    kept = older.page.locator("#kept-notice")
    expect(kept).to_be_visible()
    expect(kept).to_have_text(
        older.t(
            "You were signed out while you typed. Your text was kept on this device and is "
            "back in the form; it is being saved now."
        )
    )
    expect(older.page.locator("#save-status")).to_have_text(saved, timeout=15_000)
    journey.check(older, "text-kept")

    # Saved on the server: a reload shows it, and the newer tab's text is an earlier
    # version, not lost.
    older.page.reload()
    expect(older.page.get_by_label(older.t("Your reflection"))).to_have_value(older_text)
    versions = older.page.locator("#draft-versions")
    versions.locator("summary").first.click()
    expect(versions).to_contain_text(newer_text)
