"""Two tabs on the same exercise: the later save wins, the tab that overwrote the other's
text is told, shows that text and puts it back with one button; the text it replaced is
kept among the earlier versions."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import Journey, Person
from tests.browser.people import mentored_trainee, open_reflection, placeholder_pattern

pytestmark = pytest.mark.browser


def second_tab(trainee: Person) -> Person:
    """Another tab in the same browser (same sign-in), watched for CSP and JS errors."""
    page = trainee.context.new_page()
    tab = Person(f"{trainee.who}-tab-2", trainee.context, page, trainee.language)
    page.on("pageerror", lambda error: tab.page_errors.append(f"{page.url}: {error}"))
    return tab


def test_text_overwritten_from_another_tab_is_restored_from_the_conflict_notice(
    journey: Journey, live_server: LiveServer
) -> None:
    pair = mentored_trainee(live_server.engine, 80 + VARIANTS.index(journey.variant))
    laptop = journey.person("trainee")
    journey.login(laptop, pair.trainee_email)
    exercise_url = open_reflection(journey, laptop)
    phone = second_tab(laptop)
    journey.people.append(phone)
    phone.page.goto(exercise_url)

    saved = placeholder_pattern(laptop.t("Saved at %(time)s"))
    laptop_text = "Written on the laptop: the register of files is kept by one clerk."
    laptop.page.get_by_label(laptop.t("Your reflection")).fill(laptop_text)
    expect(laptop.page.locator("#save-status")).to_have_text(saved, timeout=15_000)

    # The phone tab opened before that save: its save replaces the laptop's text.
    phone_text = "Written on the phone: citizens wait outside the office."
    phone.page.get_by_label(phone.t("Your reflection")).fill(phone_text)
    expect(phone.page.locator("#save-status")).to_have_text(saved, timeout=15_000)
    notice = phone.page.locator("#conflict-notice")
    expect(notice).to_be_visible()
    notice.locator("summary").click()
    expect(notice).to_contain_text(laptop_text)
    journey.check(phone, "conflict-notice")

    notice.get_by_role("button", name=phone.t("Restore this text")).click()
    box = phone.page.get_by_label(phone.t("Your reflection"))
    expect(box).to_have_value(laptop_text)
    back = phone.t(
        "The text saved at %(time)s is back in your draft. The text it replaced is kept "
        "among the earlier versions."
    )
    expect(phone.page.get_by_role("status").first).to_have_text(placeholder_pattern(back))
    versions = phone.page.locator("#draft-versions")
    expect(versions).to_contain_text(phone.t("Earlier versions of your draft"))
    versions.locator("summary").first.click()
    expect(versions).to_contain_text(phone_text)
    journey.check(phone, "restored")

    # The restored text is the draft: a reload anywhere shows it.
    laptop.page.reload()
    expect(laptop.page.get_by_label(laptop.t("Your reflection"))).to_have_value(laptop_text)
