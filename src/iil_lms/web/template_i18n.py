"""Templates translated when they are compiled: one Jinja environment per language, in
which `_("literal")` becomes its translation at compile time.

A page calls `_()` dozens of times (the journey map about seventy), and each runtime call
pays Jinja's call machinery, a catalog lookup and an escape. Compiled per language,
`_("Skip to content")` is plain text in the compiled template, and `_("Due %(day)s",
day=d)` is a filter on the already translated string. `_()` of anything but a string
literal (`_(label)`) stays a runtime call. The template source is unchanged, so Babel
extracts the messages as before."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import Environment, Template
from jinja2.ext import Extension
from jinja2.lexer import (
    TOKEN_COMMA,
    TOKEN_DOT,
    TOKEN_LBRACE,
    TOKEN_LBRACKET,
    TOKEN_LPAREN,
    TOKEN_NAME,
    TOKEN_PIPE,
    TOKEN_RBRACE,
    TOKEN_RBRACKET,
    TOKEN_RPAREN,
    TOKEN_STRING,
    Token,
    TokenStream,
)
from markupsafe import Markup, escape

from iil_lms import i18n

FORMAT_FILTER = "translated_format"
_OPENERS = {TOKEN_LPAREN, TOKEN_LBRACKET, TOKEN_LBRACE}
_CLOSERS = {TOKEN_RPAREN, TOKEN_RBRACKET, TOKEN_RBRACE}


def format_translated(translated: str, **variables: object) -> Markup:
    """What `_()` does with variables (see templating.translate): mark safe and apply
    `%` with the variables escaped; numbers need no escaping."""
    for key, value in variables.items():
        if not isinstance(value, int | float):
            variables[key] = escape(value)
    return Markup(translated % variables)  # noqa: S704 - the variables are escaped above


def _without_variables(translated: str) -> str:
    # As gettext's new style: `%` always applies, so "100%%" shows "100%".
    return translated % {} if "%" in translated else translated


class CompileTimeGettext(Extension):
    """Rewrites `_("literal")` to `("translation"|safe)` and `_("literal", k=v)` to
    `("translation"|translated_format(k=v))` in the token stream; Jinja's optimizer then
    folds the first into template text. The language is the environment's
    `translation_language`."""

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        language: str = self.environment.translation_language  # type: ignore[attr-defined]
        catalog = i18n.translations(language)
        return _rewrite(list(stream), catalog.ugettext)


def _rewrite(tokens: list[Token], gettext: Any) -> Iterator[Token]:
    depth = 0
    # Depths at which a rewritten call's own closing parenthesis will appear: after it,
    # one more closes the parenthesis the rewrite opened.
    pending_closes: list[int] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1 : index + 4]
        if (
            token.type == TOKEN_NAME
            and token.value == "_"
            and (index == 0 or tokens[index - 1].type != TOKEN_DOT)
            and len(following) >= 3
            and following[0].type == TOKEN_LPAREN
            and following[1].type == TOKEN_STRING
            and following[2].type in (TOKEN_RPAREN, TOKEN_COMMA)
        ):
            line = token.lineno
            translated = gettext(following[1].value)
            yield Token(line, TOKEN_LPAREN, "(")
            if following[2].type == TOKEN_RPAREN:
                yield Token(line, TOKEN_STRING, _without_variables(translated))
                yield Token(line, TOKEN_PIPE, "|")
                yield Token(line, TOKEN_NAME, "safe")
                yield Token(line, TOKEN_RPAREN, ")")
                index += 4
                continue
            yield Token(line, TOKEN_STRING, translated)
            yield Token(line, TOKEN_PIPE, "|")
            yield Token(line, TOKEN_NAME, FORMAT_FILTER)
            yield Token(line, TOKEN_LPAREN, "(")
            depth += 1
            pending_closes.append(depth)
            index += 4  # the name, "(", the string and the comma
            continue
        if token.type in _OPENERS:
            depth += 1
        elif token.type in _CLOSERS:
            yield token
            if pending_closes and pending_closes[-1] == depth:
                pending_closes.pop()
                yield Token(token.lineno, TOKEN_RPAREN, ")")
            depth -= 1
            index += 1
            continue
        yield token
        index += 1


class LocalizedTemplates:
    """The app's templates: `get_template` answers from the environment of the request's
    language (i18n.get_language), each compiled with that language's translations."""

    def __init__(self, environments: dict[str, Environment]) -> None:
        self.environments = environments

    def get_template(self, name: str) -> Template:
        return self.for_language(i18n.get_language()).get_template(name)

    def for_language(self, language: str) -> Environment:
        return self.environments.get(language) or self.environments["en"]
