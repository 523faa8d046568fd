"""A trainer makes an API token on the account page: it is shown once, listed by name,
and revoked with one button; every step passes axe, on a phone and in Urdu."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VARIANTS
from tests.browser.helpers import Journey, Variant

pytestmark = pytest.mark.browser
PERSON = "trainee271@csa-pk.example.org"


@pytest.mark.parametrize("variant", [VARIANTS[1], VARIANTS[2]], ids=str)
def test_make_see_once_and_revoke_an_api_token(journey: Journey, variant: Variant) -> None:
    person = journey.person("trainee")
    journey.login(person, PERSON)
    page = person.page
    page.goto("/account#api-tokens")
    journey.check(person, "account-api-tokens")
    form = page.locator("form[action='/account/api-tokens']")
    form.get_by_label(person.t("Name")).fill("   ")  # past the browser's own check
    form.get_by_role("button", name=person.t("Make token")).click()
    expect(page.locator("#f-token_name-error")).to_have_text(
        person.t("Give the token a name, such as the system that will use it.")
    )
    journey.check(person, "token-name-missing")
    name = f"Dashboard {variant}"
    form = page.locator("form[action='/account/api-tokens']")
    form.get_by_label(person.t("Name")).fill(name)
    form.get_by_label(person.t("read and write (import rosters)")).check()
    form.get_by_role("button", name=person.t("Make token")).click()
    token = page.locator("code.api-token")
    expect(token).to_contain_text("iil_")
    journey.check(person, "token-shown-once")
    shown = token.inner_text()
    row = page.locator("#api-tokens tbody tr", has_text=name)
    expect(row).to_contain_text(person.t("read and write"))

    page.goto("/account")
    expect(page.locator("code.api-token")).to_have_count(0)
    assert shown not in page.content()
    row = page.locator("#api-tokens tbody tr", has_text=name)
    row.get_by_role("button", name=person.t("Revoke")).click()
    expect(page.get_by_role("status").first).to_have_text(
        person.t("The token is revoked: it no longer works.")
    )
    expect(page.locator("#api-tokens tbody tr", has_text=name)).to_have_count(0)
    journey.check(person, "token-revoked")
