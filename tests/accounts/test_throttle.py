"""Guessing passwords is slowed down, not turned into a lockout of the owner: a device
the owner used before signs in whatever strangers try, a new device waits seconds (and
is told how many), the owner is emailed once with a link that lets a device in, and
password reset emails are limited per account and per address without the page saying
so."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from iil_lms.accounts import service, throttle
from iil_lms.accounts.models import LoginFailure, User
from iil_lms.db import utcnow
from iil_lms.notifications.models import OutboxMessage
from tests.conftest import PASSWORD, WebClient

ATTACKERS = [f"203.0.113.{i}" for i in range(1, 6)]
OWNER_ADDRESS = "198.51.100.7"


@pytest.fixture
def client_at(app: Any) -> Iterator[Any]:
    """A browser at a given network address (each with its own cookies)."""
    clients: list[WebClient] = []

    def make(address: str) -> WebClient:
        c = WebClient(app, base_url="http://testserver", client=(address, 50000))
        c.__enter__()
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def _try_login(c: WebClient, email: str, password: str) -> Any:
    return c.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": c.csrf()},
        follow_redirects=False,
    )


def _guess_from_five_addresses(client_at: Any, email: str) -> None:
    for address in ATTACKERS:
        assert _try_login(client_at(address), email, "guess-guess-guess").status_code == 401


def _backdate_failures(session: Session, seconds: int) -> None:
    for failure in session.exec(select(LoginFailure)):
        failure.at = failure.at - timedelta(seconds=seconds)
        session.add(failure)
    session.commit()


def _without_tokens(text: str) -> str:
    """The page without its CSRF token (each browser has its own)."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', text)
    return text.replace(token.group(1), "TOKEN") if token else text


def _emails_to(session: Session, user: User) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.user_id == user.id)))


# --- the owner gets in ------------------------------------------------------------------


def test_five_guesses_from_five_addresses_do_not_keep_the_admin_out_of_their_own_device(
    client_at, factory
):
    admin = factory.user(is_admin=True)
    laptop = client_at(OWNER_ADDRESS)
    laptop.login(admin.email)
    assert laptop.post_form("/logout").status_code == 303
    _guess_from_five_addresses(client_at, admin.email)
    response = _try_login(laptop, admin.email, PASSWORD)
    assert response.status_code == 303
    assert "iil_session" in laptop.cookies


def test_a_new_device_waits_seconds_not_fifteen_minutes_and_is_told_how_long(
    client_at, factory, session, settings
):
    trainer = factory.cohort().trainers[0]
    _guess_from_five_addresses(client_at, trainer.email)
    new_phone = client_at(OWNER_ADDRESS)
    refused = _try_login(new_phone, trainer.email, PASSWORD)
    assert refused.status_code == 429
    seconds = int(refused.headers["Retry-After"])
    assert 0 < seconds <= settings.login_first_delay_seconds
    assert f"Try again in {seconds} seconds" in refused.text
    _backdate_failures(session, seconds + 1)
    assert _try_login(new_phone, trainer.email, PASSWORD).status_code == 303


def test_owner_is_emailed_once_with_a_link_that_lets_a_new_device_in_at_once(
    client_at, factory, session
):
    trainer = factory.cohort().trainers[0]
    _guess_from_five_addresses(client_at, trainer.email)
    _backdate_failures(session, 31)
    assert _try_login(client_at("203.0.113.99"), trainer.email, "again-again").status_code == 401
    [email] = _emails_to(session, trainer)
    assert email.sent_at is None  # waits in the outbox: no mail is sent during a request
    assert "wrong passwords" in email.body
    match = re.search(r"http://testserver(/login/unlock/[\w-]+)", email.body)
    assert match, email.body
    new_phone = client_at(OWNER_ADDRESS)
    assert _try_login(new_phone, trainer.email, PASSWORD).status_code == 429
    page = new_phone.get(match.group(1))
    assert page.status_code == 200 and trainer.email in page.text
    unlocked = new_phone.post(
        match.group(1), data={"csrf_token": new_phone.csrf()}, follow_redirects=False
    )
    assert unlocked.status_code == 303
    assert _try_login(new_phone, trainer.email, "wrong-on-the-phone").status_code == 401
    assert _try_login(new_phone, trainer.email, PASSWORD).status_code == 303
    # The link works once.
    again = client_at("198.51.100.8")
    assert again.post(match.group(1), data={"csrf_token": again.csrf()}).status_code == 410


def test_a_guessing_address_is_slowed_down_even_with_the_right_password(
    client_at, factory, settings
):
    user = factory.user()
    guesser = client_at(ATTACKERS[0])
    for _ in range(settings.login_max_failures_per_account):
        _try_login(guesser, user.email, "guess-guess-guess")
    response = _try_login(guesser, user.email, PASSWORD)
    assert response.status_code == 429 and "Try again in" in response.text


def test_throttled_answer_does_not_reveal_whether_the_account_exists(client_at, factory, session):
    user = factory.user()
    answers = {}
    for email in (user.email, "nobody-here@example.test"):
        _guess_from_five_addresses(client_at, email)
        response = _try_login(client_at(OWNER_ADDRESS), email, "one-more-try")
        answers[email] = (
            response.status_code,
            response.headers.get("Retry-After"),
            _without_tokens(response.text).replace(email, "EMAIL"),
        )
    assert answers[user.email] == answers["nobody-here@example.test"]
    emails = list(session.exec(select(OutboxMessage)))
    assert [e.user_id for e in emails] == [user.id]


def test_the_device_a_password_is_reset_on_is_known_afterwards(
    client_at, factory, session, settings
):
    user = factory.user()
    _guess_from_five_addresses(client_at, user.email)
    token = service.issue_token(session, settings, user, "reset")
    session.commit()
    phone = client_at(OWNER_ADDRESS)
    new_password = "a-brand-new-password"
    response = phone.post(
        f"/password/reset/{token}",
        data={"password": new_password, "confirm": new_password, "csrf_token": phone.csrf()},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert phone.post_form("/logout").status_code == 303
    assert _try_login(phone, user.email, new_password).status_code == 303


# --- the rules, in the service ----------------------------------------------------------


def test_each_further_failure_doubles_the_wait_up_to_the_longest(session, settings, factory):
    settings.login_window_minutes = 24 * 60
    user = factory.user()
    waits: list[int] = []
    while len(waits) < 7:
        result = service.authenticate(
            session, settings, email=user.email, password="nope", address="a"
        )
        if result.throttled:
            waits.append(result.retry_after)
            _backdate_failures(session, result.retry_after + 1)
    assert waits == [30, 60, 120, 240, 480, 900, 900]


def test_a_known_device_skips_only_the_wait_for_the_account(session, settings, factory):
    user = factory.user()
    device = throttle.device_cookie_with(settings, None, user)
    for _ in range(settings.login_max_failures_per_account):  # the owner mistyping at home
        service.authenticate(
            session, settings, email=user.email, password="x", address="home", device=device
        )
    stranger = service.authenticate(
        session, settings, email=user.email, password=PASSWORD, address="elsewhere"
    )
    known = service.authenticate(
        session, settings, email=user.email, password=PASSWORD, address="elsewhere", device=device
    )
    known_but_home = service.authenticate(
        session, settings, email=user.email, password=PASSWORD, address="home", device=device
    )
    assert stranger.throttled and stranger.scope == "account"
    assert known.user is not None
    assert known_but_home.throttled and known_but_home.scope == "address"


def test_a_forged_or_foreign_device_cookie_is_not_known(settings, factory):
    user, other = factory.user(), factory.user()
    theirs = throttle.device_cookie_with(settings, None, other)
    assert not throttle.device_knows(settings, theirs.replace(f"{other.id}.", f"{user.id}."), user)
    assert not throttle.device_knows(settings, f"{user.id}.{'0' * 32}", user)
    assert not throttle.device_knows(settings, "garbage~~.~1.", user)
    both = throttle.device_cookie_with(settings, theirs, user)
    assert throttle.device_knows(settings, both, user)
    assert throttle.device_knows(settings, both, other)


def test_a_new_password_forgets_every_known_device(session, settings, factory):
    user = factory.user()
    device = throttle.device_cookie_with(settings, None, user)
    service.set_password(session, user, "a-brand-new-password")
    assert not throttle.device_knows(settings, device, user)


# --- password reset emails --------------------------------------------------------------


def test_thirty_reset_requests_send_at_most_the_limit_of_emails(client_at, factory, session):
    user = factory.user()
    pages = set()
    for i in range(30):
        c = client_at(f"203.0.113.{i + 10}")
        response = c.post(
            "/password/forgot", data={"email": user.email, "csrf_token": c.csrf("/password/forgot")}
        )
        assert response.status_code == 200
        pages.add(_without_tokens(response.text))
    assert len(pages) == 1  # the page answers the same when the limit is reached
    emails = _emails_to(session, user)
    assert len(emails) == 3
    assert all("/password/reset/" in e.body and e.sent_at is None for e in emails)


def test_one_address_asking_for_many_accounts_is_limited_too(client_at, factory, session, settings):
    users = [factory.user() for _ in range(settings.reset_requests_per_address + 2)]
    c = client_at(ATTACKERS[0])
    for user in users:
        c.post(
            "/password/forgot", data={"email": user.email, "csrf_token": c.csrf("/password/forgot")}
        )
    sent = session.exec(select(OutboxMessage.user_id).where(col(OutboxMessage.user_id).isnot(None)))
    assert len(list(sent)) == settings.reset_requests_per_address


def test_reset_page_answers_the_same_for_an_unknown_email(client, factory, session):
    user = factory.user()
    token = client.csrf("/password/forgot")
    known = client.post("/password/forgot", data={"email": user.email, "csrf_token": token})
    unknown = client.post(
        "/password/forgot", data={"email": "nobody-here@example.test", "csrf_token": token}
    )
    assert (known.status_code, known.text) == (unknown.status_code, unknown.text)
    assert len(list(session.exec(select(OutboxMessage)))) == 1


def test_reset_requests_age_out_after_the_window(session, settings, factory):
    user = factory.user()
    allowed = [
        throttle.reset_email_allowed(session, settings, email=user.email, address=f"10.0.0.{i}")
        for i in range(4)
    ]
    assert allowed == [True, True, True, False]
    from iil_lms.accounts.models import ResetRequest

    for row in session.exec(select(ResetRequest)):
        row.at = utcnow() - timedelta(minutes=settings.reset_window_minutes + 1)
        session.add(row)
    session.flush()
    assert throttle.reset_email_allowed(session, settings, email=user.email, address="10.0.0.9")
