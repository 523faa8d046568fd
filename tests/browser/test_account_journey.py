"""Signing in and out, and choosing the language (login-page switcher and account page)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DEMO_PASSWORD, Journey

pytestmark = pytest.mark.browser
TRAINEE = "trainee010@csa-pk.example.org"


def test_sign_in_choose_language_and_sign_out(journey: Journey) -> None:
    person = journey.person("trainee", language="en")
    page = person.page
    page.goto("/")
    page.wait_for_url("**/login**")
    journey.check(person, "login")

    # The login page's switcher changes the page's language before signing in.
    language = journey.variant.language
    person.language = language
    page.locator(f"form[action='/language'] button[value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(person.t("Sign in"))
    journey.check(person, "login-translated")

    # A wrong password is refused with a message; the right one signs in.
    page.get_by_label(person.t("Email")).fill(TRAINEE)
    page.get_by_label(person.t("Password")).fill("not-the-password")
    page.get_by_role("button", name=person.t("Sign in"), exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    journey.check(person, "login-refused")
    page.get_by_label(person.t("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=person.t("Sign in"), exact=True).click()
    page.wait_for_url(lambda url: "/login" not in url)
    journey.check(person, "home")

    journey.set_language(person, language)
    other = "ur" if language != "ur" else "ne"
    journey.set_language(person, other)
    journey.set_language(person, language)

    journey.logout(person)
    journey.check(person, "signed-out")
    page.goto("/account")
    page.wait_for_url("**/login**")
