"""The shared PDF rendering: text survives, nothing outside static/ is fetched, user
text is escaped, and the print stylesheet's page furniture is there."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from jinja2 import ChoiceLoader, DictLoader, FileSystemLoader
from pypdf import PdfReader

from iil_lms.pdf import FetchRefused, StaticOnlyFetcher, render_pdf, render_template_pdf
from iil_lms.pdf.rendering import STATIC_DIR
from iil_lms.settings import Settings
from iil_lms.web.template_i18n import LocalizedTemplates
from iil_lms.web.templating import build_environment
from tests.pdf_text import pdf_text


def pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def env(settings: Settings) -> LocalizedTemplates:
    return build_environment(
        settings,
        loader=ChoiceLoader(
            [
                DictLoader(
                    {
                        "pdf/sample.html": (
                            '{% extends "pdf/base.html" %}'
                            "{% block title %}{{ title }}{% endblock %}"
                            "{% block running_header %}{{ cohort }}{% endblock %}"
                            "{% block content %}<h1>{{ title }}</h1><p>{{ body }}</p>"
                            "<div>{{ notes|markdown }}</div>{% endblock %}"
                        )
                    }
                ),
                FileSystemLoader(str(settings.templates_dir)),
            ]
        ),
    )


def test_english_text_comes_back_out_of_the_pdf() -> None:
    text = "Integrity in public service means keeping promises to citizens."
    pdf = render_pdf(f"<html><body><p>{text}</p></body></html>")
    assert pdf.startswith(b"%PDF-")
    assert pdf_text(pdf).strip() == text


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red; }")

    def log_message(self, *args: object) -> None:
        return


def test_remote_urls_in_html_are_never_fetched() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        _Recorder.hits.clear()
        pdf = render_pdf(
            f'<html><head><link rel="stylesheet" href="{base}/style.css">'
            f"<style>@import url({base}/imported.css);</style></head>"
            f'<body><p>Offline</p><img src="{base}/tracker.png" alt="">'
            f'<img src="file:///etc/passwd" alt=""></body></html>'
        )
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.hits == []
    assert "Offline" in pdf_text(pdf)


def test_fetcher_serves_static_files_only(tmp_path: Path) -> None:
    fetcher = StaticOnlyFetcher(STATIC_DIR)
    css = fetcher.fetch((STATIC_DIR / "css" / "print.css").as_uri())
    assert b"@page" in css.read()
    assert css.content_type == "text/css"
    secret = tmp_path / "secret.txt"
    secret.write_text("do not print")
    for url in (
        "http://example.org/x.css",
        "https://example.org/font.woff2",
        "ftp://example.org/x",
        secret.as_uri(),
        "file:///etc/passwd",
        (STATIC_DIR / "css" / ".." / ".." / "pyproject.toml").as_uri(),
        "file://remote-host/share/x.css",
    ):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


def test_user_html_is_printed_as_text(env: LocalizedTemplates) -> None:
    pdf = render_template_pdf(
        "sample.html",
        {
            "title": "Pack <b>bold</b>",
            "cohort": "Cohort <i>A</i>",
            "body": "<script>alert('x')</script> & <em>not emphasis</em>",
            "notes": "**Markdown** with <img src=x onerror=alert(1)>",
        },
        "en",
        env=env,
    )
    text = pdf_text(pdf)
    assert "Pack <b>bold</b>" in text
    assert "<script>alert('x')</script> & <em>not emphasis</em>" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert "Markdown with" in text


def test_print_stylesheet_numbers_pages_and_repeats_the_cohort(env: LocalizedTemplates) -> None:
    long_body = " ".join(["A sentence about service delivery in the district."] * 400)
    pdf = render_template_pdf(
        "sample.html",
        {"title": "Exercise pack", "cohort": "Lahore Cohort 2026", "body": long_body, "notes": ""},
        "en",
        env=env,
    )
    pages = pdf_pages(pdf)
    assert pages >= 2
    text = pdf_text(pdf)
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text
    assert "Lahore Cohort 2026" in text
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_urdu_renders_right_to_left_with_the_shipped_font(env: LocalizedTemplates) -> None:
    pdf = render_template_pdf(
        "sample.html",
        {"title": "دیانت داری", "cohort": "لاہور", "body": "عوامی خدمت میں دیانت", "notes": ""},
        "ur",
        env=env,
    )
    reader = PdfReader(io.BytesIO(pdf))
    fonts: set[str] = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Nastaliq" in name for name in fonts), fonts
