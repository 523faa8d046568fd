"""Markdown to safe HTML, for curriculum content and anything people write."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    # html=False: raw HTML in the source is shown as text, never passed through.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> Markup:
    html = _renderer().render(text or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"scope"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 above


_BLOCK_TAG = re.compile(
    r"</?(?:p|li|ul|ol|h[1-6]|blockquote|pre|table|thead|tbody|tr|td|th)\b[^>]*>|<(?:br|hr)\s*/?>"
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def excerpt(text: str, length: int = 160) -> str:
    """The start of a Markdown text as plain words, for lists and previews: no `**`,
    `- ` or link syntax; cut at a word before `length` characters, with "…" when cut.
    Plain text, so templates escape it like any other value."""
    # The renderer escapes any HTML in the source, so the only tags are its own.
    rendered = _BLOCK_TAG.sub(" ", _renderer().render(text or ""))
    words = _TAG.sub("", rendered)
    plain = _SPACE.sub(" ", html.unescape(words)).strip()
    if len(plain) <= length:
        return plain
    cut = plain[: length - 1]
    if " " in cut[length // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"
