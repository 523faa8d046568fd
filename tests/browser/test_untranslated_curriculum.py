"""In Urdu, curriculum text without a translation stands in English, marked lang="en" and
isolated (<bdi> or dir="auto"), so a sentence keeps its full stop at its end in a right-to-left
page, under a note that says it is not translated yet."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser.conftest import VARIANTS, LiveServer
from tests.browser.helpers import Journey
from tests.browser.people import mentored_trainee

pytestmark = pytest.mark.browser

# Where the full stop is drawn, against the sentence's first letter (left to right).
EDGES = """el => {
  const node = [...el.childNodes].find(n => n.nodeType === Node.TEXT_NODE && n.data.trim());
  const data = node.data.trimEnd();
  const at = (i) => { const r = document.createRange(); r.setStart(node, i);
    r.setEnd(node, i + 1); return r.getBoundingClientRect(); };
  return {first: at(data.search(/\\S/)).left, stop: at(data.length - 1).left,
          lines: el.getClientRects().length};
}"""


def _module_with_english_outcomes(live_server: LiveServer) -> tuple[str, int, str]:
    """A module of the demo curriculum, its id and its stored translations; its Urdu
    outcomes are taken out for the test (the translators may have written them)."""
    with live_server.engine.begin() as connection:
        row = connection.execute(
            text(
                "SELECT slug, id, translations FROM module WHERE retired = 0"
                " AND outcomes LIKE '%.\"%' ORDER BY id LIMIT 1"
            )
        ).one()
        stored = row[2] if isinstance(row[2], str) else json.dumps(row[2] or {})
        translations = json.loads(stored or "{}")
        if "outcomes" in translations.get("ur", {}):
            del translations["ur"]["outcomes"]
            connection.execute(
                text("UPDATE module SET translations = :t WHERE id = :id"),
                {"t": json.dumps(translations), "id": row[1]},
            )
    return str(row[0]), int(row[1]), stored


@pytest.mark.parametrize("variant", [VARIANTS[2]], ids=str)
def test_an_english_outcome_on_an_urdu_page_is_isolated_with_its_full_stop_at_its_end(
    journey: Journey, live_server: LiveServer
) -> None:
    slug, module_id, stored = _module_with_english_outcomes(live_server)
    try:
        trainee = journey.person("trainee")
        journey.login(trainee, mentored_trainee(live_server.engine, 70).trainee_email)
        page = trainee.page
        page.goto(f"/curriculum/modules/{slug}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        section = page.locator("section", has=page.locator("#outcomes-heading"))
        expect(section.locator(".untranslated-note")).to_have_count(1)
        # The list stays right-to-left (bullets at the right); each English outcome is
        # isolated in a <bdi lang="en">, so the sentence runs left to right and its
        # full stop is drawn after (to the right of) its first letter, not ".Explain…"
        outcome = section.locator("li bdi").filter(has_text=".").first
        expect(outcome).to_have_attribute("lang", "en")
        assert outcome.evaluate("el => el.tagName") == "BDI"
        edges = outcome.evaluate(EDGES)
        if edges["lines"] == 1:
            assert edges["stop"] > edges["first"], edges
        journey.check(trainee, "module-with-english-outcomes")
    finally:
        with live_server.engine.begin() as connection:
            connection.execute(
                text("UPDATE module SET translations = :t WHERE id = :id"),
                {"t": stored, "id": module_id},
            )
