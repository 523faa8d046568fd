"""The site admin's pages: the overview of academies and cohorts, academy and cohort
forms, archiving; and an academy's logo, which its public pages show."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, Response

from iil_lms.cohorts import admin
from iil_lms.cohorts.logos import MAX_LOGO_BYTES
from iil_lms.cohorts.models import Academy, Cohort
from iil_lms.curriculum import new_cohorts
from iil_lms.curriculum.timeframes import TIMEFRAMES
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.web.auth import Admin, AnyViewer, DbSession, settings_of
from iil_lms.web.files import read_upload
from iil_lms.web.params import OptionalFormId, PathId, QueryId
from iil_lms.web.responses import redirect
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)

Text200 = Annotated[str, Form(max_length=400)]


def _actor(viewer: Admin) -> int | None:
    return viewer.user.id if viewer.user else None


@router.get("/admin")
def admin_home(request: Request, viewer: Admin, session: DbSession) -> Response:
    return render(request, "admin/home.html", {"academies": admin.overview(session, local_today())})


# --- academies -----------------------------------------------------------------------


def _academy_page(
    request: Request,
    academy: Academy | None,
    form: admin.AcademyForm,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/academy_form.html",
        {
            "academy": academy,
            "form": form,
            "errors": errors,
            "second_languages": admin.SECOND_LANGUAGES,
        },
        status_code=status_code,
    )


@router.get("/admin/academies/new")
def new_academy(request: Request, viewer: Admin) -> Response:
    return _academy_page(request, None, admin.AcademyForm(timezone="Asia/Karachi"), {})


async def _academy_form(
    name: str,
    short_name: str,
    country: str,
    timezone: str,
    languages: list[str],
    contact_address: str,
    logo: UploadFile | None,
    remove_logo: str = "",
) -> admin.AcademyForm:
    return admin.AcademyForm(
        name=name,
        short_name=short_name,
        country=country,
        timezone=timezone,
        languages=languages,
        contact_address=contact_address,
        logo=await read_upload(logo, MAX_LOGO_BYTES),
        remove_logo=bool(remove_logo),
    )


@router.post("/admin/academies")
async def create_academy(
    request: Request,
    viewer: Admin,
    session: DbSession,
    name: Text200 = "",
    short_name: Text200 = "",
    country: Text200 = "",
    timezone: Annotated[str, Form(max_length=100)] = "",
    languages: Annotated[list[str], Form(max_length=4)] = [],  # noqa: B006 - FastAPI copies it
    contact_address: Annotated[str, Form(max_length=2000)] = "",
    logo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    form = await _academy_form(
        name, short_name, country, timezone, languages, contact_address, logo
    )
    try:
        academy = admin.create_academy(session, settings_of(request), form, actor_id=_actor(viewer))
    except admin.AdminError as invalid:
        return _academy_page(request, None, form, invalid.errors, status_code=400)
    return redirect(
        request,
        f"/admin/cohorts/new?academy_id={academy.id}",
        _("Academy created. Now create its first cohort."),
    )


def _academy(session: DbSession, academy_id: int) -> Academy:
    academy = session.get(Academy, academy_id)
    if academy is None:
        raise HTTPException(status_code=404)
    return academy


@router.get("/admin/academies/{academy_id}")
def edit_academy(
    request: Request, academy_id: PathId, viewer: Admin, session: DbSession
) -> Response:
    academy = _academy(session, academy_id)
    return _academy_page(request, academy, admin.academy_form(academy), {})


@router.post("/admin/academies/{academy_id}")
async def update_academy(
    request: Request,
    academy_id: PathId,
    viewer: Admin,
    session: DbSession,
    name: Text200 = "",
    short_name: Text200 = "",
    country: Text200 = "",
    timezone: Annotated[str, Form(max_length=100)] = "",
    languages: Annotated[list[str], Form(max_length=4)] = [],  # noqa: B006 - FastAPI copies it
    contact_address: Annotated[str, Form(max_length=2000)] = "",
    logo: Annotated[UploadFile | None, File()] = None,
    remove_logo: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    academy = _academy(session, academy_id)
    form = await _academy_form(
        name, short_name, country, timezone, languages, contact_address, logo, remove_logo
    )
    try:
        admin.update_academy(session, settings_of(request), academy, form, actor_id=_actor(viewer))
    except admin.AdminError as invalid:
        session.rollback()
        return _academy_page(request, academy, form, invalid.errors, status_code=400)
    return redirect(request, "/admin", _("Academy saved."))


@router.get("/academies/{academy_id}/logo")
def academy_logo(
    request: Request, academy_id: PathId, session: DbSession, _v: AnyViewer
) -> Response:
    academy = _academy(session, academy_id)
    path = admin.academy_logo(settings_of(request), academy)
    if path is None:
        raise HTTPException(status_code=404)
    return FileResponse(
        path, media_type="image/png", headers={"Cache-Control": "public, max-age=300"}
    )


# --- cohorts -------------------------------------------------------------------------


def _cohort_page(
    request: Request,
    session: DbSession,
    form: new_cohorts.CohortForm,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    academies = [line.academy for line in admin.overview(session, local_today())]
    return render(
        request,
        "admin/cohort_form.html",
        {
            "form": form,
            "errors": errors,
            "academies": academies,
            "curricula": new_cohorts.curriculum_choices(session),
            "timeframes": TIMEFRAMES,
            "second_languages": admin.SECOND_LANGUAGES,
        },
        status_code=status_code,
    )


@router.get("/admin/cohorts/new")
def new_cohort(
    request: Request,
    viewer: Admin,
    session: DbSession,
    academy_id: QueryId = None,
) -> Response:
    form = new_cohorts.CohortForm(academy_id=academy_id)
    academy = session.get(Academy, academy_id) if academy_id else None
    if academy is not None and academy.local_language != "en":
        form.second_language = academy.local_language
    return _cohort_page(request, session, form, {})


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


@router.post("/admin/cohorts")
def create_cohort(
    request: Request,
    viewer: Admin,
    session: DbSession,
    academy_id: OptionalFormId = None,
    name: Text200 = "",
    starts_on: Annotated[str, Form(max_length=20)] = "",
    ends_on: Annotated[str, Form(max_length=20)] = "",
    curriculum_id: OptionalFormId = None,
    timeframe: Annotated[str, Form(max_length=40)] = "",
    second_language: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    form = new_cohorts.CohortForm(
        academy_id=academy_id,
        name=name,
        starts_on=_day(starts_on),
        ends_on=_day(ends_on),
        curriculum_id=curriculum_id,
        timeframe=timeframe,
        second_language=second_language,
    )
    try:
        cohort = new_cohorts.create_cohort(session, form, actor_id=_actor(viewer))
    except admin.AdminError as invalid:
        session.rollback()
        errors = invalid.errors
        if starts_on.strip() and form.starts_on is None:
            errors["starts_on"] = _("Enter the first day as a date, such as 2027-01-15.")
        if ends_on.strip() and form.ends_on is None:
            errors["ends_on"] = _("Enter the last day as a date, such as 2027-12-15.")
        return _cohort_page(request, session, form, errors, status_code=400)
    return redirect(
        request,
        f"/cohorts/{cohort.id}/staff",
        _("Cohort created with its plan. Now invite its trainers."),
    )


def _cohort(session: DbSession, cohort_id: int) -> Cohort:
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise HTTPException(status_code=404)
    return cohort


@router.post("/admin/cohorts/{cohort_id}/archive")
def archive_cohort(
    request: Request, cohort_id: PathId, viewer: Admin, session: DbSession
) -> Response:
    cohort = _cohort(session, cohort_id)
    admin.set_archived(session, cohort, True, actor_id=_actor(viewer))
    return redirect(
        request, "/admin", _("%(name)s is archived: kept, read-only.", name=cohort.name)
    )


@router.post("/admin/cohorts/{cohort_id}/unarchive")
def unarchive_cohort(
    request: Request, cohort_id: PathId, viewer: Admin, session: DbSession
) -> Response:
    cohort = _cohort(session, cohort_id)
    admin.set_archived(session, cohort, False, actor_id=_actor(viewer))
    return redirect(request, "/admin", _("%(name)s is back in use.", name=cohort.name))
