"""The roster pages as a trainer uses them, and who else may see what is on them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlmodel import select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Membership
from tests.cohorts.roster_files import csv_bytes, people, person, xlsx_bytes


@pytest.fixture
def made(factory):
    return factory.cohort(trainees=0, mentors=1, trainers=1, organisers=1, circles=0)


def _upload(client, cohort_id, data, filename):
    token = client.csrf(f"/cohorts/{cohort_id}/roster")
    return client.post(
        f"/cohorts/{cohort_id}/roster/upload",
        data={"csrf_token": token},
        files={"file": (filename, data, "application/octet-stream")},
        follow_redirects=False,
    )


def _import(client, cohort_id, data, filename="roster.xlsx"):
    response = _upload(client, cohort_id, data, filename)
    assert response.status_code == 303, response.text[:800]
    preview_url = response.headers["location"]
    token = client.csrf(preview_url)
    return client.post(preview_url, data={"csrf_token": token}, follow_redirects=False)


def test_a_trainer_sees_the_bad_rows_fixes_the_file_and_imports(client, made, session):
    client.login(made.trainers[0].email)
    cid = made.cohort.id
    rows = people(30)
    rows[4]["email"] = "nobody"
    rows[9]["preferred language"] = "Klingon"
    response = _upload(client, cid, xlsx_bytes(rows), "roster.xlsx")
    assert response.status_code == 303
    preview_url = response.headers["location"]
    page = client.get(preview_url)
    assert "Nothing has been saved" in page.text
    problems = re.findall(r'<tr><th scope="row">(\d+)</th>', page.text.split("Rows in the file")[0])
    assert problems == ["6", "11"]
    # Confirming the broken file anyway writes nothing.
    refused = client.post(
        preview_url, data={"csrf_token": client.csrf(preview_url)}, follow_redirects=False
    )
    assert refused.status_code == 400
    assert session.exec(select(func.count()).select_from(Membership)).one() == 3
    rows[4]["email"] = "trainee5@example.test"
    rows[9]["preferred language"] = "ur"
    done = _import(client, cid, xlsx_bytes(rows))
    assert done.status_code == 303
    roster_page = client.get(f"/cohorts/{cid}/roster")
    assert "30 invited" in roster_page.text
    assert roster_page.text.count("/roster/people/") == 30


def test_a_refused_file_is_a_400_with_the_reason(client, made):
    client.login(made.trainers[0].email)
    response = _upload(client, made.cohort.id, b"\x00\x01binary", "roster.csv")
    assert response.status_code == 400
    assert "not text" in response.text


def test_the_templates_and_export_download(client, made):
    client.login(made.trainers[0].email)
    cid = made.cohort.id
    csv_template = client.get(f"/cohorts/{cid}/roster/template.csv")
    assert csv_template.headers["content-type"].startswith("text/csv")
    assert csv_template.content.startswith(b"\xef\xbb\xbfname,email,department")
    xlsx = client.get(f"/cohorts/{cid}/roster/template.xlsx")
    assert xlsx.content.startswith(b"PK")
    _import(client, cid, csv_bytes(people(2)), "r.csv")
    exported = client.get(f"/cohorts/{cid}/roster/export.csv")
    assert "عائشہ خان 2" in exported.content.decode("utf-8-sig")
    assert client.get(f"/cohorts/{cid}/roster/export.xlsx").content.startswith(b"PK")


def test_editing_withdrawing_and_enrolling_again_through_the_pages(client, made, session):
    from tests.learning.factories import course

    course(session, made.cohort, milestones=1)
    client.login(made.trainers[0].email)
    cid = made.cohort.id
    _import(client, cid, csv_bytes(people(2)), "r.csv")
    membership = session.exec(select(Membership).where(Membership.role == "trainee")).first()
    url = f"/cohorts/{cid}/roster/people/{membership.id}"
    saved = client.post(
        url,
        data={
            "csrf_token": client.csrf(url),
            "circle": "Multan",
            "department": "Police",
            "district": "Multan",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "Police" in client.get(url).text
    too_long = client.post(
        url, data={"csrf_token": client.csrf(url), "district": "x" * 200}, follow_redirects=False
    )
    assert too_long.status_code == 400 and "Too long" in too_long.text
    client.post(f"{url}/withdraw", data={"csrf_token": client.csrf(url)})
    listing = client.get(f"/cohorts/{cid}/roster").text
    assert listing.count("/roster/people/") == 1
    assert client.get(f"/cohorts/{cid}/roster?show=withdrawn").text.count("/roster/people/") == 2
    withdrawn_name = session.get(User, membership.user_id).display_name
    progress = client.get(f"/cohorts/{cid}/progress").text
    assert withdrawn_name not in progress
    shown = client.get(f"/cohorts/{cid}/progress", params={"withdrawn": "show"}).text
    assert withdrawn_name in shown and "(withdrawn)" in shown
    client.post(f"{url}/reenrol", data={"csrf_token": client.csrf(url)})
    assert client.get(f"/cohorts/{cid}/roster").text.count("/roster/people/") == 2


def test_a_person_of_another_cohort_is_not_found(client, made, factory):
    other = factory.cohort(trainees=1, mentors=0, trainers=0, organisers=0)
    membership = other.memberships[(other.trainees[0].id, "trainee")]
    client.login(made.trainers[0].email)
    assert client.get(f"/cohorts/{made.cohort.id}/roster/people/{membership.id}").status_code == (
        404
    )


def test_an_upload_token_of_another_cohort_is_not_found(client, made, factory, session):
    client.login(made.trainers[0].email)
    response = _upload(client, made.cohort.id, csv_bytes(people(1)), "r.csv")
    token = response.headers["location"].rsplit("/", 1)[1]
    other = factory.cohort(trainees=0, mentors=0, trainers=0, organisers=0)
    admin = factory.user(email="site-admin@example.test", is_admin=True)
    client.post("/logout", data={"csrf_token": client.csrf("/account")})
    client.login(admin.email)
    assert client.get(f"/cohorts/{other.cohort.id}/roster/imports/{token}").status_code == 404


# --- GESI: trainers and admins only -----------------------------------------------------

GENDER, DISABILITY = "gesi-gender-marker", "gesi-disability-marker"


def test_gesi_answers_are_hidden_from_mentors_peers_and_public_pages(
    make_client, made, session, factory
):
    trainer = make_client()
    trainer.login(made.trainers[0].email)
    cid = made.cohort.id
    rows = [
        person(1, gender=GENDER, disability=DISABILITY, learning_circle="C"),
        person(2, learning_circle="C"),
    ]
    assert _import(trainer, cid, csv_bytes(rows), "r.csv").status_code == 303
    page = trainer.get(
        f"/cohorts/{cid}/roster/people/"
        + str(session.exec(select(Membership.id).where(Membership.gender == GENDER)).one())
    )
    assert GENDER in page.text and DISABILITY in page.text
    assert GENDER in trainer.get(f"/cohorts/{cid}/roster/export.csv").content.decode("utf-8-sig")
    # The mentor of trainee 1, and a peer in the same circle.
    from iil_lms.accounts.service import hash_password
    from iil_lms.mentoring.models import MentorAssignment
    from tests.conftest import PASSWORD

    trainee1 = session.exec(select(User).where(User.email == "trainee1@example.test")).one()
    peer = session.exec(select(User).where(User.email == "trainee2@example.test")).one()
    peer.password_hash = hash_password(PASSWORD)
    session.add(peer)
    session.add(
        MentorAssignment(cohort_id=cid, mentor_id=made.mentors[0].id, trainee_id=trainee1.id)
    )
    session.commit()
    mentor = make_client()
    mentor.login(made.mentors[0].email)
    for url in (
        "/",
        "/mentees",
        f"/mentees/{trainee1.id}",
        f"/cohorts/{cid}/roster",
        f"/cohorts/{cid}/roster/export.csv",
        f"/cohorts/{cid}/roster/export.xlsx",
    ):
        response = mentor.get(url)
        assert GENDER not in response.text and DISABILITY not in response.text, url
    assert mentor.get(f"/cohorts/{cid}/roster").status_code == 403
    peer_client = make_client()
    peer_client.login(peer.email)
    for url in ("/", "/journey", "/circle", "/mentoring", "/outreach"):
        response = peer_client.get(url)
        assert GENDER not in response.text and DISABILITY not in response.text, url
    anonymous = make_client()
    for url in ("/showcase", "/login"):
        response = anonymous.get(url)
        assert GENDER not in response.text and DISABILITY not in response.text, url
