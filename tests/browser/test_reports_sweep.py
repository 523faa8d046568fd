"""The axe sweep of the report pages alone (a cohort's and an academy's GESI figures, a
trainee's report), in the three languages and on a phone: the same checks as
test_every_page, run quickly while working on reports."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.helpers import Journey, Variant
from tests.browser.page_sweep import VISITS, SweepData, sweep, sweep_data

pytestmark = pytest.mark.browser
REPORT_PAGES = tuple(v for v in VISITS if v.route.endswith(("/gesi", "/report")))
VARIANTS = [Variant("desktop", 1280, 800, language) for language in ("en", "ur", "ne")]


@pytest.fixture(scope="module")
def data(live_server: LiveServer) -> SweepData:
    return sweep_data(live_server.engine)


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
def test_report_pages_pass_axe_in_every_language(
    journey: Journey, data: SweepData, variant: Variant
) -> None:
    assert len(REPORT_PAGES) == 3
    opened, failures = sweep(journey, data, REPORT_PAGES, axe=True, phone=False)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("variant", [Variant("phone", 360, 740, "en")], ids=str)
def test_report_pages_do_not_scroll_sideways_on_a_phone(
    journey: Journey, data: SweepData, variant: Variant
) -> None:
    opened, failures = sweep(journey, data, REPORT_PAGES, axe=False, phone=True)
    assert not failures, "\n".join(failures)
