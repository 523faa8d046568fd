"""No English left in template markup outside `_()`: every text node and every
user-visible attribute must come from a Jinja expression."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Attributes a person reads or hears (screen readers announce aria-label and title).
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "label", "aria-description"}
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
LETTERS = re.compile(r"[A-Za-z]")
MARK = "\x1f"  # stands where a Jinja block was; whitespace to the tag parser
CODE = re.compile(r"[a-z][a-z0-9_-]*")
# Not text a person reads: attribute markup a macro emits, a URL.
NOT_TEXT = (re.compile(r'^(\s*[a-z-]+="[^"]*")+\s*$'), re.compile(r"^https?://\S*$"))


def _is_code_between_tags(value: str) -> bool:
    """Lowercase codes each standing between two Jinja tags, such as the CSS class in
    `{% if done %}done{% else %}due{% endif %}`."""
    pieces = value.split(MARK)
    inner = [p.strip() for p in pieces[1:-1]]
    return (
        len(pieces) > 2
        and not pieces[0].strip()
        and not pieces[-1].strip()
        and all(not p or CODE.fullmatch(p) for p in inner)
    )


def _is_text(value: str) -> bool:
    plain = value.replace(MARK, " ").strip()
    return (
        bool(LETTERS.search(plain))
        and not _is_code_between_tags(value)
        and not any(p.match(plain) for p in NOT_TEXT)
    )


class _LiteralFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attrs:
            # A button's value is sent, not shown; an input button shows its value.
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value"
                and tag == "input"
                and attributes.get("type") in ("submit", "button", "reset")
            )
            if visible and value and _is_text(value):
                self.found.append((self.getpos()[0], f'{name}="{value.replace(MARK, "")}"'))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and _is_text(data):
            self.found.append((self.getpos()[0], data.replace(MARK, "").strip()))


def english_literals(source: str) -> list[tuple[int, str]]:
    """Literal text left once every Jinja block is blanked out (newlines kept, so the
    reported line numbers are the template's own)."""
    blanked = JINJA.sub(lambda m: "\n" * m.group(0).count("\n") + MARK, source)
    finder = _LiteralFinder()
    finder.feed(blanked)
    finder.close()
    return finder.found


def test_the_scanner_catches_literals_and_passes_translated_text() -> None:
    source = (
        '<h1>{{ _("Hello") }}</h1>\n<p title="Help">Welcome back</p>\n'
        '<button value="Go">{{ x }}</button><input type="submit" value="Send">'
        "{# a comment #}{% if a %}<span>{{ b }} · 3</span>{% endif %}"
        '<span class="{% if a %}done{% else %}due{% endif %}">{{ c }} items</span>'
        '<input placeholder="https://"><a title="{{ _("Open") }}">{{ _("Open") }}</a>'
    )
    assert [text for _, text in english_literals(source)] == [
        'title="Help"',
        "Welcome back",
        'value="Send"',
        "items",
    ]


def test_no_english_literal_in_templates() -> None:
    problems = [
        f"{path.relative_to(TEMPLATES.parent)}:{line}: {text}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for line, text in english_literals(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "Wrap these in _():\n" + "\n".join(problems)
