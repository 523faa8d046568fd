"""Authorization expectations for the roster pages (import, templates, export, one
person's details) and for convenings and attendance, read by the security suite's matrix
runner.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow" (anything
but 401/403/404/login redirect), "login" (303 to /login), 403, 404.

The roster holds self-declared GESI answers, so it is for the cohort's trainers and site
admins only: its organisers, mentors and trainees see 403, outsiders 404. Convenings and
attendance are run by trainers and organisers.
"""

from __future__ import annotations

from typing import Any

from tests.security.expect_cohorts import COHORT_STAFF

TRAINER_ONLY = {
    "anonymous": "login",
    "trainee_a": 403,
    "trainee_b": 404,
    "mentor_other": 403,
    "mentor_a": 403,
    "trainer": "allow",
    "organiser": 403,
    "admin": "allow",
}

EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/cohorts/{cohort_id}/roster"): TRAINER_ONLY,
    # an empty form is refused with 400 for the trainer: "allow" (the check let it in)
    ("POST", "/cohorts/{cohort_id}/roster/upload"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/roster/imports/{token}"): TRAINER_ONLY,
    ("POST", "/cohorts/{cohort_id}/roster/imports/{token}"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/roster/template.csv"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/roster/template.xlsx"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/roster/export.csv"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/roster/export.xlsx"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/roster/people/{membership_id}"): TRAINER_ONLY,
    ("POST", "/cohorts/{cohort_id}/roster/people/{membership_id}"): TRAINER_ONLY,
    ("POST", "/cohorts/{cohort_id}/roster/people/{membership_id}/withdraw"): TRAINER_ONLY,
    ("POST", "/cohorts/{cohort_id}/roster/people/{membership_id}/reenrol"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/convenings"): COHORT_STAFF,
    # empty forms are refused with 400 for trainers and organisers: "allow"
    ("POST", "/cohorts/{cohort_id}/convenings"): COHORT_STAFF,
    ("GET", "/cohorts/{cohort_id}/convenings/{convening_id}"): COHORT_STAFF,
    ("POST", "/cohorts/{cohort_id}/convenings/{convening_id}"): COHORT_STAFF,
    ("GET", "/cohorts/{cohort_id}/convenings/{convening_id}/attendance"): COHORT_STAFF,
    ("POST", "/cohorts/{cohort_id}/convenings/{convening_id}/attendance"): COHORT_STAFF,
}


def path_params(world: Any) -> dict[str, object]:
    """Trainee A's membership, a pending roster upload of cohort A (with a bad row, so
    a confirm is refused with 400 and the upload stays for the next role) and a
    convening of cohort A."""
    from datetime import date

    from sqlmodel import select

    from iil_lms.cohorts import roster
    from iil_lms.cohorts.models import Convening, Membership

    session = world.session
    membership = session.exec(
        select(Membership).where(
            Membership.cohort_id == world.cohort_a.id,
            Membership.user_id == world.users["trainee_a"].id,
        )
    ).one()
    upload, _preview = roster.store_upload(
        session,
        world.cohort_a,
        world.users["trainer"].id,
        b"name,email\nNew Person,not-an-address\n",
        "roster.csv",
    )
    convening = Convening(
        cohort_id=world.cohort_a.id,
        title="Convening 1",
        starts_on=date(2026, 10, 5),
        ends_on=date(2026, 10, 7),
    )
    session.add(convening)
    session.commit()
    return {"membership_id": membership.id, "token": upload.token, "convening_id": convening.id}
