"""Sessions, on top of tests/accounts/test_login.py (which proves cookie flags for the
session cookie, logout on the server, a planted cookie being useless, expiry and login
throttling): the session id rotates on every login and on a password change, never
travels in a URL, and the CSRF token is bound to the session it was issued for."""

from __future__ import annotations

import re

from sqlmodel import select

from iil_lms.accounts import service
from iil_lms.accounts.models import UserSession
from tests.conftest import PASSWORD


def _session_cookie(response) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith("iil_session="))


def test_logging_in_again_rotates_the_session_and_ends_the_old_one(client, make_client, factory):
    user = factory.user()
    client.login(user.email)
    first = client.cookies["iil_session"]
    token = client.csrf("/account")
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    second = client.cookies["iil_session"]
    assert second != first
    old = make_client()
    old.cookies.set("iil_session", first)
    assert old.get("/account", follow_redirects=False).status_code == 303


def test_password_reset_ends_every_session_and_starts_a_new_one(
    client, make_client, factory, session, settings
):
    user = factory.user()
    laptop = make_client()
    laptop.login(user.email)
    stolen = laptop.cookies["iil_session"]
    link = service.issue_token(session, settings, user, "reset")
    session.commit()
    token = client.csrf(f"/password/reset/{link}")
    new_password = "a-brand-new-long-password"
    response = client.post(
        f"/password/reset/{link}",
        data={"password": new_password, "confirm": new_password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    fresh = client.cookies["iil_session"]
    assert fresh != stolen
    assert "HttpOnly" in _session_cookie(response)
    assert laptop.get("/account", follow_redirects=False).status_code == 303
    assert client.get("/account").status_code == 200
    stored = set(session.exec(select(UserSession.token_hash)))
    assert stored == {service.hash_token(fresh)}


def test_session_token_never_appears_in_a_url_or_a_page(client, factory):
    made = factory.cohort(trainees=1)
    trainer = made.trainers[0]
    response = client.login(trainer.email)
    token = client.cookies["iil_session"]
    assert token not in response.headers["location"]
    page = client.get("/", follow_redirects=True)
    for visited in [*page.history, page]:
        assert token not in str(visited.url)
        assert token not in visited.headers.get("location", "")
    assert token not in page.text
    assert token not in client.get("/account").text


def test_login_form_posts_credentials_in_the_body_never_the_query(client):
    page = client.get("/login").text
    forms = re.findall(r"<form[^>]*>", page)
    login_form = next(f for f in forms if 'action="/login"' in f)
    assert 'method="post"' in login_form.lower()


def test_anonymous_cookie_is_httponly_and_samesite(client):
    response = client.get("/login")
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("iil_anon="))
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()


def test_logout_tells_the_browser_to_drop_the_cookie(client, factory):
    user = factory.user()
    client.login(user.email)
    response = client.post_form("/logout")
    cleared = _session_cookie(response)
    assert "Max-Age=0" in cleared or "expires=Thu, 01 Jan 1970" in cleared
    assert "iil_session" not in client.cookies


def test_the_anonymous_csrf_token_stops_working_after_login(client, factory):
    user = factory.user()
    anonymous_token = client.csrf("/login")
    client.login(user.email)
    response = client.post(
        "/account/language",
        data={"language": "ur", "csrf_token": anonymous_token},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_session_lifetime_is_bounded(client, factory, settings):
    user = factory.user()
    response = client.login(user.email)
    max_age = int(re.search(r"Max-Age=(\d+)", _session_cookie(response)).group(1))
    assert 0 < max_age <= settings.session_days * 86400 <= 31 * 86400
