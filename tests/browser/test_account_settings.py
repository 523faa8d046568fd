"""A person changes their profile and password on the account page: a wrong current
password is refused with a message by the field; the new one ends their other sessions
while this browser stays signed in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VARIANTS
from tests.browser.helpers import DEMO_PASSWORD, Journey, Variant

pytestmark = pytest.mark.browser
PERSON = "trainee270@csa-pk.example.org"
NEW_PASSWORD = "a-brand-new-password-1"


def _change_password(page, person, current: str, new: str) -> None:
    form = page.locator("form[action='/account/password']")
    form.get_by_label(person.t("Current password")).fill(current)
    form.get_by_label(person.t("New password")).fill(new)
    form.get_by_label(person.t("The same password again")).fill(new)
    form.get_by_role("button", name=person.t("Change password")).click()


@pytest.mark.parametrize("variant", [VARIANTS[1]], ids=str)
def test_profile_and_password_change_on_the_account_page(
    journey: Journey, variant: Variant
) -> None:
    other = journey.person("other-device")
    journey.login(other, PERSON)
    person = journey.person("trainee")
    journey.login(person, PERSON)
    page = person.page
    page.goto("/account")

    profile = page.locator("form[action='/account/profile']")
    profile.get_by_label(person.t("Gender, as you describe it")).fill("Woman")
    profile.get_by_role("button", name=person.t("Save profile")).click()
    expect(page.get_by_role("status").first).to_have_text(person.t("Your profile is saved."))
    expect(profile.get_by_label(person.t("Gender, as you describe it"))).to_have_value("Woman")

    _change_password(page, person, "not-my-password", NEW_PASSWORD)
    error = page.locator("#f-current-error")
    expect(error).to_have_text(person.t("That is not your current password."))
    journey.check(person, "wrong-current-password")

    _change_password(page, person, DEMO_PASSWORD, NEW_PASSWORD)
    expect(page.get_by_role("status").first).to_have_text(
        person.t("Your password is changed. You are signed out everywhere else.")
    )
    journey.check(person, "password-changed")
    page.goto("/journey")
    expect(page).to_have_url(f"{journey.base_url}/journey")
    other.page.goto("/journey")
    other.page.wait_for_url("**/login**")

    # back to the demo password: other journeys share the demo
    page.goto("/account")
    _change_password(page, person, NEW_PASSWORD, DEMO_PASSWORD)
    expect(page.get_by_role("status").first).to_have_text(
        person.t("Your password is changed. You are signed out everywhere else.")
    )
