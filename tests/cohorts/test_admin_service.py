"""The site admin's services: academies (time zone, languages, logo), cohorts with their
plan, archiving, and the overview."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image
from sqlmodel import select

from iil_lms.accounts.models import AuditEntry
from iil_lms.cohorts import admin
from iil_lms.cohorts.models import Academy, Cohort
from iil_lms.curriculum import new_cohorts
from iil_lms.curriculum.models import PlanItem
from tests.curriculum.helpers import load_mini, row_counts


def png_bytes(size: tuple[int, int] = (800, 400), fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(out, format=fmt)
    return out.getvalue()


def academy_form(**changes: object) -> admin.AcademyForm:
    values: dict[str, object] = {
        "name": "Civil Services Academy",
        "short_name": "CSA",
        "country": "Pakistan",
        "timezone": "Asia/Karachi",
        "languages": ["ur"],
        "contact_address": "Walton Road, Lahore",
    }
    values.update(changes)
    return admin.AcademyForm(**values)  # type: ignore[arg-type]


def test_an_academy_is_created_with_its_languages_and_a_slug(session, settings):
    academy = admin.create_academy(session, settings, academy_form(), actor_id=None)
    assert academy.slug == "csa"
    assert academy.offered_languages == ["en", "ur"]
    assert academy.local_language == "ur"
    assert academy.timezone == "Asia/Karachi"
    second = admin.create_academy(session, settings, academy_form(name="Another"), actor_id=None)
    assert second.slug == "csa-2"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"short_name": ""}, "short_name"),
        ({"country": ""}, "country"),
        ({"timezone": "Asia/Lahore"}, "timezone"),
        ({"timezone": "PKT"}, "timezone"),
        ({"languages": ["fr"]}, "languages"),
        ({"name": "x" * 201}, "name"),
        ({"logo": b"GIF89a not really"}, "logo"),
        ({"logo": b"\x89PNG\r\n\x1a\n broken"}, "logo"),
    ],
)
def test_a_bad_academy_field_is_named_and_nothing_is_written(
    session, settings, engine, changes, field
):
    before = row_counts(engine)
    with pytest.raises(admin.AdminError) as refused:
        admin.create_academy(session, settings, academy_form(**changes), actor_id=None)
    assert field in refused.value.errors
    session.rollback()
    assert row_counts(engine) == before
    assert not (settings.uploads_dir / "logos").exists() or not any(
        (settings.uploads_dir / "logos").iterdir()
    )


def test_the_logo_is_re_encoded_as_a_small_png_and_readable_for_certificates(session, settings):
    jpeg = png_bytes((2000, 1000), "JPEG")
    academy = admin.create_academy(session, settings, academy_form(logo=jpeg), actor_id=None)
    path = admin.academy_logo(settings, academy)
    assert path is not None and path.suffix == ".png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert max(image.size) == 512


def test_a_time_zone_typed_in_lower_case_is_stored_as_iana_spells_it(session, settings):
    form = academy_form(timezone=" asia/kathmandu ")
    academy = admin.create_academy(session, settings, form, actor_id=None)
    assert academy.timezone == "Asia/Kathmandu"


def test_an_academy_without_a_logo_has_none(session, settings):
    academy = admin.create_academy(session, settings, academy_form(), actor_id=None)
    assert admin.academy_logo(settings, academy) is None


def test_editing_an_academy_keeps_its_slug_and_can_remove_the_logo(session, settings):
    academy = admin.create_academy(session, settings, academy_form(logo=png_bytes()), actor_id=None)
    form = academy_form(name="CSA Lahore", short_name="CSAL", languages=["ur", "ne"])
    form.remove_logo = True
    admin.update_academy(session, settings, academy, form, actor_id=None)
    assert academy.slug == "csa"
    assert academy.name == "CSA Lahore"
    assert academy.offered_languages == ["en", "ur", "ne"]
    assert admin.academy_logo(settings, academy) is None


def _cohort_form(session, academy: Academy, **changes: object) -> new_cohorts.CohortForm:
    report = load_mini(session)
    curriculum_id = new_cohorts.curriculum_choices(session)[0].id
    assert report.version_id
    values: dict[str, object] = {
        "academy_id": academy.id,
        "name": "Lahore 2027",
        "starts_on": date(2027, 1, 11),
        "ends_on": date(2027, 12, 10),
        "curriculum_id": curriculum_id,
        "timeframe": "academy-year",
        "second_language": "ur",
    }
    values.update(changes)
    return new_cohorts.CohortForm(**values)  # type: ignore[arg-type]


def test_a_cohort_is_created_with_its_plan_and_curriculum_version(session, settings):
    academy = admin.create_academy(session, settings, academy_form(), actor_id=None)
    form = _cohort_form(session, academy)
    cohort = new_cohorts.create_cohort(session, form, actor_id=None)
    session.commit()
    assert cohort.slug == "lahore-2027"
    assert cohort.curriculum_version_id == new_cohorts.curriculum_choices(session)[0].version_id
    assert cohort.second_language == "ur"
    items = session.exec(select(PlanItem).where(PlanItem.cohort_id == cohort.id)).all()
    assert items
    assert all(cohort.starts_on <= i.opens_on <= i.due_on <= cohort.ends_on for i in items)


def test_a_quarterly_cohort_gets_a_plan_too(session, settings):
    academy = admin.create_academy(
        session, settings, academy_form(timezone="Asia/Kathmandu", languages=["ne"]), actor_id=None
    )
    form = _cohort_form(session, academy, timeframe="quarterly-convenings", second_language="ne")
    cohort = new_cohorts.create_cohort(session, form, actor_id=None)
    assert cohort.timeframe == "quarterly-convenings"
    assert session.exec(select(PlanItem).where(PlanItem.cohort_id == cohort.id)).first()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"ends_on": date(2027, 1, 11)}, "ends_on"),
        ({"ends_on": date(2026, 1, 1)}, "ends_on"),
        ({"starts_on": None}, "starts_on"),
        ({"curriculum_id": 999}, "curriculum_id"),
        ({"timeframe": "monthly"}, "timeframe"),
        ({"second_language": "ne"}, "second_language"),
        ({"second_language": ""}, "second_language"),
        ({"academy_id": 999}, "academy_id"),
    ],
)
def test_a_bad_cohort_field_is_named_and_nothing_is_written(
    session, settings, engine, changes, field
):
    academy = admin.create_academy(session, settings, academy_form(), actor_id=None)
    form = _cohort_form(session, academy, **changes)
    session.commit()
    before = row_counts(engine)
    with pytest.raises(admin.AdminError) as refused:
        new_cohorts.create_cohort(session, form, actor_id=None)
    assert field in refused.value.errors
    session.rollback()
    assert row_counts(engine) == before


def test_two_cohorts_of_an_academy_cannot_share_a_name(session, settings):
    academy = admin.create_academy(session, settings, academy_form(), actor_id=None)
    new_cohorts.create_cohort(session, _cohort_form(session, academy), actor_id=None)
    with pytest.raises(admin.AdminError) as refused:
        new_cohorts.create_cohort(session, _cohort_form(session, academy), actor_id=None)
    assert "name" in refused.value.errors


def test_a_language_in_use_by_a_cohort_cannot_be_withdrawn(session, settings):
    academy = admin.create_academy(session, settings, academy_form(), actor_id=None)
    new_cohorts.create_cohort(session, _cohort_form(session, academy), actor_id=None)
    with pytest.raises(admin.AdminError) as refused:
        admin.update_academy(session, settings, academy, academy_form(languages=[]), actor_id=None)
    assert "languages" in refused.value.errors


def test_the_overview_shows_sizes_and_states_and_puts_archived_cohorts_apart(factory, session):
    running = factory.cohort(trainees=3, mentors=1, trainers=1, organisers=0)
    cohort = running.cohort
    lines = admin.overview(session, date(2026, 10, 1))
    line = next(line for line in lines if line.academy.id == running.academy.id)
    assert [(c.trainees, c.staff, c.state) for c in line.cohorts] == [(3, 2, "running")]
    assert admin.overview(session, date(2026, 1, 1))[0].cohorts[0].state == "planned"
    assert admin.overview(session, date(2028, 1, 1))[0].cohorts[0].state == "ended"
    admin.set_archived(session, cohort, True, actor_id=None)
    line = admin.overview(session, date(2026, 10, 1))[0]
    assert line.cohorts == [] and [c.state for c in line.archived] == ["archived"]
    admin.set_archived(session, cohort, False, actor_id=None)
    assert session.get(Cohort, cohort.id).archived_at is None
    actions = session.exec(select(AuditEntry.action)).all()
    assert {"cohort.archive", "cohort.unarchive"} <= set(actions)
