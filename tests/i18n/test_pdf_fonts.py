"""PDFs in Urdu and Nepali use the vendored Noto fonts (embedded, no network) and keep
the text: what a reader copies out of the PDF is what was written, in logical order."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from iil_lms.pdf import render_pdf
from tests.pdf_text import pdf_lines

# Interface words as they appear in certificates and packs: Nastaliq joining (دیانت داری),
# Devanagari conjuncts (त्य, ष्ठ, क्ष, ज्ञ, र्थ), vowel signs that print before their
# consonant (ि) and nasal marks (ं).
URDU = ["دیانت داری", "عوامی رابطہ", "پیش رفت", "نمائش"]
NEPALI = ["सत्यनिष्ठा", "प्रशिक्षार्थी", "पृष्ठपोषण", "क्षमता र ज्ञान", "तपाईंको खाता", "मेरो यात्रा"]


def _render(paragraphs: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f'<p lang="{lang}" dir="{"rtl" if lang == "ur" else "ltr"}">{text}</p>'
        for lang, text in paragraphs
    )
    return render_pdf(
        '<!doctype html><html lang="en"><head><link rel="stylesheet" href="css/pdf-fonts.css">'
        f'<link rel="stylesheet" href="css/print.css"></head><body>{body}</body></html>'
    )


def _font_names(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            # Subset fonts are named "ABCDEF+Family-Name".
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


# One PDF per phrase: glyph-to-text maps are per font in a PDF (see the xfail below).
@pytest.mark.parametrize(
    ("language", "text"), [("ur", t) for t in URDU] + [("ne", t) for t in NEPALI]
)
def test_urdu_and_nepali_text_comes_back_out_of_the_pdf(language: str, text: str) -> None:
    assert pdf_lines(_render([(language, text)]))[0] == text


def test_the_vendored_noto_fonts_are_embedded() -> None:
    names = _font_names(_render([("ur", URDU[0]), ("ne", NEPALI[0])]))
    assert "IIL-Nastaliq-Urdu" in names  # static/fonts/NotoNastaliqUrdu-*.woff2
    assert "IIL-Devanagari" in names  # static/fonts/NotoSansDevanagari-*.woff2


@pytest.mark.xfail(
    strict=True,
    reason="WeasyPrint maps each glyph to one Unicode string (ToUnicode, first use wins) and "
    "writes no ActualText; Nastaliq shares letter shapes between letters that differ only by "
    "their dots, so copying a long Urdu sentence out of the PDF changes some letters. The "
    "printed page is right (see docs/screenshots/pdf-ur-ne.png).",
)
def test_a_long_urdu_sentence_survives_text_extraction() -> None:
    sentence = "سرکاری خدمت میں دیانت داری: آپ کا اکاؤنٹ اور مینٹورنگ کا ریکارڈ"
    assert pdf_lines(_render([("ur", sentence)]))[0] == sentence
