"""The demo shows certificates alive: issued through the service (signed, verifiable),
one revoked, and mentors left for the organiser to issue to; loading it twice issues
nothing more."""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from iil_lms.certificates import credentials, service
from iil_lms.certificates.models import Certificate
from iil_lms.cohorts.models import Cohort
from iil_lms.db import transaction
from iil_lms.demo import build_demo
from iil_lms.settings import Settings


def test_the_demo_cohorts_hold_signed_certificates_one_revoked_and_mentors_left_to_issue(
    engine: Engine, settings: Settings, client
) -> None:
    with transaction(engine) as session:
        build_demo(session, settings=settings)
    with Session(engine) as session:
        certs = session.exec(select(Certificate)).all()
        pakistan = session.exec(select(Cohort).where(col(Cohort.slug) == "ctp-2026")).one()
        nepal = session.exec(select(Cohort).where(col(Cohort.slug) == "yics-2026")).one()
        left = service.preview(
            session, pakistan.id or 0, service.find_choice(session, pakistan.id or 0, "mentor")
        )
    titles = {(c.cohort_id, c.title) for c in certs}
    assert (pakistan.id, "Mentor recognition") in titles
    assert (nepal.id, "Mentor recognition") in titles
    assert (pakistan.id, "Integrity champion of the first term") in titles
    assert left.to_issue and left.already  # the organiser's preview has both
    for cert in certs:
        credentials.verify(json.loads(cert.credential))  # raises when not signed right
    revoked = [c for c in certs if c.revoked_at is not None]
    valid = next(c for c in certs if c.revoked_at is None)
    assert len(revoked) == 1
    assert client.get(f"/api/v1/certificates/{revoked[0].code}").json()["status"] == "revoked"
    assert client.get(f"/api/v1/certificates/{valid.code}").json()["status"] == "valid"

    with transaction(engine) as session:
        build_demo(session, settings=settings)
    with Session(engine) as session:
        assert len(session.exec(select(Certificate)).all()) == len(certs)
