"""Build the demo: the academies, cohorts and people of cohorts.yaml, the curriculum
and plans, then the cohorts' activity, written through the same services the app's
pages use (so demo data obeys the app's rules), with nobody notified: this is set-up,
not news. Running it again changes nothing (except passwords, when asked to)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from iil_lms.accounts.models import User
from iil_lms.accounts.service import hash_password, verify_password
from iil_lms.cohorts.models import Cohort
from iil_lms.curriculum import plans
from iil_lms.curriculum.loader import CurriculumInvalid
from iil_lms.curriculum.service import load_curriculum
from iil_lms.demo import certificates, mentoring, summit, surveys, work
from iil_lms.demo.people import DemoLogin, People, build_cohort, demo_data
from iil_lms.notifications.service import muted
from iil_lms.settings import Settings, get_settings

log = logging.getLogger(__name__)

DEFAULT_PASSWORD = "integrity-2026"  # noqa: S105 -- the published demo password


def build_demo(
    session: Session,
    password: str | None = None,
    curricula_dir: Path | None = None,
    settings: Settings | None = None,
    today: date | None = None,
) -> list[DemoLogin]:
    """Create (or find) the demo academies, cohorts and people; return the logins to print.
    The Pakistan cohort's dates and work are those of a cohort in its year on `today`.
    With `settings` (as `iil-lms demo` passes them) also some issued certificates: they
    are signed with each academy's key, kept in that data folder."""
    today = today or date.today()
    chosen = password or DEFAULT_PASSWORD
    existing = {u.email: u for u in session.exec(select(User))}
    sample = next((u for u in existing.values() if u.email.endswith(".example.org")), None)
    if sample is not None and verify_password(sample.password_hash, chosen):
        password_hash = sample.password_hash or hash_password(chosen)
    else:
        password_hash = hash_password(chosen)  # one hash for every demo account: fast, demo only
    people = People(session, password_hash, existing, reset_password=password is not None)
    data = demo_data()
    admin = people.user(data["admin"]["email"], data["admin"]["name"], "en")
    if not admin.is_admin:
        admin.is_admin = True
        session.add(admin)
    logins = [DemoLogin("admin", admin.email, "all")]
    for spec in data["cohorts"]:
        logins += build_cohort(session, people, spec, today)
    _curriculum_and_plans(session, curricula_dir)
    with muted(session):
        mentoring.seed_demo(session, admin.id or 0, today, settings)
        work.seed_demo(session, today, settings)
        surveys.seed_demo(session, today)
        summit.seed_demo(session)
        if settings is not None:
            certificates.seed_demo(session, settings)
    return logins


def _curriculum_and_plans(session: Session, curricula_dir: Path | None) -> None:
    """Load curricula/iil-core and give each demo cohort a plan on its timeframe (the
    academy year in Pakistan, quarterly convenings in Nepal). Unchanged content and
    existing plans are left alone; a missing or invalid curriculum leaves the cohorts
    without a plan (logged)."""
    folder = (curricula_dir or get_settings().curricula_dir) / "iil-core"
    if not (folder / "curriculum.yaml").is_file():
        log.warning("demo: no curriculum at %s; cohorts get no plan", folder)
        return
    try:
        report = load_curriculum(session, folder)
    except CurriculumInvalid as invalid:
        log.warning("demo: %s is invalid (%s); cohorts get no plan", folder, invalid.errors[0])
        return
    for spec in demo_data()["cohorts"]:
        cohort = session.exec(select(Cohort).where(Cohort.slug == spec["slug"])).one()
        if cohort.curriculum_version_id is None:
            cohort.curriculum_version_id = report.version_id
            session.add(cohort)
        if not plans.has_plan(session, cohort.id or 0):
            plans.generate_plan(session, cohort, spec["timeframe"])
