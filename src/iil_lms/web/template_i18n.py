"""Translation in templates: Jinja's i18n extension, in every language.

`_()`, `gettext()` and `ngettext()` have Jinja's new-style gettext semantics: translate,
mark the translation safe, and always apply `%` with the variables escaped
(`_("Due %(day)s", day=d)`), so `%%` shows `%` and no variable can add markup. There is
one way a template translates, the extension's globals, installed with
`install_gettext_callables`. Two things are ours, both for speed, neither changes what
a page shows:

- the callables implement new-style gettext themselves (the extension is told
  `newstyle=False` so it does not wrap them again): Jinja's wrapper and `_` alias cost
  three context calls per `_()`, and the journey map calls `_()` about seventy times;
- a message without variables is looked up and marked safe once per language, then
  answered from a dict.

Positional arguments (`_("x", y)`) are refused: the callables take the message
positionally and everything else by name, and tests/i18n/test_template_gettext.py
scans every template for such a call, so a wrong one fails the tests, not a page.

One environment per language: a macro file imported without context is built once per
environment and then cached by Jinja, so what it translates at its top level (the
journey's badge dict in learning/_labels.html) and the `lang` global its macros read
must belong to one language."""

from __future__ import annotations

from collections.abc import Callable
from gettext import NullTranslations

from jinja2 import Environment, Template
from markupsafe import Markup, escape

from iil_lms import i18n


def _filled(translated: str, variables: dict[str, object]) -> Markup:
    """`Markup(translated) % variables`, the same text faster: each variable escaped
    once (numbers need no escaping), then one plain `%`."""
    for key, value in variables.items():
        if not isinstance(value, int | float):
            variables[key] = escape(value)
    return Markup(translated % variables)  # noqa: S704 - the variables are escaped above


def new_style_gettext(
    catalog: NullTranslations,
) -> tuple[Callable[..., Markup], Callable[..., Markup]]:
    """`gettext` and `ngettext` for templates in `catalog`'s language, as Jinja's
    new-style gettext defines them with autoescaping on."""
    plain: dict[str, Markup] = {}

    def gettext(message: str, /, **variables: object) -> Markup:
        if variables:
            return _filled(catalog.gettext(message), variables)
        found = plain.get(message)
        if found is None:
            found = plain[message] = Markup(catalog.gettext(message)) % {}  # noqa: S704
        return found

    def ngettext(singular: str, plural: str, n: int, /, **variables: object) -> Markup:
        variables.setdefault("num", n)
        return _filled(catalog.ngettext(singular, plural, n), variables)

    return gettext, ngettext


def install_translations(env: Environment, language: str) -> None:
    """Jinja's i18n extension (`env` must load it) in `language`; `_` is `gettext`."""
    gettext, ngettext = new_style_gettext(i18n.translations(language))
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.globals["_"] = gettext


class LocalizedTemplates:
    """The app's templates: `get_template` answers from the environment of the request's
    language (i18n.get_language)."""

    def __init__(self, environments: dict[str, Environment]) -> None:
        self.environments = environments

    def get_template(self, name: str) -> Template:
        return self.for_language(i18n.get_language()).get_template(name)

    def for_language(self, language: str) -> Environment:
        return self.environments.get(language) or self.environments["en"]
