"""The audit log's pages: a cohort's trainers see their cohort's entries only, admins see
every entry; filters by action, person and day; paging; and no route writes to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from iil_lms.accounts.models import AuditEntry
from iil_lms.audit.service import PAGE_SIZE, record
from tests.security.html_checks import visible_text
from tests.security.world import build_world, client_for


def _seed(session, world):
    trainer, admin = world.users["trainer"], world.users["admin"]
    a, b = world.cohort_a.id, world.cohort_b.id
    record(session, trainer.id, "roster.withdraw", "membership:1", {"w": 0}, {"w": 1}, cohort_id=a)
    record(
        session, admin.id, "staff.change", f"cohort:{a}", {"role": "mentor"}, {"role": "trainer"}
    )
    record(session, admin.id, "staff.change", f"cohort:{b}", None, {"role": "secret-b"})
    session.commit()


def test_trainer_sees_own_cohort_entries_with_before_and_after(app, session, settings, engine):
    world = build_world(session, settings, engine)
    _seed(session, world)
    with client_for(app, world, "trainer").client as client:
        page = client.get(f"/cohorts/{world.cohort_a.id}/audit")
    assert page.status_code == 200
    assert "roster.withdraw" in page.text and "staff.change" in page.text
    text = visible_text(page.text)
    assert '"role": "trainer"' in text and '"role": "mentor"' in text
    assert "secret-b" not in page.text
    assert "2 entries" in page.text


def test_admin_sees_every_cohort(app, session, settings, engine):
    world = build_world(session, settings, engine)
    _seed(session, world)
    with client_for(app, world, "admin").client as client:
        page = client.get("/admin/audit")
    assert "secret-b" in page.text
    assert "3 entries" in page.text


def test_filters_by_action_person_and_days(app, session, settings, engine):
    world = build_world(session, settings, engine)
    _seed(session, world)
    old = session.exec(select(AuditEntry).where(AuditEntry.action == "roster.withdraw")).one()
    old.at = datetime(2026, 1, 5, 12, tzinfo=UTC)
    session.add(old)
    session.commit()
    with client_for(app, world, "admin").client as client:
        by_action = client.get("/admin/audit", params={"action": "staff.change"})
        assert "2 entries" in by_action.text and "membership:1" not in by_action.text
        by_person = client.get("/admin/audit", params={"person": "site ADMIN"})
        assert "2 entries" in by_person.text and "membership:1" not in by_person.text
        by_email = client.get("/admin/audit", params={"person": world.users["trainer"].email})
        assert "1 entry" in by_email.text and "membership:1" in by_email.text
        january = client.get("/admin/audit", params={"since": "2026-01-01", "until": "2026-01-31"})
        assert "1 entry" in january.text and "membership:1" in january.text
        today = datetime.now(UTC).date()
        recent = client.get("/admin/audit", params={"since": str(today - timedelta(days=1))})
        assert "2 entries" in recent.text
        bad = client.get("/admin/audit", params={"since": "yesterday"})
        assert bad.status_code in (400, 422)


def test_pages_newest_first(app, session, settings, engine):
    world = build_world(session, settings, engine)
    for i in range(PAGE_SIZE + 5):
        record(session, None, "test.change", f"thing:{i}", None, {"n": i})
    session.commit()
    with client_for(app, world, "admin").client as client:
        first = client.get("/admin/audit", params={"action": "test.change"})
        second = client.get("/admin/audit", params={"action": "test.change", "page": 2})
        beyond = client.get("/admin/audit", params={"action": "test.change", "page": 99})
    assert f"thing:{PAGE_SIZE + 4}<" in first.text and "thing:0<" not in first.text
    assert "Page 1 of 2" in first.text and "action=test.change&amp;page=2" in first.text
    assert "thing:0<" in second.text and f"thing:{PAGE_SIZE + 4}<" not in second.text
    assert "thing:0<" in beyond.text


def test_no_route_writes_to_the_log(app):
    writes = [
        route.path
        for route in app.routes
        if "audit" in getattr(route, "path", "")
        and set(getattr(route, "methods", ())) - {"GET", "HEAD"}
    ]
    assert writes == []
