"""Personal API tokens as a person uses them on the account page: made (shown once,
only a hash kept), listed, used, revoked; scoped read or read+write; recorded in the
audit log."""

from __future__ import annotations

import re

from sqlmodel import select

from iil_lms.accounts.models import AuditEntry, User
from iil_lms.api import tokens
from iil_lms.api.models import ApiToken
from tests.api.helpers import bearer, token_for


def _make(client, name="Payroll sync", scope="read"):
    return client.post_form("/account/api-tokens", {"token_name": name, "scope": scope})


def _shown_token(html: str) -> str:
    match = re.search(r'<code dir="ltr" class="api-token">([^<]+)</code>', html)
    assert match, "no new token on the page"
    return match.group(1)


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(client, factory, session):
    user = factory.user()
    client.login(user.email)
    response = _make(client)
    assert response.status_code == 200
    assert "shown only this once" in response.text
    assert response.headers["cache-control"] == "private, no-store"
    token = _shown_token(response.text)
    [row] = session.exec(select(ApiToken)).all()
    assert row.token_hash == tokens.hash_token(token)
    assert token not in (row.token_hash, row.name, row.prefix)
    assert row.scope == "read" and row.name == "Payroll sync"
    # the account page lists it by name and prefix, never the token again
    page = client.get("/account")
    assert "Payroll sync" in page.text and row.prefix in page.text
    assert token not in page.text
    # and it works
    assert client.get("/api/v1/cohorts", headers=bearer(token)).status_code == 200


def test_a_token_needs_a_name_and_a_known_scope(client, factory, session):
    user = factory.user()
    client.login(user.email)
    nameless = _make(client, name="  ")
    assert nameless.status_code == 400
    assert "Give the token a name" in nameless.text
    bad_scope = _make(client, scope="admin")
    assert bad_scope.status_code == 400
    assert "Choose what the token may do." in bad_scope.text
    assert session.exec(select(ApiToken)).all() == []


def test_a_revoked_token_gets_401_and_leaves_the_list(client, factory, session):
    user = factory.user()
    client.login(user.email)
    token = _shown_token(_make(client).text)
    row = session.exec(select(ApiToken)).one()
    revoked = client.post_form(f"/account/api-tokens/{row.id}/revoke")
    assert revoked.status_code == 303
    answer = client.get("/api/v1/cohorts", headers=bearer(token))
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "API token" in answer.json()["detail"]
    assert "Payroll sync" not in client.get("/account").text
    # revoking it again, or someone else's token, is a 404
    assert client.post_form(f"/account/api-tokens/{row.id}/revoke").status_code == 404


def test_nobody_revokes_another_persons_token(client, factory, session):
    owner, other = factory.user(), factory.user()
    token = token_for(session, owner)
    row = session.exec(select(ApiToken)).one()
    client.login(other.email)
    assert client.post_form(f"/account/api-tokens/{row.id}/revoke").status_code == 404
    assert client.get("/api/v1/cohorts", headers=bearer(token)).status_code == 200


def test_making_and_revoking_tokens_is_audited_without_the_token(client, factory, session):
    user = factory.user()
    client.login(user.email)
    token = _shown_token(_make(client, scope="write").text)
    row = session.exec(select(ApiToken)).one()
    client.post_form(f"/account/api-tokens/{row.id}/revoke")
    session.rollback()  # end the test's read transaction: see the app's commits
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.action.startswith("api_token."))  # type: ignore[attr-defined]
    ).all()
    assert [(e.action, e.actor_id) for e in entries] == [
        ("api_token.create", user.id),
        ("api_token.revoke", user.id),
    ]
    assert all(token not in e.before + e.after for e in entries)
    assert '"scope": "write"' in entries[0].after


def test_no_token_a_wrong_one_or_a_session_cookie_gets_401(client, factory, session):
    c = factory.cohort()
    client.login(c.trainers[0].email)  # a session cookie does not sign in to the API
    for headers in ({}, bearer("iil_not-a-token"), {"Authorization": "Basic abc"}):
        answer = client.get("/api/v1/cohorts", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["content-type"] == "application/json"


def test_a_deactivated_persons_token_stops_working(client, factory, session):
    user = factory.user()
    token = token_for(session, user)
    user.is_active = False
    session.add(user)
    session.commit()
    assert client.get("/api/v1/cohorts", headers=bearer(token)).status_code == 401


def test_last_used_is_noted_after_the_answer(client, factory, session):
    user = factory.user()
    token = token_for(session, user)
    row = session.exec(select(ApiToken)).one()
    assert row.last_used_at is None
    assert client.get("/api/v1/cohorts", headers=bearer(token)).status_code == 200
    session.rollback()
    session.refresh(row)
    assert row.last_used_at is not None
    client.login(user.email)
    assert "never" not in client.get("/account").text.split('id="api-tokens"')[1]


def test_a_read_token_cannot_write_and_writes_nothing(client, factory, session):
    c = factory.cohort(trainees=0)
    token = token_for(session, c.trainers[0], scope=tokens.READ)
    answer = client.post(
        f"/api/v1/cohorts/{c.cohort.id}/roster",
        json={"rows": [{"name": "New Person", "email": "new@example.test"}]},
        headers=bearer(token),
    )
    assert answer.status_code == 403
    assert "may only read" in answer.json()["detail"]
    assert (
        client.get(f"/api/v1/cohorts/{c.cohort.id}/roster", headers=bearer(token)).json()[
            "trainees"
        ]
        == []
    )


def test_a_signed_in_browser_cannot_write_through_the_api_without_a_token(client, factory, session):
    c = factory.cohort(trainees=0)
    client.login(c.trainers[0].email)
    csrf = client.csrf("/account")
    for kwargs in (
        {"json": {"rows": [{"name": "Forged", "email": "forged@example.test"}]}},
        {"data": {"csrf_token": csrf, "rows": "x"}},
    ):
        refused = client.post(f"/api/v1/cohorts/{c.cohort.id}/roster", **kwargs)
        assert refused.status_code == 401
    session.rollback()
    assert session.exec(select(User).where(User.email == "forged@example.test")).first() is None
