"""The site admin's pages and a cohort's staff page through HTTP: forms, their error
messages, the logo, archiving, and an invited trainer landing on their cohort."""

from __future__ import annotations

import pytest
from sqlmodel import select

from iil_lms.cohorts.models import Academy, Cohort, Membership
from iil_lms.curriculum.new_cohorts import curriculum_choices
from iil_lms.notifications.models import OutboxMessage
from tests.cohorts.test_admin_service import png_bytes
from tests.curriculum.helpers import load_mini
from tests.query_count import count_queries, selects


@pytest.fixture
def admin_client(client, factory):
    factory.user(email="root@example.test", name="Root", is_admin=True)
    client.login("root@example.test")
    return client


ACADEMY = {
    "name": "Nepal Administrative Staff College",
    "short_name": "NASC",
    "country": "Nepal",
    "timezone": "Asia/Kathmandu",
    "languages": ["ne"],
    "contact_address": "Jawalakhel, Lalitpur",
}


def _create_academy(client, **changes) -> object:
    data = dict(ACADEMY) | changes
    logo = data.pop("logo", None)
    files = {"logo": ("logo.jpg", logo, "image/jpeg")} if logo else None
    data["csrf_token"] = client.csrf("/admin/academies/new")
    return client.post("/admin/academies", data=data, files=files, follow_redirects=False)


def test_a_new_admin_lands_on_the_admin_home_with_a_link_to_create_an_academy(admin_client):
    page = admin_client.get("/")
    assert page.url.path == "/admin"
    assert "No academy yet" in page.text
    assert 'href="/admin/academies/new"' in page.text
    assert 'href="/admin"' in page.text  # the menu's Administration link


def test_the_admin_pages_are_not_found_for_staff(client, factory):
    made = factory.cohort()
    client.login(made.trainers[0].email)
    assert client.get("/admin").status_code == 404
    assert client.get("/admin/academies/new").status_code == 404


def test_an_academy_is_created_with_its_logo_and_shown_on_the_admin_home(admin_client, session):
    response = _create_academy(admin_client, logo=png_bytes((900, 300), "JPEG"))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/cohorts/new?academy_id=")
    academy = session.exec(select(Academy)).one()
    assert academy.offered_languages == ["en", "ne"]
    home = admin_client.get("/admin")
    assert "Nepal Administrative Staff College" in home.text
    assert f'src="/academies/{academy.id}/logo"' in home.text
    logo = admin_client.get(f"/academies/{academy.id}/logo")
    assert logo.status_code == 200 and logo.headers["content-type"] == "image/png"
    assert logo.content.startswith(b"\x89PNG")


def test_a_bad_time_zone_and_a_fake_logo_are_named_on_the_form(admin_client, session):
    response = _create_academy(admin_client, timezone="Nepal/Kathmandu", logo=b"<svg></svg>")
    assert response.status_code == 400
    assert "Enter a time zone from the IANA list" in response.text
    assert "Upload the logo as a PNG, JPEG or WebP image." in response.text
    assert 'value="Nepal Administrative Staff College"' in response.text  # kept
    session.rollback()
    assert session.exec(select(Academy)).first() is None


def test_an_academy_is_edited(admin_client, session):
    _create_academy(admin_client)
    academy = session.exec(select(Academy)).one()
    page = admin_client.get(f"/admin/academies/{academy.id}")
    assert 'value="NASC"' in page.text
    data = dict(ACADEMY) | {"name": "NASC Lalitpur", "languages": ["ne", "ur"]}
    response = admin_client.post_form(f"/admin/academies/{academy.id}", data, token_from="/admin")
    assert response.status_code == 303
    session.rollback()  # end the test's read snapshot: see what the app wrote
    session.refresh(academy)
    assert academy.name == "NASC Lalitpur"
    assert academy.offered_languages == ["en", "ur", "ne"]
    assert admin_client.get("/admin/academies/999").status_code == 404


def _cohort_data(session, academy: int, **changes) -> dict:
    load_mini(session)
    data = {
        "academy_id": str(academy),
        "name": "Kathmandu 2027",
        "starts_on": "2027-01-11",
        "ends_on": "2027-12-10",
        "curriculum_id": str(curriculum_choices(session)[0].id),
        "timeframe": "quarterly-convenings",
        "second_language": "ne",
    }
    return data | changes


def test_a_cohort_is_created_and_the_admin_is_sent_to_invite_its_trainers(admin_client, session):
    _create_academy(admin_client)
    academy = session.exec(select(Academy)).one()
    data = _cohort_data(session, academy.id)
    form = admin_client.get(f"/admin/cohorts/new?academy_id={academy.id}")
    assert "Quarterly convenings" in form.text
    response = admin_client.post_form("/admin/cohorts", data, token_from="/admin")
    assert response.status_code == 303
    session.rollback()
    cohort = session.exec(select(Cohort)).one()
    assert response.headers["location"] == f"/cohorts/{cohort.id}/staff"
    staff_page = admin_client.get(response.headers["location"])
    assert "Cohort created with its plan" in staff_page.text
    assert "Invite the cohort's first trainer" in staff_page.text
    home = admin_client.get("/admin")
    assert "Kathmandu 2027" in home.text and "Not started" in home.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": "2027-01-01"}, "The last day must come after the first day."),
        ({"starts_on": "11/01/2027"}, "Enter the first day as a date"),
        ({"second_language": "ur"}, "Choose a language the academy offers."),
        ({"name": ""}, "Enter the cohort&#39;s name."),
        ({"academy_id": ""}, "Choose the academy."),
    ],
)
def test_a_bad_cohort_form_is_answered_with_the_reason(admin_client, session, changes, message):
    _create_academy(admin_client)
    academy = session.exec(select(Academy)).one()
    data = _cohort_data(session, academy.id, **changes)
    response = admin_client.post_form("/admin/cohorts", data, token_from="/admin")
    assert response.status_code == 400
    assert message in response.text
    session.rollback()
    assert session.exec(select(Cohort)).first() is None


def test_a_trainer_invites_staff_and_the_invited_trainer_lands_on_the_cohort(
    client, make_client, factory, session
):
    made = factory.cohort(trainees=1, mentors=0, trainers=1, organisers=0)
    cohort_id = made.cohort.id
    client.login(made.trainers[0].email)
    response = client.post_form(
        f"/cohorts/{cohort_id}/staff",
        {"email": "new.trainer@example.test", "name": "Bina Thapa", "role": "trainer"},
        token_from=f"/cohorts/{cohort_id}/staff",
    )
    assert response.status_code == 303
    page = client.get(f"/cohorts/{cohort_id}/staff")
    assert "new.trainer@example.test is invited" in page.text
    assert "Bina Thapa" in page.text and "(invited)" in page.text
    session.rollback()
    link = session.exec(
        select(OutboxMessage.link).where(OutboxMessage.to_address == "new.trainer@example.test")
    ).one()
    newcomer = make_client()
    token = newcomer.csrf(link)
    response = newcomer.post(
        link,
        data={"password": "a-long-password-1", "confirm": "a-long-password-1", "csrf_token": token},
    )
    assert response.status_code == 200
    assert response.url.path == f"/cohorts/{cohort_id}"
    assert f'href="/cohorts/{cohort_id}/staff"' in response.text


def test_an_invitation_with_a_bad_email_is_refused_with_the_field(client, factory):
    made = factory.cohort(trainees=0, mentors=0, trainers=1, organisers=0)
    client.login(made.trainers[0].email)
    response = client.post_form(
        f"/cohorts/{made.cohort.id}/staff",
        {"email": "nobody", "name": "N", "role": "mentor"},
        token_from=f"/cohorts/{made.cohort.id}/staff",
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in response.text
    assert 'value="nobody"' in response.text


def test_removing_the_last_trainer_says_why_it_is_refused(client, factory, session):
    made = factory.cohort(trainees=0, mentors=0, trainers=1, organisers=0)
    membership = made.memberships[(made.trainers[0].id, "trainer")]
    client.login(made.trainers[0].email)
    response = client.post_form(
        f"/cohorts/{made.cohort.id}/staff/{membership.id}/remove",
        token_from=f"/cohorts/{made.cohort.id}/staff",
    )
    assert response.status_code == 400
    assert "This is the cohort&#39;s only trainer" in response.text
    session.rollback()
    assert session.get(Membership, membership.id) is not None


def test_changing_a_role_and_removing_staff(client, factory, session):
    made = factory.cohort(trainees=0, mentors=1, trainers=1, organisers=1)
    organiser = made.memberships[(made.organisers[0].id, "organiser")]
    mentor_id = made.memberships[(made.mentors[0].id, "mentor")].id
    client.login(made.trainers[0].email)
    staff_url = f"/cohorts/{made.cohort.id}/staff"
    changed = client.post_form(
        f"{staff_url}/{organiser.id}", {"role": "trainer"}, token_from=staff_url
    )
    assert changed.status_code == 303
    session.rollback()
    session.refresh(organiser)
    assert organiser.role == "trainer"
    removed = client.post_form(f"{staff_url}/{mentor_id}/remove", token_from=staff_url)
    assert removed.status_code == 303
    session.rollback()
    assert session.get(Membership, mentor_id) is None
    trainee_made = factory.cohort(trainees=1, mentors=0, trainers=0, organisers=0)
    other = trainee_made.memberships[(trainee_made.trainees[0].id, "trainee")]
    foreign = client.post_form(f"{staff_url}/{other.id}/remove", token_from=staff_url)
    assert foreign.status_code == 404


def test_an_archived_cohort_is_read_only_and_leaves_its_members_lists(
    admin_client, make_client, factory, session
):
    made = factory.cohort(trainees=1, mentors=0, trainers=1, organisers=0)
    cohort_id = made.cohort.id
    archived = admin_client.post_form(f"/admin/cohorts/{cohort_id}/archive", token_from="/admin")
    assert archived.status_code == 303
    home = admin_client.get("/admin")
    assert "1 archived cohort" in home.text

    trainer = make_client()
    trainer.login(made.trainers[0].email)
    staff_url = f"/cohorts/{cohort_id}/staff"
    page = trainer.get(staff_url)
    assert page.status_code == 200 and "This cohort is archived" in page.text
    refused = trainer.post_form(
        staff_url, {"email": "a@example.test", "name": "A", "role": "mentor"}, token_from=staff_url
    )
    assert refused.status_code == 409
    assert "An archived cohort can be read but not changed" in refused.text
    # out of the day-to-day lists: the trainer's home no longer goes to it
    assert trainer.get("/", follow_redirects=False).headers["location"] == "/account"
    trainee = make_client()
    trainee.login(made.trainees[0].email)
    assert trainee.get("/journey").status_code == 403  # no trainee seat in a cohort in use
    # the admin brings it back
    back = admin_client.post_form(f"/admin/cohorts/{cohort_id}/unarchive", token_from="/admin")
    assert back.status_code == 303
    assert trainer.get("/", follow_redirects=False).headers["location"] == f"/cohorts/{cohort_id}"


def test_the_academy_showcase_shows_its_logo_and_contact_address(
    admin_client, make_client, session
):
    _create_academy(admin_client, logo=png_bytes((300, 300), "PNG"))
    session.rollback()
    academy = session.exec(select(Academy)).one()
    visitor = make_client()
    page = visitor.get(f"/showcase/{academy.slug}")
    assert page.status_code == 200
    assert f'src="/academies/{academy.id}/logo"' in page.text
    assert "Jawalakhel, Lalitpur" in page.text
    assert visitor.get(f"/academies/{academy.id}/logo").status_code == 200


def test_the_admin_home_and_staff_page_cost_the_same_queries_for_one_cohort_or_many(
    admin_client, factory, engine
):
    cohort = factory.cohort(trainees=2, mentors=1, trainers=1, organisers=1).cohort
    counts = []
    for _round in range(2):
        with count_queries(engine) as statements:
            assert admin_client.get("/admin").status_code == 200
            assert admin_client.get(f"/cohorts/{cohort.id}/staff").status_code == 200
        counts.append(len(selects(statements)))
        for _more in range(3):
            cohort = factory.cohort(trainees=4, mentors=3, trainers=2, organisers=2).cohort
    assert counts[0] == counts[1]
