"""Authorization expectations for certificates.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow",
"login" (303 to /login), 401, 403, 404.

Certificates are run by the cohort's organisers (and site admins): its other members
see 403, people outside it 404. A certificate's PDF is for its holder (trainee_a here)
and the cohort's organisers. Verification is public: anyone, no login.
"""

from __future__ import annotations

from typing import Any

ORGANISERS = {
    "anonymous": "login",
    "trainee_a": 403,
    "trainee_b": 404,
    "mentor_other": 403,
    "mentor_a": 403,
    "trainer": 403,
    "organiser": "allow",
    "admin": "allow",
}
SIGNED_IN = {
    "anonymous": "login",
    "trainee_a": "allow",
    "trainee_b": "allow",
    "mentor_other": "allow",
    "mentor_a": "allow",
    "trainer": "allow",
    "organiser": "allow",
    "admin": "allow",
}
HOLDER_AND_ORGANISERS = {
    "anonymous": "login",
    "trainee_a": "allow",
    "trainee_b": 404,
    "mentor_other": 404,
    "mentor_a": 404,
    "trainer": 404,
    "organiser": "allow",
    "admin": "allow",
}
PUBLIC = {role: "allow" for role in SIGNED_IN}

BASE = "/cohorts/{cohort_id}/certificates"
EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", BASE): ORGANISERS,
    ("GET", BASE + "/preview"): ORGANISERS,
    ("POST", BASE + "/kinds"): ORGANISERS,
    ("POST", BASE + "/bulk"): ORGANISERS,
    ("POST", BASE + "/issue"): ORGANISERS,
    ("POST", BASE + "/{certificate_id}/revoke"): ORGANISERS,
    ("POST", BASE + "/{certificate_id}/reissue"): ORGANISERS,
    ("GET", BASE + "/jobs/{job_id}"): ORGANISERS,
    ("GET", BASE + "/jobs/{job_id}/{name}"): ORGANISERS,
    ("GET", BASE + "/design"): ORGANISERS,
    ("POST", BASE + "/design"): ORGANISERS,
    ("GET", "/certificates"): SIGNED_IN,
    ("GET", "/certificates/{code}/pdf"): HOLDER_AND_ORGANISERS,
    ("GET", "/verify"): PUBLIC,
    ("GET", "/verify/{code}"): PUBLIC,
    ("GET", "/verify/{code}/credential.json"): PUBLIC,
    ("GET", "/api/v1/certificates/{code}"): PUBLIC,
}


def path_params(world: Any) -> dict[str, object]:
    """A completion certificate of trainee_a, and a finished bulk job with its files."""
    from iil_lms.certificates import jobs, service
    from iil_lms.certificates.models import JobStatus

    session = world.session
    cohort = world.cohort_a
    kind = service.ensure_kind(
        session, cohort, service.find_choice(session, cohort.id, "completion")
    )
    made = service.issue(
        session,
        world.settings,
        cohort=cohort,
        kind=kind,
        user_ids=[world.users["trainee_a"].id],
        issued_by_id=world.users["organiser"].id,
    )
    job = jobs.create_job(
        session,
        cohort=cohort,
        kind=kind,
        user_ids=[world.users["trainee_a"].id],
        created_by_id=world.users["organiser"].id,
    )
    job.status = JobStatus.DONE
    session.add(job)
    session.commit()
    folder = jobs.job_folder(world.settings, job)
    assert folder is not None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / jobs.ZIPPED).write_bytes(b"PK\x05\x06" + b"\0" * 18)
    return {
        "certificate_id": made.certificates[0].id,
        "code": made.certificates[0].code,
        "job_id": job.id,
        "name": jobs.ZIPPED,
    }
