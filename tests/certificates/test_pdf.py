"""Printed certificates: the name and texts in English and the second language, the QR
code's link, escaping, the attached credential and its offline check."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iil_lms.certificates import codes, credentials, pdf
from iil_lms.certificates.design import DesignView, SignatoryView
from iil_lms.certificates.models import Certificate
from iil_lms.cli import main
from iil_lms.settings import Settings
from tests.pdf_text import pdf_text

URDU_TITLE = "تکمیل کی سند"
NEPALI_TITLE = "समापन प्रमाणपत्र"


def certificate(language: str, name: str, title_local: str, credential: str = "") -> Certificate:
    return Certificate(
        code=codes.new_code(),
        cohort_id=1,
        kind_id=1,
        user_id=1,
        holder_name=name,
        academy_name="National School of Public Policy",
        programme="IIL Cohort 2026-27",
        title="Certificate of completion",
        title_local=title_local,
        achievement="Completed all six milestones.",
        achievement_local=title_local,
        language=language,
        issued_on=datetime(2027, 7, 30, 9, tzinfo=UTC),
        credential=credential,
    )


DESIGN = DesignView(False, None, None, [SignatoryView("Dr. Ayesha Khan", "", "Rector", "", None)])


def test_urdu_certificate_prints_the_name_in_both_halves_and_the_urdu_title(
    settings: Settings,
) -> None:
    cert = certificate("ur", "Ayesha Bibi", URDU_TITLE)
    data = pdf.single_pdf(settings, cert, DESIGN, "Asia/Karachi")
    assert pdf.page_count(data) == 1
    text = pdf_text(data)
    assert text.count("Ayesha Bibi") == 2  # the English half and the Urdu half
    assert "Certificate of completion" in text
    # Nastaliq maps several letters to one glyph shape, so extraction changes some
    # letters (see tests/i18n/test_pdf_fonts.py); this word survives it.
    assert "سند" in text
    assert codes.grouped(cert.code).replace("-", "") in text.replace("-", "").replace(" ", "")
    assert "Dr. Ayesha Khan" in text


def test_nepali_certificate_prints_the_name_in_devanagari_and_english(
    settings: Settings,
) -> None:
    cert = certificate("ne", "सीता श्रेष्ठ", NEPALI_TITLE)
    text = pdf_text(pdf.single_pdf(settings, cert, DESIGN, "Asia/Kathmandu"))
    assert text.count("सीता श्रेष्ठ") == 2
    assert NEPALI_TITLE in text and "Certificate of completion" in text


def test_markup_in_a_name_is_printed_as_text(settings: Settings) -> None:
    cert = certificate("ur", '<b>Bold</b> <img src="http://example.com/x.png"> & Co', URDU_TITLE)
    text = pdf_text(pdf.single_pdf(settings, cert, DESIGN, "UTC"))
    assert "<b>Bold</b>" in text and "& Co" in text


def test_qr_code_decodes_to_the_verification_url(settings: Settings, tmp_path: Path) -> None:
    cert = certificate("ne", "Sita", NEPALI_TITLE)
    data = pdf.single_pdf(settings, cert, DESIGN, "UTC")
    (tmp_path / "c.pdf").write_bytes(data)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "150",
            "-singlefile",
            str(tmp_path / "c.pdf"),
            str(tmp_path / "c"),
        ],
        check=True,
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "c.png")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert decoded == f"http://testserver/verify/{codes.grouped(cert.code)}"


def test_pdf_carries_the_signed_credential_and_the_cli_checks_it_offline(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from iil_lms.certificates.models import SigningKey

    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    key = credentials.AcademyKey(
        SigningKey(academy_id=1, public_key=public.hex(), file_name="x"), private
    )
    facts = credentials.CredentialFacts(
        url="http://testserver/verify/X",
        issuer_url="http://testserver/academies/a",
        issuer_name="National School of Public Policy",
        holder_name="Ayesha",
        kind_url="http://testserver/certificates/kinds/1",
        title="Certificate of completion",
        achievement="Completed.",
        programme="IIL",
        issued_at=datetime(2027, 7, 30, tzinfo=UTC),
    )
    signed = credentials.sign(credentials.unsigned_credential(facts), key, facts.issued_at)
    text = credentials.canonical(signed).decode()
    data = pdf.single_pdf(settings, certificate("ur", "Ayesha", URDU_TITLE, text), DESIGN, "UTC")
    assert pdf.attachment(data) == text.encode()
    (tmp_path / "c.pdf").write_bytes(data)
    assert main(["verify-credential", str(tmp_path / "c.pdf"), "--key", public.hex()]) == 0
    assert "valid: Certificate of completion for Ayesha" in capsys.readouterr().out
    broken = text.replace("Ayesha", "Ayeshb")
    (tmp_path / "c.json").write_text(broken)
    assert main(["verify-credential", str(tmp_path / "c.json")]) == 1
    assert "invalid" in capsys.readouterr().err
    (tmp_path / "ok.json").write_text(json.dumps(signed))
    assert main(["verify-credential", str(tmp_path / "ok.json"), "--key", "00" * 32]) == 1
