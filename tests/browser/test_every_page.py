"""The axe sweep: every HTML page of the app, taken from the route table, opened in
Chromium by the role that sees it, in English, Urdu and Nepali, and checked with
axe-core (no serious or critical violation), for its status, its <h1>, <html lang> and
dir, and Content-Security-Policy violations; then once more on a phone in English for
sideways scrolling. The map of pages (tests/browser/page_sweep.py) must cover every GET
route, so a new page cannot be forgotten."""

from __future__ import annotations

import pytest

from iil_lms.app import create_app
from tests.browser.conftest import LiveServer
from tests.browser.helpers import Journey, Variant
from tests.browser.page_sweep import (
    NOT_PAGES,
    VISITS,
    SweepData,
    get_routes,
    sweep,
    sweep_data,
    swept_routes,
)

pytestmark = pytest.mark.browser
DESKTOPS = [Variant("desktop", 1280, 800, language) for language in ("en", "ur", "ne")]
PHONE = Variant("phone", 360, 740, "en")


@pytest.fixture(scope="module")
def data(live_server: LiveServer) -> SweepData:
    return sweep_data(live_server.engine)


def test_every_get_route_is_swept_or_listed_as_not_a_page() -> None:
    routes = get_routes(create_app())
    swept, skipped = swept_routes(), set(NOT_PAGES)
    assert not swept & skipped, f"both swept and listed as not a page: {swept & skipped}"
    forgotten = routes - swept - skipped
    assert not forgotten, (
        "GET routes the axe sweep does not know: add each to VISITS (an HTML page, with "
        f"the role that sees it) or to NOT_PAGES (with the reason) in page_sweep.py: "
        f"{sorted(forgotten)}"
    )
    gone = (swept | skipped) - routes
    assert not gone, f"page_sweep.py names routes the app no longer has: {sorted(gone)}"


@pytest.mark.parametrize("variant", DESKTOPS, ids=str)
def test_every_page_passes_axe_in_every_language(
    journey: Journey, data: SweepData, variant: Variant
) -> None:
    opened, failures = sweep(journey, data, VISITS, axe=True, phone=False)
    assert not failures, f"{len(failures)} of {opened} pages fail ({variant.language}):\n" + (
        "\n".join(failures)
    )


@pytest.mark.parametrize("variant", [PHONE], ids=str)
def test_no_page_scrolls_sideways_on_a_phone(
    journey: Journey, data: SweepData, variant: Variant
) -> None:
    opened, failures = sweep(journey, data, VISITS, axe=False, phone=True)
    assert not failures, f"{len(failures)} of {opened} pages fail on a 360 px phone:\n" + (
        "\n".join(failures)
    )
