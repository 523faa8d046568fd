from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from iil_lms.accounts import service
from iil_lms.accounts.models import AuthToken, User, UserSession
from iil_lms.db import utcnow


def _invite(session, settings, **kw):
    user = service.create_user(
        session, email="new.trainee@example.test", display_name="New Trainee", **kw
    )
    token = service.issue_token(session, settings, user, "invite")
    session.commit()
    return user, token


def test_invitation_link_lets_a_new_user_set_a_password_and_sign_in(client, session, settings):
    user, token = _invite(session, settings)
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200 and "Welcome, New Trainee" in page.text
    response = client.post(
        f"/invite/{token}",
        data={
            "password": "a-long-password",
            "confirm": "a-long-password",
            "csrf_token": client.csrf(f"/invite/{token}"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    fresh = client.__class__(client.app, base_url="http://testserver")
    assert fresh.login(user.email, "a-long-password").status_code == 303


def test_invitation_link_works_only_once(client, session, settings):
    _user, token = _invite(session, settings)
    csrf = client.csrf(f"/invite/{token}")
    client.post(
        f"/invite/{token}",
        data={"password": "a-long-password", "confirm": "a-long-password", "csrf_token": csrf},
    )
    again = client.get(f"/invite/{token}")
    assert again.status_code == 410
    assert "already been used" in again.text
    assert "Ask for a new link" in again.text


def test_expired_invitation_says_so_and_offers_a_new_link(client, session, settings):
    _user, token = _invite(session, settings)
    row = session.exec(select(AuthToken)).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    session.add(row)
    session.commit()
    page = client.get(f"/invite/{token}")
    assert page.status_code == 410
    assert "expired" in page.text
    assert 'href="/password/forgot"' in page.text


def test_mismatched_or_short_passwords_are_refused_with_a_reason(client, session, settings):
    _user, token = _invite(session, settings)
    csrf = client.csrf(f"/invite/{token}")
    mismatch = client.post(
        f"/invite/{token}",
        data={"password": "a-long-password", "confirm": "another-password", "csrf_token": csrf},
    )
    short = client.post(
        f"/invite/{token}", data={"password": "short", "confirm": "short", "csrf_token": csrf}
    )
    assert mismatch.status_code == 400 and "not the same" in mismatch.text
    assert short.status_code == 400 and "at least 10 characters" in short.text
    assert session.exec(select(AuthToken)).one().used_at is None


def test_forgot_password_answers_the_same_for_known_and_unknown_emails(
    client, factory, session, caplog
):
    user = factory.user()
    csrf = client.csrf("/password/forgot")
    known = client.post("/password/forgot", data={"email": user.email, "csrf_token": csrf})
    unknown = client.post(
        "/password/forgot", data={"email": "nobody@example.test", "csrf_token": csrf}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(csrf, "") == unknown.text.replace(csrf, "")
    assert session.exec(select(AuthToken).where(AuthToken.user_id == user.id)).one()


def test_reset_link_sets_a_new_password_once_and_ends_other_sessions(
    client, make_client, factory, session, settings
):
    user = factory.user()
    other_device = make_client()
    other_device.login(user.email)
    token = service.issue_token(session, settings, user, "reset")
    session.commit()
    csrf = client.csrf(f"/password/reset/{token}")
    response = client.post(
        f"/password/reset/{token}",
        data={
            "password": "brand-new-password",
            "confirm": "brand-new-password",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert other_device.get("/account", follow_redirects=False).status_code == 303
    assert client.get(f"/password/reset/{token}").status_code == 410
    session.expire_all()
    refreshed = session.get(User, user.id)
    assert service.verify_password(refreshed.password_hash, "brand-new-password")
    assert len(session.exec(select(UserSession)).all()) == 1


def test_a_newer_reset_link_replaces_the_older_one(session, settings, factory, client):
    user = factory.user()
    first = service.issue_token(session, settings, user, "reset")
    second = service.issue_token(session, settings, user, "reset")
    session.commit()
    assert client.get(f"/password/reset/{first}").status_code == 410
    assert client.get(f"/password/reset/{second}").status_code == 200


def test_unknown_link_gets_a_clear_page(client):
    page = client.get("/password/reset/not-a-real-token")
    assert page.status_code == 404
    assert "do not recognise this link" in page.text


def test_create_user_refuses_duplicates_and_bad_input(session):
    service.create_user(session, email="Dup@Example.test", display_name="A")
    import pytest

    with pytest.raises(service.AccountError, match="already exists"):
        service.create_user(session, email="dup@example.test", display_name="B")
    with pytest.raises(service.AccountError, match="valid email"):
        service.create_user(session, email="not-an-email", display_name="B")


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_argon2id_at_the_recommended_cost(session):
    # The other tests hash at the lowest cost (tests/conftest.py); this one sees the app's.
    user = service.create_user(
        session, email="h@example.test", display_name="H", password="a-long-password"
    )
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert service.verify_password(user.password_hash, "a-long-password")
    assert not service.verify_password(user.password_hash, "a-wrong-password")
