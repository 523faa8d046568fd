"""Text as a reader would copy it out of a PDF, for assertions that should not depend
on how the PDF library splits lines."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """All pages' text, one page per line, runs of whitespace made one space."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_lines(pdf: bytes) -> list[str]:
    """Every non-empty line of every page, its whitespace made single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def flat(text: str) -> str:
    """One line, and no space before punctuation (extraction sometimes puts one there)."""
    return re.sub(r"\s+([.,?!])", r"\1", " ".join(text.split()))
