"""Stored XSS through an API token's name: shown on the account page (the list, the
page that shows the new token, the refused form) as text, never as markup; and the
roster import through the API stores typed text that the roster page shows as text.
Kept apart from test_xss.py, whose world this does not need."""

from __future__ import annotations

from tests.security.html_checks import executable_markup, visible_text
from tests.security.test_xss import SHORT, short
from tests.security.world import build_world, client_for


def test_token_names_are_shown_as_text_on_the_account_page(app, session, settings, engine):
    world = build_world(session, settings, engine)
    who = client_for(app, world, "trainee_a")
    name = short("token")[:80]
    with who.client:
        made = who.client.post(
            "/account/api-tokens",
            data={"token_name": name, "scope": "read", "csrf_token": who.csrf_token},
        )
        assert made.status_code == 200
        page = who.client.get("/account")
        for html in (made.text, page.text):
            assert executable_markup(html) == [], executable_markup(html)
            assert "XSS-token" in visible_text(html)
        refused = who.client.post(
            "/account/api-tokens",
            data={"token_name": "x" * 81 + SHORT, "scope": SHORT, "csrf_token": who.csrf_token},
        )
        assert refused.status_code == 400
        assert executable_markup(refused.text) == []


def test_roster_rows_imported_through_the_api_show_as_text(app, session, settings, engine):
    world = build_world(session, settings, engine)
    who = client_for(app, world, "trainer")
    row = {
        "name": short("api-name")[:120],
        "email": "xss-api@example.test",
        "department": short("api-dept"),
        "district": short("api-district")[:120],
        "circle": short("api-circle")[:120],
    }
    with who.client:
        imported = who.client.post(
            f"/api/v1/cohorts/{world.cohort_a.id}/roster", json={"rows": [row]}
        )
        assert imported.status_code == 200, imported.text
        page = who.client.get(f"/cohorts/{world.cohort_a.id}/roster")
        assert page.status_code == 200
        assert executable_markup(page.text) == [], executable_markup(page.text)
        assert "XSS-api-name" in visible_text(page.text)
