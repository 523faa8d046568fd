from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from iil_lms.accounts import service
from iil_lms.accounts.models import AuthToken, UserSession
from iil_lms.db import utcnow
from tests.conftest import PASSWORD


def test_trainee_signs_in_and_lands_on_their_home(client, factory):
    made = factory.cohort(trainees=1)
    response = client.login(made.trainees[0].email)
    assert response.headers["location"] == "/"
    assert client.get("/", follow_redirects=False).headers["location"] == "/journey"


def test_trainer_lands_on_their_cohort_page(client, factory):
    made = factory.cohort()
    client.login(made.trainers[0].email)
    home = client.get("/")
    assert home.status_code == 200
    assert made.cohort.name in home.text


def test_wrong_password_and_unknown_email_get_the_same_message(client, factory):
    user = factory.user()
    token = client.csrf()
    wrong = client.post(
        "/login", data={"email": user.email, "password": "nope-nope-nope", "csrf_token": token}
    )
    unknown = client.post(
        "/login",
        data={"email": "nobody@example.test", "password": "nope-nope-nope", "csrf_token": token},
    )
    assert wrong.status_code == unknown.status_code == 401
    message = "That email and password do not match an account."
    assert message in wrong.text and message in unknown.text
    assert "iil_session" not in client.cookies


def test_login_is_throttled_per_account_even_with_the_right_password(client, factory, settings):
    user = factory.user()
    token = client.csrf()
    for _ in range(settings.login_max_failures_per_account):
        client.post(
            "/login", data={"email": user.email, "password": "wrong-password", "csrf_token": token}
        )
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text


def test_login_is_throttled_per_address_across_accounts(session, settings, factory):
    target = factory.user()
    for i in range(settings.login_max_failures_per_address):
        service.authenticate(
            session, settings, email=f"guess{i}@example.test", password="x", address="203.0.113.9"
        )
    blocked = service.authenticate(
        session, settings, email=target.email, password=PASSWORD, address="203.0.113.9"
    )
    allowed = service.authenticate(
        session, settings, email=target.email, password=PASSWORD, address="198.51.100.1"
    )
    assert blocked.throttled and blocked.user is None
    assert allowed.user is not None and allowed.user.id == target.id


def test_old_failures_stop_counting_after_the_window(session, settings, factory):
    user = factory.user()
    for _ in range(settings.login_max_failures_per_account):
        service.authenticate(session, settings, email=user.email, password="x", address="a")
    from iil_lms.accounts.models import LoginFailure

    for failure in session.exec(select(LoginFailure)):
        failure.at = utcnow() - timedelta(minutes=settings.login_window_minutes + 1)
        session.add(failure)
    session.flush()
    result = service.authenticate(
        session, settings, email=user.email, password=PASSWORD, address="a"
    )
    assert result.user is not None


def test_session_cookie_is_httponly_and_samesite_lax(client, factory):
    user = factory.user()
    response = client.login(user.email)
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("iil_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie


def test_session_cookie_is_secure_over_https(app, factory):
    from tests.conftest import WebClient

    user = factory.user()
    with WebClient(app, base_url="https://testserver") as secure_client:
        response = secure_client.login(user.email)
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("iil_session=")
    )
    assert "Secure" in cookie


def test_logout_invalidates_the_session_on_the_server(client, make_client, factory):
    user = factory.user()
    client.login(user.email)
    stolen = client.cookies["iil_session"]
    assert client.post_form("/logout").status_code == 303
    thief = make_client()
    thief.cookies.set("iil_session", stolen)
    assert thief.get("/account", follow_redirects=False).status_code == 303


def test_login_issues_a_new_session_token_so_a_planted_one_is_useless(client, factory, session):
    user = factory.user()
    client.cookies.set("iil_session", "planted-by-attacker", domain="testserver.local")
    client.login(user.email)
    assert client.cookies["iil_session"] != "planted-by-attacker"
    hashes = set(session.exec(select(UserSession.token_hash)))
    assert service.hash_token("planted-by-attacker") not in hashes


def test_signed_out_visitor_is_sent_to_login_with_the_page_to_return_to(client):
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"


def test_login_returns_to_the_requested_page_but_never_off_site(client, factory):
    user = factory.user()
    token = client.csrf()
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_expired_session_is_treated_as_signed_out(client, factory, session):
    user = factory.user()
    client.login(user.email)
    for row in session.exec(select(UserSession)):
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    session.commit()
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_tokens_are_stored_only_as_hashes(session, settings, factory):
    user = factory.user()
    token = service.issue_token(session, settings, user, "invite")
    stored = session.exec(select(AuthToken)).one()
    assert stored.token_hash != token and len(stored.token_hash) == 64
