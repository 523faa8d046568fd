"""Templates compiled per language: `_("literal")` is translated at compile time, with
the same results (translation, escaping, `%`) as the runtime `_()`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jinja2 import DictLoader

from iil_lms import i18n
from iil_lms.settings import Settings
from iil_lms.web.template_i18n import LocalizedTemplates
from iil_lms.web.templating import build_environment

URDU_DUE = "مقررہ تاریخ"
URDU_MY_JOURNEY = "میرا سفر"


def _templates(settings: Settings, **sources: str) -> LocalizedTemplates:
    return build_environment(settings, loader=DictLoader(sources))


@pytest.fixture(autouse=True)
def language_scope() -> Iterator[None]:
    token = i18n.new_language_scope()
    yield
    i18n.end_language_scope(token)


def _render(templates: LocalizedTemplates, language: str, template: str, **context: object) -> str:
    i18n.set_language(language)
    return templates.get_template(template).render(context)


def test_literals_are_translated_in_the_requests_language(settings: Settings):
    templates = _templates(settings, page='<h1>{{ _("My journey") }}</h1>')
    assert _render(templates, "en", "page") == "<h1>My journey</h1>"
    assert _render(templates, "ur", "page") == f"<h1>{URDU_MY_JOURNEY}</h1>"
    # The English environment's compiled template is not reused for Urdu, nor the reverse.
    assert _render(templates, "en", "page") == "<h1>My journey</h1>"


def test_variables_are_escaped_and_numbers_kept(settings: Settings):
    templates = _templates(
        settings,
        page='{{ _("Due %(day)s", day=day) }}|{{ _("%(done)s/%(total)s", done=n, total=7) }}',
    )
    html = _render(templates, "ur", "page", day="<script>x</script>", n=3)
    assert html == f"{URDU_DUE} &lt;script&gt;x&lt;/script&gt;|3/7"


def test_nested_calls_and_parentheses_inside_the_arguments(settings: Settings):
    templates = _templates(
        settings,
        page=(
            '{{ _("Due %(day)s", day=(items|join(", ")) ~ ")") }}'
            '{% set label, kind = _("My journey"), "idle" %} [{{ label }}/{{ kind }}]'
            '{{ _("Due %(day)s", day=_("My journey"))|upper }}'
        ),
    )
    html = _render(templates, "en", "page", items=["a", "(b)"])
    assert html == "Due a, (b)) [My journey/idle]DUE MY JOURNEY"


def test_a_percent_sign_without_variables_is_unescaped_as_gettext_does(settings: Settings):
    templates = _templates(settings, page='{{ _("100%% done") }}')
    assert _render(templates, "en", "page") == "100% done"


def test_only_string_literals_are_compiled_others_translate_at_runtime(settings: Settings):
    templates = _templates(
        settings,
        page='{{ _(label) }}|{{ _("My" ~ " journey") }}|{{ obj._("My journey") }}',
    )
    obj = type("Obj", (), {"_": staticmethod(lambda text: f"[{text}]")})()
    html = _render(templates, "ur", "page", label="My journey", obj=obj)
    assert html == f"{URDU_MY_JOURNEY}|{URDU_MY_JOURNEY}|[My journey]"


def test_markup_in_a_translation_is_kept_but_a_variable_cannot_add_any(settings: Settings):
    templates = _templates(settings, page='{{ _("<b>%(name)s</b>", name=name) }}')
    html = _render(templates, "en", "page", name='"><img src=x onerror=alert(1)>')
    assert html == "<b>&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</b>"
