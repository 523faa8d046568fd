"""WeasyPrint rendering shared by every printed output.

Rendering never touches the network nor any file outside `static/`: the URL fetcher
serves fonts, stylesheets and images from the static folder (and inline `data:` URLs)
and refuses everything else, so text a person wrote cannot make the server fetch a
remote address or read a local file."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from fontTools.ttLib import woff2
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from iil_lms import i18n
from iil_lms.settings import PROJECT_DIR, get_settings
from iil_lms.web.template_i18n import LocalizedTemplates

STATIC_DIR = PROJECT_DIR / "static"
PDF_TEMPLATES = "pdf/"
_MEDIA_TYPES = {
    ".css": "text/css",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


class FetchRefused(ValueError):
    """A resource outside the static folder was asked for while rendering."""


class StaticOnlyFetcher(URLFetcher):
    """Serves `file:` URLs that resolve inside the static folder, and `data:` URLs;
    refuses http(s), ftp and every other file. WeasyPrint logs a refusal and renders
    on without the resource."""

    def __init__(self, static_dir: Path) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.static_dir = static_dir.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            response: URLFetcherResponse = super().fetch(url, headers)
            return response
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"not fetched while rendering a PDF: {url}")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.static_dir) or not path.is_file():
            raise FetchRefused(f"not a file under static/: {url}")
        if path.suffix.lower() == ".woff2":
            font = _decompressed_font(path, path.stat().st_mtime_ns)
            return URLFetcherResponse(path.as_uri(), font, headers={"Content-Type": "font/ttf"})
        media_type = _MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), headers={"Content-Type": media_type}
        )


@lru_cache(maxsize=16)
def _decompressed_font(path: Path, mtime_ns: int) -> bytes:
    """A WOFF2 font as the TrueType font WeasyPrint would decompress it to, once per
    process (and inherited by forked workers) instead of once per document: ~0.3 s of
    CPU for the Nastaliq face. Keyed by the file's modification time."""
    out = BytesIO()
    with path.open("rb") as source:
        woff2.decompress(source, out)
    return out.getvalue()


def static_base_url(static_dir: Path | None = None) -> str:
    """The base URL against which templates write `css/print.css`, `fonts/...`."""
    return (static_dir or STATIC_DIR).resolve().as_uri() + "/"


def render_pdf(html: str, *, base_url: str | None = None, static_dir: Path | None = None) -> bytes:
    """Render HTML to PDF bytes. Relative URLs resolve against `base_url` (the static
    folder by default); only files under the static folder are ever read."""
    folder = static_dir or STATIC_DIR
    document = HTML(
        string=html,
        base_url=base_url or static_base_url(folder),
        url_fetcher=StaticOnlyFetcher(folder),
    )
    pdf: bytes = document.write_pdf()
    return pdf


@lru_cache(maxsize=1)
def _default_environment() -> LocalizedTemplates:
    # Imported here: templating imports the web layer, which a CLI job need not load.
    from iil_lms.web.templating import build_environment

    return build_environment(get_settings())


@contextmanager
def _language(language: str) -> Iterator[None]:
    token = i18n.new_language_scope(language)
    try:
        yield
    finally:
        i18n.end_language_scope(token)


def render_template_html(
    template_name: str,
    context: Mapping[str, Any],
    language: str,
    *,
    env: LocalizedTemplates | None = None,
    folder: str = PDF_TEMPLATES,
) -> str:
    """The HTML of a `templates/pdf/` template (or one in `folder`) in `language`, with
    `lang`, `dir` and the translations of that language (autoescaped like every page)."""
    environment = env or _default_environment()
    with _language(language):
        template = environment.get_template(folder + template_name)
        return template.render({**context, "lang": language, "dir": i18n.text_direction(language)})


def render_template_pdf(
    template_name: str,
    context: Mapping[str, Any],
    language: str,
    *,
    env: LocalizedTemplates | None = None,
    static_dir: Path | None = None,
) -> bytes:
    """Render a `templates/pdf/` template (the app's Jinja environment: autoescape, the
    `markdown` filter, gettext in `language`) to PDF bytes."""
    html = render_template_html(template_name, context, language, env=env)
    return render_pdf(html, static_dir=static_dir)
