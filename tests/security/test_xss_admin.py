"""Stored XSS through the site admin's and the staff page's free-text fields (academy
name, short name, country, contact address; cohort name; an invited person's name and
email), typed into the forms as an admin or trainer would, then checked in every page
that shows them: no executable markup, the text still shown. Kept apart from
test_xss.py, whose world these forms do not need."""

from __future__ import annotations

from sqlmodel import select

from iil_lms.cohorts.models import Academy, Cohort
from iil_lms.curriculum.new_cohorts import curriculum_choices
from tests.curriculum.helpers import load_mini
from tests.security.test_xss import SHORT, _check, short, stored
from tests.security.world import build_world, client_for


def test_admin_and_staff_fields_render_as_text(app, session, settings, engine):
    world = build_world(session, settings, engine)
    load_mini(session)
    curriculum_id = curriculum_choices(session)[0].id
    admin = client_for(app, world, "admin")
    trainer = client_for(app, world, "trainer")
    with admin.client, trainer.client:
        created = admin.client.post(
            "/admin/academies",
            data={
                "csrf_token": admin.csrf_token,
                "name": short("name-academy"),
                "short_name": f"XSS-name-short {SHORT}"[:40],
                "country": short("name-country")[:80],
                "timezone": "Asia/Karachi",
                "languages": ["ur"],
                "contact_address": stored("address")[:1000],
            },
            follow_redirects=False,
        )
        assert created.status_code == 303, created.text[:500]
        academy = session.exec(select(Academy).where(Academy.name == short("name-academy"))).one()
        made = admin.client.post(
            "/admin/cohorts",
            data={
                "csrf_token": admin.csrf_token,
                "academy_id": str(academy.id),
                "name": short("name-cohort"),
                "starts_on": "2027-01-11",
                "ends_on": "2027-12-10",
                "curriculum_id": str(curriculum_id),
                "timeframe": "academy-year",
                "second_language": "ur",
            },
            follow_redirects=False,
        )
        assert made.status_code == 303, made.text[:500]
        session.rollback()
        cohort = session.exec(select(Cohort).where(Cohort.name == short("name-cohort"))).one()
        invited = trainer.client.post(
            f"/cohorts/{world.cohort_a.id}/staff",
            data={
                "csrf_token": trainer.csrf_token,
                "email": "xss@example.test",
                "name": short("name-invitee")[:120],
                "role": "mentor",
            },
            follow_redirects=False,
        )
        assert invited.status_code == 303, invited.text[:500]
        refused = trainer.client.post(
            f"/cohorts/{world.cohort_a.id}/staff",
            data={
                "csrf_token": trainer.csrf_token,
                "email": '"><svg onload=alert(1)>@x',
                "name": short("refused-name")[:120],
                "role": "mentor",
            },
            follow_redirects=False,
        )
        assert refused.status_code == 400
        assert "<svg onload" not in refused.text

        _check(
            admin.client.get("/admin"),
            ["name-academy", "name-short", "name-country", "name-cohort"],
            "admin home",
        )
        _check(
            admin.client.get(f"/admin/academies/{academy.id}"),
            ["address"],
            "academy form",
        )
        _check(admin.client.get("/admin/cohorts/new"), ["name-academy"], "cohort form")
        _check(
            admin.client.get(f"/cohorts/{cohort.id}"),
            ["name-academy", "name-cohort"],
            "cohort home",
        )
        _check(
            trainer.client.get(f"/cohorts/{world.cohort_a.id}/staff"),
            ["name-invitee"],
            "staff page",
        )
