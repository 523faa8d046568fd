"""The feedback survey pages in Chromium: axe in English, Urdu and Nepali and no
sideways scrolling on a phone (the same checks as the whole-app sweep, run on these
pages alone), and the results readable without JavaScript."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.helpers import Journey, Variant
from tests.browser.page_sweep import VISITS, SweepData, sweep, sweep_data

pytestmark = pytest.mark.browser
FEEDBACK = [v for v in VISITS if v.route.startswith("/cohorts/{cohort_id}/feedback")]
VARIANTS = [Variant("desktop", 1280, 800, language) for language in ("en", "ur", "ne")]


@pytest.fixture(scope="module")
def data(live_server: LiveServer) -> SweepData:
    return sweep_data(live_server.engine)


def test_feedback_pages_are_swept() -> None:
    assert len(FEEDBACK) == 2


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
def test_feedback_pages_pass_axe(journey: Journey, data: SweepData, variant: Variant) -> None:
    opened, failures = sweep(journey, data, FEEDBACK, axe=True, phone=False)
    assert opened == 2 and not failures, "\n".join(failures)


@pytest.mark.parametrize("variant", [Variant("phone", 360, 740, "en")], ids=str)
def test_feedback_pages_fit_a_phone(journey: Journey, data: SweepData, variant: Variant) -> None:
    opened, failures = sweep(journey, data, FEEDBACK, axe=False, phone=True)
    assert opened == 2 and not failures, "\n".join(failures)
