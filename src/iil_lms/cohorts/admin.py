"""The site admin's work: academies (with their logo), archiving cohorts, and the overview
of both. Creating a cohort is in `curriculum.new_cohorts`: a cohort is born with the plan
its time-frame template gives it, so creating one belongs to the layer above cohorts."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import available_timezones

from sqlalchemy import func
from sqlmodel import Session, col, select

from iil_lms.accounts.service import audit
from iil_lms.cohorts import logos
from iil_lms.cohorts.models import Academy, Cohort, Membership, Role
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


def unique_slug(taken: set[str], base: str) -> str:
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
        slug=unique_slug(taken, slugify(form.short_name, "academy")),
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


def set_archived(session: Session, cohort: Cohort, archived: bool, *, actor_id: int | None) -> None:
    """Archive a cohort (kept, read-only, out of the day-to-day lists) or bring it back."""
    cohort.archived_at = utcnow() if archived else None
    session.add(cohort)
    session.flush()
    action = "cohort.archive" if archived else "cohort.unarchive"
    audit(session, actor_id, action, f"cohort:{cohort.id}", cohort.name)


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
