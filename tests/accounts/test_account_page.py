"""The account page: changing one's password (the current one required, other sessions
ended, guessing throttled like a login) and one's name and self-declared profile."""

from __future__ import annotations

from sqlmodel import select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Membership
from tests.conftest import PASSWORD

NEW_PASSWORD = "a-new-long-password"


def _change(client, current: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post_form(
        "/account/password",
        {"current": current, "password": password, "confirm": confirm or password},
    )


def test_wrong_current_password_is_refused_and_the_old_one_still_works(
    client, make_client, factory
):
    user = factory.user()
    client.login(user.email)
    response = _change(client, "not-my-password")
    assert response.status_code == 400
    assert "That is not your current password." in response.text
    assert 'aria-invalid="true"' in response.text
    make_client().login(user.email, PASSWORD)


def test_password_change_ends_other_sessions_and_keeps_this_one(client, make_client, factory):
    user = factory.user()
    client.login(user.email)
    other = make_client()
    other.login(user.email)
    assert other.get("/account").status_code == 200

    response = _change(client, PASSWORD)
    assert response.status_code == 303
    page = client.get("/account")
    assert page.status_code == 200
    assert "Your password is changed" in page.text
    # the other browser is signed out
    assert other.get("/account", follow_redirects=False).headers["location"].startswith("/login")
    # the new password signs in, the old one does not
    make_client().login(user.email, NEW_PASSWORD)
    refused = make_client().post_form(
        "/login", {"email": user.email, "password": PASSWORD}, token_from="/login"
    )
    assert refused.status_code == 401


def test_new_password_must_be_long_enough_and_typed_twice_alike(client, factory):
    user = factory.user()
    client.login(user.email)
    short = _change(client, PASSWORD, "short")
    assert short.status_code == 400 and "Use at least 10 characters." in short.text
    mismatch = _change(client, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert mismatch.status_code == 400
    assert "The two passwords are not the same." in mismatch.text


def test_guessing_the_current_password_is_throttled_like_a_login(client, factory, settings):
    user = factory.user()
    client.login(user.email)
    for _ in range(settings.login_max_failures_per_address):
        _change(client, "wrong-guess-here")
    throttled = _change(client, PASSWORD)
    assert throttled.status_code == 429
    assert "Too many failed attempts" in throttled.text
    assert int(throttled.headers["Retry-After"]) > 0


def test_name_and_self_declared_profile_are_saved(client, factory, session):
    made = factory.cohort(trainees=1)
    trainee = made.trainees[0]
    client.login(trainee.email)
    response = client.post_form(
        "/account/profile",
        {
            "display_name": "  Ayesha Khan ",
            "gender": "Woman",
            "disability": "Low vision",
            "service_group": "PAS",
        },
    )
    assert response.status_code == 303
    page = client.get("/account")
    assert "Your profile is saved." in page.text
    assert 'value="Ayesha Khan"' in page.text and 'value="Woman"' in page.text
    session.expire_all()
    saved = session.get(User, trainee.id)
    assert (saved.display_name, saved.gender, saved.disability, saved.service_group) == (
        "Ayesha Khan",
        "Woman",
        "Low vision",
        "PAS",
    )
    # the cohort's GESI figures read the membership: it says the same
    membership = session.exec(select(Membership).where(Membership.user_id == trainee.id)).one()
    assert (membership.gender, membership.disability) == ("Woman", "Low vision")


def test_profile_refuses_an_empty_name_and_keeps_what_was_typed(client, factory, session):
    user = factory.user(name="Before")
    client.login(user.email)
    response = client.post_form(
        "/account/profile", {"display_name": " ", "gender": "x" * 40, "disability": "None"}
    )
    assert response.status_code == 400
    assert "Enter your name." in response.text
    assert "Use at most 32 characters." in response.text
    assert 'value="None"' in response.text
    session.expire_all()
    assert session.get(User, user.id).display_name == "Before"


def test_the_account_page_shows_each_form_once_and_a_plain_title(client, factory):
    user = factory.user()
    client.login(user.email)
    page = client.get("/account").text
    assert "<title>Your account · Integrity Innovation Lab</title>" in page
    assert page.count('action="/account/profile"') == 1
    assert page.count('action="/account/password"') == 1
