"""WeasyPrint rendering shared by every printed output (exercise packs, certificates,
summit programmes)."""

from iil_lms.pdf.rendering import (
    FetchRefused,
    StaticOnlyFetcher,
    render_pdf,
    render_template_html,
    render_template_pdf,
    static_base_url,
)

__all__ = [
    "FetchRefused",
    "StaticOnlyFetcher",
    "render_pdf",
    "render_template_html",
    "render_template_pdf",
    "static_base_url",
]
