"""Templates translate one way, through Jinja's i18n extension with new-style gettext:
translate, mark safe, `%` with the variables escaped; and no template passes `_()` a
positional argument, which would fail only when the page is shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment, nodes

from iil_lms import i18n
from iil_lms.settings import Settings
from iil_lms.web.template_i18n import LocalizedTemplates
from iil_lms.web.templating import build_environment

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
URDU_DUE = "مقررہ تاریخ"
URDU_MY_JOURNEY = "میرا سفر"
# Positional arguments each translation function takes; the rest go by name.
POSITIONAL = {"_": 1, "gettext": 1, "ngettext": 3}
# Only parses (never renders), so autoescaping does not matter; set as the app sets it.
_PARSER = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)


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


def test_text_is_translated_in_the_requests_language(settings: Settings):
    templates = _templates(settings, page='<h1>{{ _("My journey") }}</h1>')
    assert _render(templates, "en", "page") == "<h1>My journey</h1>"
    assert _render(templates, "ur", "page") == f"<h1>{URDU_MY_JOURNEY}</h1>"
    assert _render(templates, "en", "page") == "<h1>My journey</h1>"


def test_variables_are_escaped_and_numbers_kept(settings: Settings):
    templates = _templates(
        settings,
        page='{{ _("Due %(day)s", day=day) }}|{{ _("%(done)s/%(total)s", done=n, total=7) }}',
    )
    html = _render(templates, "ur", "page", day="<script>x</script>", n=3)
    assert html == f"{URDU_DUE} &lt;script&gt;x&lt;/script&gt;|3/7"


def test_a_percent_sign_without_variables_is_unescaped_as_gettext_does(settings: Settings):
    templates = _templates(settings, page='{{ _("100%% done") }}|{{ gettext("100%% done") }}')
    assert _render(templates, "en", "page") == "100% done|100% done"


def test_a_message_from_a_variable_is_translated_too(settings: Settings):
    templates = _templates(settings, page='{{ _(label) }}|{{ _("My" ~ " journey") }}')
    html = _render(templates, "ur", "page", label="My journey")
    assert html == f"{URDU_MY_JOURNEY}|{URDU_MY_JOURNEY}"


def test_markup_in_a_translation_is_kept_but_a_variable_cannot_add_any(settings: Settings):
    templates = _templates(settings, page='{{ _("<b>%(name)s</b>", name=name) }}')
    html = _render(templates, "en", "page", name='"><img src=x onerror=alert(1)>')
    assert html == "<b>&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</b>"


def test_counts_choose_the_plural_and_fill_num(settings: Settings):
    templates = _templates(
        settings,
        page='{{ ngettext("%(num)s person", "%(num)s people", n) }} {{ ngettext('
        '"%(num)s of %(who)s", "%(num)s of %(who)s", 2, who=who) }}',
    )
    assert _render(templates, "en", "page", n=1, who="<i>") == "1 person 2 of &lt;i&gt;"
    assert _render(templates, "en", "page", n=3, who="x").startswith("3 people")


def test_a_positional_argument_to_gettext_is_refused(settings: Settings):
    templates = _templates(settings, page='{{ _("Due %(day)s", day) }}')
    with pytest.raises(TypeError):
        _render(templates, "en", "page", day="today")
    assert _positional_misuse(_PARSER, '{{ _("Due %(day)s", day) }}', "page") == [
        "page:1: _() with 2 positional args"
    ]


def _positional_misuse(env: Environment, source: str, name: str) -> list[str]:
    found = []
    for call in env.parse(source).find_all(nodes.Call):
        function = call.node
        if not isinstance(function, nodes.Name) or function.name not in POSITIONAL:
            continue
        wanted = POSITIONAL[function.name]
        if len(call.args) != wanted or call.dyn_args is not None:
            count = len(call.args)
            found.append(f"{name}:{call.lineno}: {function.name}() with {count} positional args")
    return found


def test_no_template_passes_a_positional_argument_to_a_translation():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        assert "{% trans" not in source and "{%- trans" not in source, (
            f"{path}: translate with _() (the callables are new-style, trans blocks are not)"
        )
        found += _positional_misuse(_PARSER, source, str(path.relative_to(TEMPLATES)))
    assert found == []
