"""Stored XSS through the audit log: the before/after JSON holds what people typed (a
trainee's department, a reason, a name), shown on the cohort's and the site's log as
text, never as markup. Kept apart from test_xss.py, whose world this does not need."""

from __future__ import annotations

from sqlmodel import select

from iil_lms.audit.service import record
from iil_lms.cohorts import roster
from iil_lms.cohorts.models import Membership
from tests.security.test_xss import _check, short, stored
from tests.security.world import build_world, client_for


def test_audit_log_shows_typed_text_as_text(app, session, settings, engine):
    world = build_world(session, settings, engine)
    trainer = world.users["trainer"]
    trainer.display_name = short("name-trainer")[:120]
    session.add(trainer)
    membership = session.exec(
        select(Membership).where(
            Membership.cohort_id == world.cohort_a.id,
            Membership.user_id == world.users["trainee_a"].id,
        )
    ).one()
    roster.update_person(
        session,
        world.cohort_a,
        membership,
        {"department": short("department"), "district": short("district")[:80]},
        actor_id=trainer.id or 0,
    )
    record(
        session,
        trainer.id,
        "test.typed",
        f"cohort:{world.cohort_a.id}",
        {"note": stored("before")},
        {"note": stored("after")},
        detail=short("detail"),
    )
    session.commit()
    markers = ["department", "before", "after", "detail", "name-trainer"]
    with client_for(app, world, "trainer").client as client:
        _check(client.get(f"/cohorts/{world.cohort_a.id}/audit"), markers, "cohort log")
        filtered = client.get(
            f"/cohorts/{world.cohort_a.id}/audit", params={"person": short("name-trainer")[:60]}
        )
        _check(filtered, markers, "cohort log filtered by a typed name")
    with client_for(app, world, "admin").client as client:
        _check(client.get("/admin/audit"), markers, "site log")
