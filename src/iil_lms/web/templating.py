"""The Jinja2 environment and the one helper every route renders through."""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime, format_time, get_datetime_format
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import BaseLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from iil_lms import i18n
from iil_lms.curriculum import translations as curriculum_text
from iil_lms.db import as_utc
from iil_lms.markdown import excerpt, render_markdown
from iil_lms.settings import LANGUAGES, Settings
from iil_lms.web.auth import ANON_COOKIE, Viewer
from iil_lms.web.flash import pop_flashes
from iil_lms.web.navigation import navigation, role_label
from iil_lms.web.template_i18n import LocalizedTemplates, install_translations


def _locale() -> str:
    return i18n.BABEL_LOCALES.get(i18n.get_language(), "en_GB")


def format_day(value: date | datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(i18n.get_timezone()).date()
    return _formatted_day(value, style, _locale())


@lru_cache(maxsize=4096)
def _formatted_day(value: date, style: str, locale: str) -> str:
    # Babel builds the pattern on every call; a page shows the same few days many times.
    return format_date(value, format=style, locale=locale)


def format_moment(value: datetime | None, style: str = "medium") -> str:
    """A stored (UTC) time in the reader's time zone. "short" is the medium date with
    the short time ("23 Nov 2026, 14:05"): CLDR's short date-time is all digits, and
    Nepali's starts with a two-digit year."""
    if value is None:
        return ""
    local = as_utc(value).astimezone(i18n.get_timezone())
    locale = _locale()
    if style != "short":
        return format_datetime(local, format=style, locale=locale)
    return (
        str(get_datetime_format("medium", locale=locale))
        .replace("'", "")
        .replace("{0}", format_time(local, "short", locale=locale))
        .replace("{1}", format_date(local, "medium", locale=locale))
    )


def iso_format(value: date | datetime | None) -> str:
    """A day, or a stored time with its zone (SQLite drops it), for `<time datetime>`
    and date inputs."""
    if value is None:
        return ""
    return as_utc(value).isoformat() if isinstance(value, datetime) else value.isoformat()


def format_number(value: float | int) -> str:
    return format_decimal(value, locale=_locale())


@lru_cache(maxsize=256)
def _static_hash(static_dir: Path, path: str) -> str:
    try:
        return hashlib.sha256((static_dir / path).read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


@pass_context
def csrf_field(context: Context) -> Markup:
    """The hidden CSRF field of a form, with the token the page was rendered with."""
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % context["csrf_token"]


def build_environment(settings: Settings, loader: BaseLoader | None = None) -> LocalizedTemplates:
    """The templates in every language (see template_i18n); `loader` replaces the
    templates folder (tests)."""
    return LocalizedTemplates(
        {language: _environment(settings, language, loader) for language in LANGUAGES}
    )


class _FlatGlobalsEnvironment(Environment):
    """Templates get their globals as one dict instead of Jinja's ChainMap over the
    environment's: every render and every `{% import %}` tests each global against
    them, which a ChainMap answers in Python code, a dict in C. Every global is set
    when the environment is built, before the first template loads."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def _environment(settings: Settings, language: str, loader: BaseLoader | None) -> Environment:
    env = _FlatGlobalsEnvironment(
        loader=loader or FileSystemLoader(str(settings.templates_dir)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=not settings.production,
        # A plain dict, not Jinja's LRU cache, whose every hit (three or four a page:
        # the layout, the imports) reorders a queue under a lock; the templates folder
        # is small and fixed, so nothing ever needs evicting.
        cache_size=-1,
    )
    install_translations(env, language)
    env.filters.update(
        markdown=render_markdown,
        excerpt=excerpt,
        day=format_day,
        moment=format_moment,
        number=format_number,
        iso=iso_format,
    )
    static_dir = settings.static_dir

    def static_url(path: str) -> str:
        return f"/static/{path}?v={_static_hash(static_dir, path)}"

    env.globals.update(
        lang=language,
        csrf_field=csrf_field,
        static_url=static_url,
        language_names=i18n.LANGUAGE_NAMES,
        localized=i18n.localized,
        # Curriculum text in this language, English (marked) where a translation is missing.
        ex_title=lambda e: curriculum_text.localized_title(e.title, e.translations, language),
        title_in=lambda title, texts: curriculum_text.localized_title(title, texts, language),
        ex_spec=lambda e: curriculum_text.localized_spec(e.spec or {}, e.translations, language),
        outcomes_of=lambda m: curriculum_text.localized_outcomes(
            m.outcomes, m.translations, language
        ),
        en=curriculum_text.en_attrs,
        pdf_en=curriculum_text.pdf_en_attrs,
        ltr=curriculum_text.ltr_isolated,
        bdi=curriculum_text.bdi,
        has_english=curriculum_text.has_english,
        review_states=curriculum_text.review_states,
        text_direction=i18n.text_direction,
        navigation=navigation,
        role_label=role_label,
    )
    return env


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render_markup(request: Request, template: str, context: dict[str, Any]) -> Markup:
    """A template rendered to safe HTML in the reader's language, with only `context`
    (no viewer, CSRF token or flashes): a part of a page that is the same for every
    reader of that language, to be cached and put into the page as it is."""
    templates: LocalizedTemplates = request.app.state.templates
    found: Viewer | None = getattr(request.state, "viewer", None)
    if found is not None:
        found.use_locale()
    language = i18n.get_language()
    full_context = {"lang": language, "dir": i18n.text_direction(language), **context}
    return Markup(templates.get_template(template).render(full_context))  # noqa: S704


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a whole page, or only `fragment` when htmx asked for it."""
    templates: LocalizedTemplates = request.app.state.templates
    settings: Settings = request.app.state.settings
    found: Viewer | None = getattr(request.state, "viewer", None)
    if found is not None:
        found.use_locale()
    language = i18n.get_language()
    viewer = found or Viewer(language=language, anon_id=request.cookies.get(ANON_COOKIE))
    name = fragment if fragment and is_htmx(request) else template
    full_context = {
        "request": request,
        "viewer": viewer,
        "lang": language,
        "dir": i18n.text_direction(language),
        "csrf_token": viewer.csrf_token(settings.secret_key),
        "flashes": pop_flashes(request),
        **(context or {}),
    }
    html = templates.get_template(name).render(full_context)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if viewer.new_anon_id and viewer.anon_id:
        response.set_cookie(
            ANON_COOKIE,
            viewer.anon_id,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            max_age=60 * 60 * 24 * 30,
        )
    if getattr(request.state, "flash_consumed", False):
        response.delete_cookie("iil_flash")
    return response
