"""Languages: which one a request gets (with the time zone its times are shown in), and
the gettext callables templates use."""

from __future__ import annotations

import contextvars
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.support import NullTranslations, Translations

from iil_lms.settings import LANGUAGES, RTL_LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGE_NAMES = {"en": "English", "ur": "اردو", "ne": "नेपाली"}
BABEL_LOCALES = {"en": "en_GB", "ur": "ur_PK", "ne": "ne_NP"}


class _LanguageBox:
    """Mutable per request: a dependency running in a worker thread decides the language
    (and the reader's time zone) and the endpoint's thread must see it, which a plain
    context variable would not."""

    __slots__ = ("code", "timezone")

    def __init__(self, code: str) -> None:
        self.code = code
        self.timezone: tzinfo = UTC


_language_box: contextvars.ContextVar[_LanguageBox | None] = contextvars.ContextVar(
    "language_box", default=None
)


def new_language_scope(code: str = "en") -> contextvars.Token[_LanguageBox | None]:
    return _language_box.set(_LanguageBox(code))


def end_language_scope(token: contextvars.Token[_LanguageBox | None]) -> None:
    _language_box.reset(token)


def get_language() -> str:
    box = _language_box.get()
    return box.code if box is not None else "en"


def set_language(code: str) -> None:
    box = _language_box.get()
    if box is None:
        _language_box.set(_LanguageBox(code))
    else:
        box.code = code


def set_timezone(name: str | None) -> None:
    """Show times in `name` (an IANA zone such as "Asia/Karachi", the reader's academy)
    for the rest of the request; unknown names fall back to UTC."""
    box = _language_box.get()
    if box is None:
        box = _LanguageBox("en")
        _language_box.set(box)
    box.timezone = zone(name)


def get_timezone() -> tzinfo:
    box = _language_box.get()
    return box.timezone if box is not None else UTC


def local_today() -> date:
    """Today in the reader's time zone: a module opens, falls due and is late by the
    academy's calendar, not UTC's (Lahore's day starts five hours earlier). UTC
    outside a request."""
    return datetime.now(get_timezone()).date()


@lru_cache(maxsize=64)
def zone(name: str | None) -> tzinfo:
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@lru_cache
def translations(language: str) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [language], domain="messages")


def N_(message: str) -> str:
    """Marks `message` for extraction where it is defined at import time, before any
    request has a language; the page translates it with `_()` where it is shown."""
    return message


def gettext(message: str, **variables: object) -> str:
    """Translate into the request's language; `%(name)s` placeholders are filled from
    keyword arguments, as in templates."""
    translated: str = translations(get_language()).ugettext(message)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    translated: str = translations(get_language()).ungettext(singular, plural, n)
    return translated % {"num": n, **variables}


def text_direction(language: str | None = None) -> str:
    return "rtl" if (language or get_language()) in RTL_LANGUAGES else "ltr"


def parse_accept_language(header: str | None) -> str | None:
    """The first supported language in an Accept-Language header, by quality."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        base = tag.split("-")[0]
        if base in LANGUAGES and quality > 0:
            choices.append((-quality, index, base))
    return min(choices)[2] if choices else None


def negotiate_language(
    *,
    user_language: str | None,
    chosen_language: str | None,
    cohort_language: str | None,
    accept_language: str | None,
    default: str = "en",
) -> str:
    """The user's own choice first, then a language picked on the login page, then the
    browser's, then the cohort's language, then the site default: a person who never
    chose keeps the language they were using when they signed in."""
    for candidate in (user_language, chosen_language):
        if candidate in LANGUAGES:
            return candidate
    from_browser = parse_accept_language(accept_language)
    if from_browser:
        return from_browser
    return cohort_language if cohort_language in LANGUAGES else default


def localized(value: str, translations: dict[str, str] | None) -> tuple[str, bool]:
    """Curriculum text in the request's language where a translation exists, English
    otherwise. The flag is True when English is shown to someone who reads another
    language, so the page can say so (macro `untranslated_note` in macros.html)."""
    language = get_language()
    if language == "en":
        return value, False
    translated = (translations or {}).get(language, "")
    if translated.strip():
        return translated, False
    return value, True
