"""A new cohort of an academy, with the plan its time-frame template gives it (the site
admin's form): cohorts cannot know the curriculum, so creating a cohort lives here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from iil_lms.accounts.service import audit
from iil_lms.cohorts.admin import AdminError, slugify, unique_slug
from iil_lms.cohorts.models import Academy, Cohort
from iil_lms.curriculum.models import Curriculum, CurriculumVersion
from iil_lms.curriculum.plans import generate_plan
from iil_lms.curriculum.service import CurriculumError
from iil_lms.curriculum.timeframes import TIMEFRAMES
from iil_lms.i18n import gettext as _


@dataclass
class CohortForm:
    academy_id: int | None = None
    name: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    curriculum_id: int | None = None
    timeframe: str = ""
    second_language: str = ""


def create_cohort(session: Session, form: CohortForm, *, actor_id: int | None) -> Cohort:
    """A new cohort of an academy, following the latest loaded version of a curriculum,
    with its plan made by the chosen time-frame template. The end date must come after
    the start; the second language must be one the academy offers. Nothing is written
    when anything is wrong, the plan included."""
    errors: dict[str, str] = {}
    form.name = form.name.strip()
    academy = session.get(Academy, form.academy_id) if form.academy_id else None
    if academy is None:
        errors["academy_id"] = _("Choose the academy.")
    if not form.name:
        errors["name"] = _("Enter the cohort's name.")
    elif len(form.name) > 200:
        errors["name"] = _("The name is too long: at most %(count)s characters.", count=200)
    if form.starts_on is None:
        errors["starts_on"] = _("Enter the first day.")
    if form.ends_on is None:
        errors["ends_on"] = _("Enter the last day.")
    elif form.starts_on is not None and form.ends_on <= form.starts_on:
        errors["ends_on"] = _("The last day must come after the first day.")
    curriculum = session.get(Curriculum, form.curriculum_id) if form.curriculum_id else None
    if curriculum is None:
        errors["curriculum_id"] = _("Choose the curriculum.")
    if form.timeframe not in TIMEFRAMES:
        errors["timeframe"] = _("Choose a time-frame: academy year or quarterly convenings.")
    if academy is not None:
        offered = [code for code in academy.offered_languages if code != "en"]
        if form.second_language and form.second_language not in offered:
            errors["second_language"] = _("Choose a language the academy offers.")
        elif not form.second_language and offered:
            errors["second_language"] = _("Choose the cohort's second language.")
        elif (
            form.name
            and session.exec(
                select(Cohort.id).where(Cohort.academy_id == academy.id, Cohort.name == form.name)
            ).first()
        ):
            errors["name"] = _("This academy already has a cohort with this name.")
    if errors:
        raise AdminError(errors)
    assert academy is not None and curriculum is not None
    assert form.starts_on is not None and form.ends_on is not None
    taken = set(session.exec(select(Cohort.slug).where(Cohort.academy_id == academy.id)).all())
    cohort = Cohort(
        academy_id=academy.id,  # type: ignore[arg-type]
        slug=unique_slug(taken, slugify(form.name, "cohort")),
        name=form.name,
        starts_on=form.starts_on,
        ends_on=form.ends_on,
        timeframe=form.timeframe,
        second_language=form.second_language,
    )
    session.add(cohort)
    session.flush()
    try:
        generate_plan(
            session, cohort, form.timeframe, curriculum_id=curriculum.id, actor_id=actor_id
        )
    except CurriculumError as problem:
        raise AdminError({"curriculum_id": str(problem)}) from problem
    audit(session, actor_id, "cohort.create", f"cohort:{cohort.id}", cohort.name)
    return cohort


@dataclass(frozen=True)
class CurriculumChoice:
    id: int
    title: str
    version_id: int
    loaded_at: datetime


def curriculum_choices(session: Session) -> list[CurriculumChoice]:
    """Each loaded curriculum with its latest version (what a new cohort follows)."""
    latest = (
        select(CurriculumVersion.curriculum_id, func.max(CurriculumVersion.id).label("vid"))
        .group_by(col(CurriculumVersion.curriculum_id))
        .subquery()
    )
    rows = session.exec(
        select(Curriculum.id, Curriculum.title, CurriculumVersion.id, CurriculumVersion.loaded_at)
        .join(latest, latest.c.curriculum_id == Curriculum.id)
        .join(CurriculumVersion, col(CurriculumVersion.id) == latest.c.vid)
        .order_by(col(Curriculum.title))
    ).all()
    return [
        CurriculumChoice(c_id or 0, title, v_id or 0, loaded) for c_id, title, v_id, loaded in rows
    ]
