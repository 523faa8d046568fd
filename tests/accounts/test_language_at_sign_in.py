"""An account that never chose a language keeps the one the person was using at sign-in:
the sign-in page's choice, then the browser's, then the cohort's (issue 17, point 1)."""

from __future__ import annotations

from iil_lms import cli
from iil_lms.accounts import service
from tests.learning.factories import course


def _choose_on_login_page(client, language: str) -> None:
    response = client.post(
        "/language",
        data={"language": language, "csrf_token": client.csrf("/login")},
        headers={"Referer": "http://testserver/login"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_nepali_chosen_on_the_sign_in_page_stays_after_signing_in(client, factory, session):
    made = factory.cohort(trainees=1, language="en")
    trainee = made.trainees[0]
    trainee.language = None  # never chose one
    session.add(trainee)
    session.commit()
    course(session, made.cohort)
    _choose_on_login_page(client, "ne")
    client.login(trainee.email)
    journey = client.get("/journey", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="ne" dir="ltr">' in journey.text
    assert "मेरो यात्रा" in journey.text  # "My journey"
    account = client.get("/account").text
    assert '<html lang="ne" dir="ltr">' in account and "तपाईंको खाता" in account
    assert 'value="ne" checked' in account


def test_without_a_choice_the_browser_language_beats_the_cohorts(client, factory, session):
    made = factory.cohort(trainees=1, language="en")
    trainee = made.trainees[0]
    trainee.language = None
    session.add(trainee)
    session.commit()
    client.login(trainee.email)
    page = client.get("/account", headers={"Accept-Language": "ur-PK,ur;q=0.9"})
    assert '<html lang="ur" dir="rtl">' in page.text
    assert '<html lang="en"' in client.get("/account", headers={"Accept-Language": ""}).text


def test_an_account_made_without_a_language_stores_none(session):
    user = service.create_user(session, email="new@example.test", display_name="New Person")
    session.commit()
    session.refresh(user)
    assert user.language is None


def test_create_user_without_language_option_leaves_it_unchosen():
    args = cli.build_parser().parse_args(["create-user", "--email", "a@b.test", "--name", "A"])
    assert args.language is None
