"""Certificates end to end: an organiser previews who qualifies, issues the whole group
as a bulk job (the worker beside the server runs it), watches the progress bar and
downloads the merged PDF; a visitor scans a certificate's QR code and sees it valid,
then, after the organiser revokes it, revoked."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import Journey, Variant
from tests.browser.people import cohort_id

pytestmark = pytest.mark.browser
ORGANISER = "organiser1@csa-pk.example.org"


def _scan(pdf: Path) -> str:
    """The URL in the first page's QR code, read by zbarimg as a phone would."""
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(pdf.with_suffix(""))],
        check=True,
    )  # fmt: skip
    return subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(pdf.with_suffix(".png"))],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


@pytest.mark.parametrize("variant", [VARIANTS[0]], ids=str)
def test_organiser_issues_a_group_and_a_visitor_verifies_then_sees_a_revocation(
    journey: Journey, live_server: LiveServer, variant: Variant, tmp_path: Path
) -> None:
    organiser = journey.person("organiser")
    journey.login(organiser, ORGANISER)
    page = organiser.page
    cohort = cohort_id(live_server.engine)
    page.goto(f"/cohorts/{cohort}")
    nav = page.get_by_role("navigation", name=organiser.t("Main"))
    nav.get_by_role("link", name=organiser.t("Certificates"), exact=True).click()
    page.wait_for_url(f"**/cohorts/{cohort}/certificates")
    journey.check(organiser, "certificates")

    page.locator("a[href$='/certificates/preview?kind=mentor']").click()
    page.wait_for_url("**/certificates/preview?kind=mentor")
    journey.check(organiser, "who-qualifies")
    qualifying = page.locator("ul.qualifying li")
    expect(qualifying.first).to_be_visible()
    count = qualifying.count()

    page.locator("form[action$='/certificates/bulk'] button[type=submit]").click()
    page.wait_for_url("**/certificates/jobs/*")
    progress = page.locator("#job-progress progress")
    expect(progress).to_have_attribute("max", str(count))
    journey.check(organiser, "bulk-progress")
    expect(page.locator(".job-done")).to_be_visible(timeout=180_000)
    expect(progress).to_have_attribute("value", str(count))
    journey.check(organiser, "bulk-done")

    with page.expect_download() as download:
        page.locator("a[href$='/certificates.pdf']").click()
    merged = tmp_path / "merged.pdf"
    download.value.save_as(merged)
    assert merged.read_bytes().startswith(b"%PDF-")
    url = _scan(merged)
    assert url.startswith(f"{live_server.url}/verify/")

    visitor = journey.person("visitor")
    visitor.page.goto(url)
    expect(visitor.page.locator(".verify-result")).to_contain_text(visitor.t("Valid"))
    journey.check(visitor, "verify-valid")

    code = url.rsplit("/", 1)[1].replace("-", "")
    with live_server.engine.connect() as connection:
        certificate_id = connection.execute(
            text("SELECT id FROM certificate WHERE code = :c"), {"c": code}
        ).scalar_one()
    page.goto(f"/cohorts/{cohort}/certificates")
    page.locator(f"#reason-{certificate_id}").fill("Issued to the wrong person")
    page.locator(
        f"form[action$='/certificates/{certificate_id}/revoke'] button[type=submit]"
    ).click()
    expect(page.get_by_role("status").first).to_have_text(organiser.t("Certificate revoked."))

    visitor.page.reload()
    expect(visitor.page.locator(".verify-result")).to_contain_text("Revoked")
    journey.check(visitor, "verify-revoked")
