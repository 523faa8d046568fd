"""The site admin's work: academies (with their logo) and cohorts (with their plan),
archiving, and the overview of both. Creating a cohort is where cohorts reaches up into
curriculum: a cohort is born with the plan its time-frame template gives it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import available_timezones

from sqlalchemy import func
from sqlmodel import Session, col, select

from iil_lms.accounts.service import audit
from iil_lms.cohorts import logos
from iil_lms.cohorts.models import Academy, Cohort, Membership, Role
from iil_lms.curriculum.models import Curriculum, CurriculumVersion
from iil_lms.curriculum.plans import generate_plan
from iil_lms.curriculum.service import CurriculumError
from iil_lms.curriculum.timeframes import TIMEFRAMES
from iil_lms.db import utcnow
from iil_lms.i18n import gettext as _
from iil_lms.settings import Settings

# Next to English, which every academy offers.
SECOND_LANGUAGES = ("ur", "ne")
# Each IANA zone by its name in lower case, so "asia/karachi" is taken as "Asia/Karachi".
TIMEZONES = {name.lower(): name for name in available_timezones()}


class AdminError(ValueError):
    """Field-by-field reasons an academy or cohort change was refused."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def slugify(text: str, fallback: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:50]
    return slug or fallback


def _unique_slug(taken: set[str], base: str) -> str:
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


# --- academies -----------------------------------------------------------------------


@dataclass
class AcademyForm:
    name: str = ""
    short_name: str = ""
    country: str = ""
    timezone: str = ""
    languages: list[str] = field(default_factory=list)  # besides English
    contact_address: str = ""
    logo: bytes | None = None  # a new upload, if any
    remove_logo: bool = False


def _check_academy(form: AcademyForm) -> tuple[dict[str, str], bytes | None]:
    errors: dict[str, str] = {}
    form.name, form.short_name = form.name.strip(), form.short_name.strip()
    form.country, form.timezone = form.country.strip(), form.timezone.strip()
    form.contact_address = form.contact_address.strip()
    if not form.name:
        errors["name"] = _("Enter the academy's name.")
    elif len(form.name) > 200:
        errors["name"] = _("The name is too long: at most %(count)s characters.", count=200)
    if not form.short_name:
        errors["short_name"] = _("Enter a short name, such as its initials.")
    elif len(form.short_name) > 40:
        errors["short_name"] = _(
            "The short name is too long: at most %(count)s characters.", count=40
        )
    if not form.country:
        errors["country"] = _("Enter the country.")
    elif len(form.country) > 80:
        errors["country"] = _("The country is too long: at most %(count)s characters.", count=80)
    canonical = TIMEZONES.get(form.timezone.lower())
    if canonical is not None:
        form.timezone = canonical
    else:
        errors["timezone"] = _(
            "Enter a time zone from the IANA list, such as Asia/Karachi or Asia/Kathmandu."
        )
    if any(code not in SECOND_LANGUAGES for code in form.languages):
        errors["languages"] = _("Choose among the listed languages.")
    if len(form.contact_address) > 1000:
        errors["contact_address"] = _(
            "The address is too long: at most %(count)s characters.", count=1000
        )
    png = None
    if form.logo is not None:
        try:
            png = logos.clean_logo(form.logo)
        except logos.LogoRefused as refused:
            errors["logo"] = str(refused)
    return errors, png


def _apply_academy(academy: Academy, form: AcademyForm, logo_name: str | None) -> None:
    offered = [code for code in SECOND_LANGUAGES if code in form.languages]
    academy.name = form.name
    academy.short_name = form.short_name
    academy.country = form.country
    academy.timezone = form.timezone
    academy.languages = ",".join(["en", *offered])
    academy.local_language = offered[0] if offered else "en"
    academy.contact_address = form.contact_address
    if logo_name is not None:
        academy.logo_name = logo_name
    elif form.remove_logo:
        academy.logo_name = None


def create_academy(
    session: Session, settings: Settings, form: AcademyForm, *, actor_id: int | None
) -> Academy:
    """A new academy; every field is checked (a valid IANA time zone, a logo that
    Pillow can read) before anything is stored."""
    errors, png = _check_academy(form)
    if errors:
        raise AdminError(errors)
    taken = set(session.exec(select(Academy.slug)).all())
    academy = Academy(
        slug=_unique_slug(taken, slugify(form.short_name, "academy")),
        name=form.name,
        country=form.country,
    )
    _apply_academy(academy, form, logos.store_logo(settings, png) if png else None)
    session.add(academy)
    session.flush()
    audit(session, actor_id, "academy.create", f"academy:{academy.id}", academy.name)
    return academy


def update_academy(
    session: Session,
    settings: Settings,
    academy: Academy,
    form: AcademyForm,
    *,
    actor_id: int | None,
) -> Academy:
    """Change an academy's details; its slug (in public showcase links) stays. A
    language still used by one of its cohorts cannot be withdrawn."""
    errors, png = _check_academy(form)
    in_use = set(
        session.exec(
            select(Cohort.second_language).where(
                Cohort.academy_id == academy.id, Cohort.second_language != ""
            )
        ).all()
    )
    dropped = sorted(in_use - set(form.languages))
    if dropped and "languages" not in errors:
        errors["languages"] = _(
            "A cohort of this academy uses %(languages)s as its second language; keep it.",
            languages=", ".join(dropped),
        )
    if errors:
        raise AdminError(errors)
    _apply_academy(academy, form, logos.store_logo(settings, png) if png else None)
    session.add(academy)
    session.flush()
    audit(session, actor_id, "academy.update", f"academy:{academy.id}", academy.name)
    return academy


def academy_form(academy: Academy) -> AcademyForm:
    return AcademyForm(
        name=academy.name,
        short_name=academy.short_name,
        country=academy.country,
        timezone=academy.timezone,
        languages=[code for code in academy.offered_languages if code != "en"],
        contact_address=academy.contact_address,
    )


def academy_logo(settings: Settings, academy: Academy) -> Path | None:
    """The academy's logo as a PNG file, for pages, certificates and programmes; None
    when it has none. Read the bytes with `path.read_bytes()`."""
    return logos.logo_path(settings, academy.logo_name)


# --- cohorts -------------------------------------------------------------------------


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
        slug=_unique_slug(taken, slugify(form.name, "cohort")),
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


def set_archived(session: Session, cohort: Cohort, archived: bool, *, actor_id: int | None) -> None:
    """Archive a cohort (kept, read-only, out of the day-to-day lists) or bring it back."""
    cohort.archived_at = utcnow() if archived else None
    session.add(cohort)
    session.flush()
    action = "cohort.archive" if archived else "cohort.unarchive"
    audit(session, actor_id, action, f"cohort:{cohort.id}", cohort.name)


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


# --- the admin's overview ------------------------------------------------------------


@dataclass(frozen=True)
class CohortLine:
    cohort: Cohort
    trainees: int
    staff: int
    state: str  # "planned" | "running" | "ended" | "archived"


@dataclass(frozen=True)
class AcademyLine:
    academy: Academy
    cohorts: list[CohortLine]
    archived: list[CohortLine]


def cohort_state(cohort: Cohort, today: date) -> str:
    if cohort.archived_at is not None:
        return "archived"
    if today < cohort.starts_on:
        return "planned"
    if today > cohort.ends_on:
        return "ended"
    return "running"


def overview(session: Session, today: date) -> list[AcademyLine]:
    """Every academy with its cohorts (newest first), their size and state, archived
    ones apart. Three queries, whatever the number of cohorts and people."""
    academies = list(session.exec(select(Academy).order_by(col(Academy.name))))
    cohorts = list(session.exec(select(Cohort).order_by(col(Cohort.starts_on).desc())))
    counts: dict[tuple[int, str], int] = {}
    for cohort_id, role, n in session.exec(
        select(Membership.cohort_id, Membership.role, func.count()).group_by(
            col(Membership.cohort_id), col(Membership.role)
        )
    ).all():
        counts[(cohort_id, role)] = int(n)
    lines = []
    for academy in academies:
        current: list[CohortLine] = []
        archived: list[CohortLine] = []
        for cohort in cohorts:
            if cohort.academy_id != academy.id:
                continue
            cid = cohort.id or 0
            line = CohortLine(
                cohort=cohort,
                trainees=counts.get((cid, Role.TRAINEE.value), 0),
                staff=sum(
                    counts.get((cid, r.value), 0)
                    for r in (Role.TRAINER, Role.ORGANISER, Role.MENTOR)
                ),
                state=cohort_state(cohort, today),
            )
            (archived if cohort.archived_at is not None else current).append(line)
        lines.append(AcademyLine(academy, current, archived))
    return lines
