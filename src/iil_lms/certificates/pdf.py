"""Printed certificates: A4 landscape, English beside the academy's second language
(Urdu right-to-left in Nastaliq, Nepali in Devanagari), from the Jinja2 template and
print CSS in templates/certificates/ and static/css/certificate.css, with a QR code to
the public verification page and the signed credential attached to each single PDF.

WeasyPrint spends ~0.35 s setting up each document but ~16 ms on each further page, so
many certificates are rendered as a few documents of many pages (jobs.py, on two cores)
and then split into single PDFs."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import segno
from babel.dates import format_date
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from iil_lms.certificates import codes
from iil_lms.certificates.design import DesignView
from iil_lms.certificates.models import Certificate
from iil_lms.db import as_utc
from iil_lms.i18n import BABEL_LOCALES, N_, text_direction, translations, zone
from iil_lms.pdf import render_pdf
from iil_lms.pdf.rendering import render_template_html
from iil_lms.settings import Settings

TEMPLATE = "sheet.html"
FOLDER = "certificates/"
CREDENTIAL_NAME = "credential.json"

PHRASES = {
    "certifies": N_("This certifies that"),
    "for": N_("has been awarded"),
    "programme": N_("Programme"),
    "date": N_("Date of issue"),
    "code": N_("Certificate code"),
    "verify": N_("Check this certificate at"),
}


def phrases(language: str) -> dict[str, str]:
    table = translations(language)
    return {key: table.ugettext(text) for key, text in PHRASES.items()}


def verify_url(settings: Settings, code: str) -> str:
    return f"{settings.base_url}/verify/{codes.grouped(code)}"


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as a PNG data: URL (medium error correction), 3 pixels a
    module drawn without smoothing (image-rendering: pixelated): it scans from paper and
    from a screen at 100-200 dpi, and WeasyPrint draws it in a few ms a page, where the
    same code as SVG costs ~20 ms. (One pixel a module looks the same in a viewer, but
    poppler smooths it at low resolutions and the code stops scanning.)"""
    return str(segno.make(url, error="m").png_data_uri(scale=3, border=2))


@dataclass(frozen=True)
class Sheet:
    """What one printed certificate shows, in plain values."""

    code: str
    grouped_code: str
    url: str
    qr: str
    holder_name: str
    academy_name: str
    programme: str
    title: str
    title_local: str
    achievement: str
    achievement_local: str
    date_en: str
    date_local: str
    language: str
    direction: str


def _day(day: date, language: str) -> str:
    return format_date(day, format="long", locale=BABEL_LOCALES.get(language, "en_GB"))


def sheet(settings: Settings, cert: Certificate, timezone: str) -> Sheet:
    day = as_utc(cert.issued_on).astimezone(zone(timezone)).date()
    url = verify_url(settings, cert.code)
    return Sheet(
        code=cert.code,
        grouped_code=codes.grouped(cert.code),
        url=url,
        qr=qr_data_uri(url),
        holder_name=cert.holder_name,
        academy_name=cert.academy_name,
        programme=cert.programme,
        title=cert.title,
        title_local=cert.title_local or cert.title,
        achievement=cert.achievement,
        achievement_local=cert.achievement_local or cert.achievement,
        date_en=_day(day, "en"),
        date_local=_day(day, cert.language),
        language=cert.language,
        direction=text_direction(cert.language),
    )


def document_html(sheets: Sequence[Sheet], design: DesignView) -> str:
    """One HTML document with a page per certificate."""
    languages = sorted({s.language for s in sheets}) or ["en"]
    return render_template_html(
        TEMPLATE,
        {
            "sheets": sheets,
            "design": design,
            "en": phrases("en"),
            "local": {lang: phrases(lang) for lang in languages},
        },
        "en",
        folder=FOLDER,
    )


def render_sheets(sheets: Sequence[Sheet], design: DesignView) -> bytes:
    """One PDF, one page per sheet, in this process."""
    return render_pdf(document_html(sheets, design))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


_NAME_BYTES = NameObject.renumber


@lru_cache(maxsize=8192)
def _name_bytes(name: str) -> bytes:
    return _NAME_BYTES(NameObject(name))


def _cached_name_bytes(self: NameObject) -> bytes:
    return _name_bytes(str(self))


# pypdf writes every PDF name (/Type, /Font, /Resources, ...) by escaping it character by
# character in Python: ~40 % of splitting a chunk into single PDFs, where the same few
# hundred names come back on every page. The bytes depend on the name alone.
NameObject.renumber = _cached_name_bytes  # type: ignore[method-assign]


def split_pages(pdf: bytes, credentials: Sequence[str]) -> list[bytes]:
    """The merged document as single-page PDFs, each with its certificate's signed
    credential attached (`credential.json`)."""
    reader = PdfReader(io.BytesIO(pdf))
    singles = []
    for page, credential in zip(reader.pages, credentials, strict=True):
        writer = PdfWriter()
        writer.add_page(page)
        if credential:
            writer.add_attachment(CREDENTIAL_NAME, credential.encode())
        out = io.BytesIO()
        writer.write(out)
        singles.append(out.getvalue())
    return singles


def single_pdf(settings: Settings, cert: Certificate, design: DesignView, timezone: str) -> bytes:
    """One certificate's PDF with its credential attached."""
    rendered = render_sheets([sheet(settings, cert, timezone)], design)
    return split_pages(rendered, [cert.credential])[0]


def attachment(pdf: bytes) -> bytes | None:
    """The credential attached to a certificate's PDF, if any."""
    found = PdfReader(io.BytesIO(pdf)).attachments.get(CREDENTIAL_NAME)
    return found[0] if found else None
