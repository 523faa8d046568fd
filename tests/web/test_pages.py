from __future__ import annotations

import re

import pytest
from fastapi import APIRouter
from sqlalchemy import create_engine

from iil_lms.app import create_app


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, factory, session):
    user = factory.user()
    client.login(user.email)
    response = client.post("/account/language", data={"language": "ur"})
    assert response.status_code == 403
    assert "came from another site" in response.text
    session.refresh(user)
    assert user.language == "en"


def test_post_with_a_token_from_another_session_is_refused(client, make_client, factory):
    a, b = factory.user(), factory.user()
    client.login(a.email)
    other = make_client()
    other.login(b.email)
    foreign_token = other.csrf("/account")
    response = client.post(
        "/account/language", data={"language": "ur", "csrf_token": foreign_token}
    )
    assert response.status_code == 403


def test_htmx_header_token_is_accepted(client, factory, session):
    user = factory.user()
    client.login(user.email)
    token = client.csrf("/account")
    response = client.post(
        "/account/language",
        data={"language": "ne"},
        headers={"X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.refresh(user)
    assert user.language == "ne"


def test_login_form_itself_needs_the_token(client, factory):
    user = factory.user()
    client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": "x"})
    assert response.status_code == 403


def test_base_layout_sets_the_csrf_header_for_htmx(client, factory):
    user = factory.user()
    client.login(user.email)
    page = client.get("/account").text
    assert 'hx-headers=\'{"X-CSRF-Token": ' in page


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_broken_database_with_503(settings, tmp_path):
    broken = create_engine(f"sqlite:///{tmp_path}/missing-dir/nope/db.sqlite3")
    from fastapi.testclient import TestClient

    with TestClient(create_app(settings, broken)) as c:
        response = c.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"].startswith("unavailable")


def test_unknown_page_is_a_styled_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text and "<html" in response.text


def test_server_error_is_a_styled_500_with_a_reference_and_no_traceback(settings, engine, caplog):
    from fastapi.testclient import TestClient

    app = create_app(settings, engine)
    boom = APIRouter()

    @boom.get("/boom")
    def explode() -> None:
        raise RuntimeError("secret internals")

    app.include_router(boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text
    request_id = response.text.split("this reference: ")[1].split("<")[0].strip()
    assert len(request_id) == 12
    assert any(request_id in r.getMessage() for r in caplog.records)


def test_security_headers_are_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize(
    ("header", "lang", "direction"),
    [
        ("ur", "ur", "rtl"),
        ("ne-NP,en;q=0.5", "ne", "ltr"),
        ("fr, en;q=0.1", "en", "ltr"),
        (None, "en", "ltr"),
    ],
)
def test_login_page_language_follows_the_browser(client, header, lang, direction):
    headers = {"Accept-Language": header} if header else {}
    page = client.get("/login", headers=headers).text
    assert f'<html lang="{lang}" dir="{direction}">' in page


def test_users_language_wins_over_the_browser(client, factory):
    user = factory.user(language="ur")
    client.login(user.email)
    page = client.get("/account", headers={"Accept-Language": "en"}).text
    assert '<html lang="ur" dir="rtl">' in page


def test_language_switcher_on_the_login_page_sticks(client):
    token = client.csrf("/login")
    client.post(
        "/language",
        data={"language": "ne", "csrf_token": token},
        headers={"Referer": "http://testserver/login"},
    )
    assert '<html lang="ne"' in client.get("/login").text


def test_trainer_sees_the_cohort_page_with_its_people_counted(client, factory):
    made = factory.cohort(trainees=3, mentors=2, circles=1)
    client.login(made.trainers[0].email)
    page = client.get(f"/cohorts/{made.cohort.id}")
    assert page.status_code == 200
    cards = dict(re.findall(r'<h2>(\w+)</h2><p class="big-number">([\d,]+)</p>', page.text))
    assert cards == {"Trainees": "3", "Mentors": "2", "Trainers": "1", "Organisers": "1"}
    circle = made.circles[0]
    assert re.search(rf'<th scope="row">{re.escape(circle.name)}</th><td>3</td>', page.text)


def test_trainee_may_not_open_the_cohort_management_page(client, factory):
    made = factory.cohort()
    client.login(made.trainees[0].email)
    assert client.get(f"/cohorts/{made.cohort.id}").status_code == 403


def test_trainer_of_another_cohort_gets_404(client, factory):
    mine, theirs = factory.cohort(), factory.cohort()
    client.login(mine.trainers[0].email)
    assert client.get(f"/cohorts/{theirs.cohort.id}").status_code == 404


def test_site_admin_can_open_any_cohort(client, factory):
    made = factory.cohort()
    admin = factory.user(is_admin=True)
    client.login(admin.email)
    assert client.get(f"/cohorts/{made.cohort.id}").status_code == 200


def test_header_shows_cohort_and_role(client, factory):
    made = factory.cohort(name="Lahore CTP")
    client.login(made.mentors[0].email)
    page = client.get("/account").text
    assert "Lahore CTP" in page and "Mentor" in page


def test_switching_cohort_changes_the_home_page(client, factory, session):
    a, b = factory.cohort(name="First"), factory.cohort(name="Second")
    from iil_lms.cohorts.models import Membership

    person = a.trainers[0]
    session.add(Membership(cohort_id=b.cohort.id, user_id=person.id, role="trainer"))
    session.commit()
    client.login(person.email)
    client.post_form("/cohorts/switch", {"cohort_id": b.cohort.id})
    assert client.get("/", follow_redirects=False).headers["location"] == f"/cohorts/{b.cohort.id}"
    refused = client.post_form("/cohorts/switch", {"cohort_id": 999999})
    assert refused.status_code == 404
