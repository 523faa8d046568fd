"""Which language a request gets: the user's choice, then the login page's switcher,
then the cohort's language, then the browser's Accept-Language, then the default."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from iil_lms import i18n
from iil_lms.i18n import localized, negotiate_language, parse_accept_language
from iil_lms.web.templating import format_day, format_number
from tests.conftest import Factory

URDU_SIGN_IN = "سائن اِن کریں"
NEPALI_SIGN_IN = "साइन इन गर्नुहोस्"


def _pick(**given: str | None) -> str:
    chosen: dict[str, str | None] = dict.fromkeys(
        ("user_language", "chosen_language", "cohort_language", "accept_language")
    )
    chosen.update(given)
    return negotiate_language(**chosen)  # type: ignore[arg-type]


def test_each_source_wins_over_those_after_it() -> None:
    everything = {
        "user_language": "ne",
        "chosen_language": "ur",
        "cohort_language": "en",
        "accept_language": "ur",
    }
    assert _pick(**everything) == "ne"
    assert _pick(**{**everything, "user_language": None}) == "ur"
    assert _pick(chosen_language=None, cohort_language="ne", accept_language="ur") == "ur"
    assert _pick(chosen_language=None, cohort_language="ne", accept_language=None) == "ne"
    assert _pick(accept_language="ne-NP,en;q=0.5") == "ne"
    assert _pick() == "en"
    assert (
        negotiate_language(
            user_language=None,
            chosen_language=None,
            cohort_language=None,
            accept_language="fr",
            default="ur",
        )
        == "ur"
    )


def test_unknown_languages_are_skipped() -> None:
    assert _pick(user_language="fr", chosen_language="xx", cohort_language="ur") == "ur"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ur", "ur"),
        ("ur-PK,ur;q=0.9,en;q=0.8", "ur"),
        ("fr-FR, ne;q=0.4, en;q=0.3", "ne"),
        ("en;q=0.2, ne;q=0.9", "ne"),
        ("ne;q=0, ur;q=0.1", "ur"),
        ("de, fr", None),
        ("", None),
        (None, None),
    ],
)
def test_accept_language_by_quality(header: str | None, expected: str | None) -> None:
    assert parse_accept_language(header) == expected


def test_anonymous_urdu_browser_gets_the_right_to_left_urdu_login(client: Any) -> None:
    page = client.get("/login", headers={"Accept-Language": "ur-PK,ur;q=0.9"})
    assert '<html lang="ur" dir="rtl">' in page.text
    assert URDU_SIGN_IN in page.text
    assert "lang-ur.css" in page.text and "lang-ne.css" not in page.text


def test_anonymous_nepali_browser_gets_the_nepali_login(client: Any) -> None:
    page = client.get("/login", headers={"Accept-Language": "ne"})
    assert '<html lang="ne" dir="ltr">' in page.text
    assert NEPALI_SIGN_IN in page.text
    assert "lang-ne.css" in page.text


def test_english_pages_load_no_web_font(client: Any) -> None:
    page = client.get("/login", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en" dir="ltr">' in page.text
    assert "lang-ur.css" not in page.text and "lang-ne.css" not in page.text


def test_login_page_switcher_beats_the_browser(client: Any) -> None:
    token = client.csrf("/login")
    response = client.post(
        "/language",
        data={"language": "ne", "csrf_token": token},
        headers={"Accept-Language": "ur", "Referer": "http://testserver/login"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get("/login", headers={"Accept-Language": "ur"})
    assert '<html lang="ne" dir="ltr">' in page.text


def test_signed_in_users_choice_beats_cookie_and_browser(client: Any, factory: Factory) -> None:
    user = factory.user(language="ur")
    client.cookies.set("iil_lang", "ne")
    client.login(user.email)
    page = client.get("/account", headers={"Accept-Language": "ne"})
    assert '<html lang="ur" dir="rtl">' in page.text


def test_choosing_a_language_in_the_profile_changes_the_pages(
    client: Any, factory: Factory
) -> None:
    user = factory.user(language="en")
    client.login(user.email)
    response = client.post_form("/account/language", {"language": "ne"})
    assert response.status_code == 303
    page = client.get("/account")
    assert '<html lang="ne" dir="ltr">' in page.text
    assert "तपाईंको खाता" in page.text  # "Your account"


def test_profile_rejects_an_unknown_language(client: Any, factory: Factory) -> None:
    user = factory.user(language="ur")
    client.login(user.email)
    response = client.post_form("/account/language", {"language": "fr"})
    assert response.status_code == 303
    assert '<html lang="ur"' in client.get("/account").text


@pytest.fixture
def language_scope() -> Any:
    def use(code: str) -> None:
        i18n.set_language(code)

    token = i18n.new_language_scope()
    yield use
    i18n.end_language_scope(token)


def test_localized_falls_back_to_english_with_a_flag(language_scope: Any) -> None:
    translations = {"ur": "دیانت داری", "ne": ""}
    language_scope("ur")
    assert localized("Integrity", translations) == ("دیانت داری", False)
    language_scope("ne")
    assert localized("Integrity", translations) == ("Integrity", True)
    assert localized("Integrity", None) == ("Integrity", True)
    language_scope("en")
    assert localized("Integrity", translations) == ("Integrity", False)


def test_untranslated_note_names_the_language(app: Any, language_scope: Any) -> None:
    template = app.state.templates.for_language("ur").from_string(
        '{% import "macros.html" as m %}{{ m.untranslated_note(fallback) }}'
    )
    language_scope("ur")
    note = template.render(fallback=True)
    assert "اردو" in note and 'class="untranslated-note" lang="ur"' in note
    assert template.render(fallback=False).strip() == ""


def test_dates_and_numbers_follow_the_language(language_scope: Any) -> None:
    day = date(2026, 9, 7)
    language_scope("en")
    assert format_day(day) == "7 Sept 2026"
    assert format_number(1234567) == "1,234,567"
    language_scope("ur")
    assert "ستمبر" in format_day(day)
    language_scope("ne")
    assert "सेप्टेम्बर" in format_day(day)
    # CLDR: Latin digits for both languages; Nepali groups by lakh and crore.
    assert format_number(1234567) == "12,34,567"
