"""HTML and header checks shared by the security tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any


def parse_csp(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_security_headers(response: Any, what: str) -> None:
    headers = response.headers
    assert "content-security-policy" in headers, f"{what}: no CSP"
    csp = parse_csp(headers["content-security-policy"])
    for kind in ("script-src", "style-src"):
        sources = csp.get(kind, csp.get("default-src"))
        assert sources is not None, f"{what}: neither {kind} nor default-src"
        assert "'unsafe-inline'" not in sources, f"{what}: {kind} allows unsafe-inline"
        assert "'unsafe-eval'" not in sources, f"{what}: {kind} allows unsafe-eval"
        assert "*" not in sources and "data:" not in sources, f"{what}: {kind} too wide"
    assert csp.get("frame-ancestors") == ["'none'"], f"{what}: frame-ancestors"
    assert csp.get("object-src") == ["'none'"], f"{what}: object-src"
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") in ("same-origin", "no-referrer", "strict-origin"), what
    assert headers.get("x-frame-options") == "DENY", what


URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href"})


def is_javascript_url(value: str | None) -> bool:
    # browsers ignore whitespace and control characters inside the scheme
    return bool(value) and re.sub(r"[\s\x00-\x1f]", "", value or "").lower().startswith(
        ("javascript:", "vbscript:", "data:text/html")
    )


class InlineCodeFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block: inline <script> and
    <style> bodies, style= and on* attributes, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name in URL_ATTRIBUTES and is_javascript_url(value):
                self.problems.append(f"javascript: URL in {name}= on <{tag}>")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


EMBEDDING_TAGS = frozenset({"iframe", "object", "embed", "base", "frame", "frameset"})


class ExecutableMarkupFinder(InlineCodeFinder):
    """Inline code, plus elements that load or run foreign content."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        if tag in EMBEDDING_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")


def executable_markup(html: str) -> list[str]:
    finder = ExecutableMarkupFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


class TextCollector(HTMLParser):
    """The text a reader sees (script and style bodies left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    collector = TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join(collector.parts)
