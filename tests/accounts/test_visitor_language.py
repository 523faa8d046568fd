"""The pages a visitor reaches from the login page or an email link (forgotten password,
reset, invitation) speak the language the visitor chose on the login page, as the login
page does. Found by the axe sweep (tests/browser/test_every_page.py): they were English
whatever the choice."""

from __future__ import annotations

import pytest

from iil_lms.accounts import service
from iil_lms.web.auth import LANG_COOKIE


@pytest.mark.parametrize(("language", "direction"), [("ur", "rtl"), ("ne", "ltr")])
def test_password_and_invitation_pages_follow_the_visitors_language(
    client, session, settings, language, direction
):
    user = service.create_user(
        session, email="visitor.language@example.test", display_name="Visitor Language"
    )
    invite = service.issue_token(session, settings, user, "invite")
    reset = service.issue_token(session, settings, user, "reset")
    session.commit()
    client.cookies.set(LANG_COOKIE, language)
    for path in ("/login", "/password/forgot", f"/password/reset/{reset}", f"/invite/{invite}"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'<html lang="{language}" dir="{direction}"' in page.text, path
