"""The trainer's roster page: people, import (upload, preview, confirm), templates and
export, and one person's details (edit, withdraw, enrol again)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from iil_lms.cohorts import roster
from iil_lms.cohorts.models import Membership, Role
from iil_lms.i18n import gettext as _
from iil_lms.web.auth import CohortAccess, DbSession, cohort_role, settings_of
from iil_lms.web.params import PathId
from iil_lms.web.responses import download, redirect
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)

# The roster holds self-declared GESI answers: the cohort's trainers and site admins only.
TrainerAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER))]
MembershipId = PathId
Token = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def field_labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "email": _("Email"),
        "department": _("Department or ministry"),
        "service_group": _("Service group / cadre"),
        "district": _("District"),
        "province": _("Province"),
        "circle": _("Learning circle"),
        "language": _("Preferred language"),
        "gender": _("Gender (optional, self-declared)"),
        "disability": _("Disability (optional, self-declared)"),
    }


def _roster_page(
    request: Request,
    access: TrainerAccess,
    session: DbSession,
    *,
    show: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    assert access.cohort.id is not None
    people = roster.people(session, access.cohort.id)
    return render(
        request,
        "cohorts/roster.html",
        {
            "cohort": access.cohort,
            "people": people if show == "withdrawn" else [p for p in people if not p.withdrawn],
            "withdrawn_count": sum(1 for p in people if p.withdrawn),
            "total": len(people),
            "show": show,
            "error": error,
            "headers": roster.HEADERS,
            "labels": field_labels(),
            "max_mb": roster.MAX_FILE_BYTES // (1024 * 1024),
        },
        status_code=status_code,
    )


@router.get("/cohorts/{cohort_id}/roster")
def roster_page(
    request: Request, access: TrainerAccess, session: DbSession, show: str = ""
) -> Response:
    return _roster_page(request, access, session, show="withdrawn" if show == "withdrawn" else "")


@router.post("/cohorts/{cohort_id}/roster/upload")
async def upload_roster(request: Request, access: TrainerAccess, session: DbSession) -> Response:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _roster_page(
            request,
            access,
            session,
            error=_("Choose a .csv or .xlsx file to import."),
            status_code=400,
        )
    data = await upload.read(roster.MAX_FILE_BYTES + 1)
    try:
        stored, _preview = roster.store_upload(
            session, access.cohort, access.user.id or 0, data, upload.filename
        )
    except roster.RosterFileRefused as refused:
        return _roster_page(
            request, access, session, error=_(refused.msgid, **refused.params), status_code=400
        )
    return redirect(request, f"/cohorts/{access.cohort.id}/roster/imports/{stored.token}")


def _preview_page(
    request: Request,
    access: TrainerAccess,
    token: str,
    preview: roster.Preview,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "cohorts/roster_preview.html",
        {
            "cohort": access.cohort,
            "token": token,
            "preview": preview,
            "labels": field_labels(),
            "keys": roster.KEYS,
        },
        status_code=status_code,
    )


@router.get("/cohorts/{cohort_id}/roster/imports/{token}")
def preview_import(
    request: Request, token: Token, access: TrainerAccess, session: DbSession
) -> Response:
    upload = roster.find_upload(session, access.cohort, token)
    if upload is None:
        raise HTTPException(status_code=404)
    return _preview_page(
        request, access, token, roster.preview_upload(session, access.cohort, upload)
    )


@router.post("/cohorts/{cohort_id}/roster/imports/{token}")
def confirm_import(
    request: Request, token: Token, access: TrainerAccess, session: DbSession
) -> Response:
    upload = roster.find_upload(session, access.cohort, token)
    if upload is None:
        raise HTTPException(status_code=404)
    preview, result = roster.confirm_upload(
        session, settings_of(request), access.cohort, upload, access.user.id or 0
    )
    if result is None:
        return _preview_page(request, access, token, preview, status_code=400)
    return redirect(
        request,
        f"/cohorts/{access.cohort.id}/roster",
        _(
            "Imported: %(invited)s invited, %(enrolled)s enrolled with their account, "
            "%(unchanged)s already on the roster.",
            invited=result.invited,
            enrolled=result.enrolled,
            unchanged=result.unchanged,
        ),
    )


CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/cohorts/{cohort_id}/roster/template.csv")
def template_csv(access: TrainerAccess) -> Response:
    return download(roster.to_csv([]), CSV_TYPE, "roster-template.csv")


@router.get("/cohorts/{cohort_id}/roster/template.xlsx")
def template_xlsx(access: TrainerAccess) -> Response:
    return download(roster.to_xlsx([]), XLSX_TYPE, "roster-template.xlsx")


@router.get("/cohorts/{cohort_id}/roster/export.csv")
def export_csv(access: TrainerAccess, session: DbSession) -> Response:
    assert access.cohort.id is not None
    rows = roster.roster_rows(session, access.cohort.id)
    return download(
        roster.to_csv(rows), CSV_TYPE, roster.export_filename(access.cohort.slug, "csv")
    )


@router.get("/cohorts/{cohort_id}/roster/export.xlsx")
def export_xlsx(access: TrainerAccess, session: DbSession) -> Response:
    assert access.cohort.id is not None
    rows = roster.roster_rows(session, access.cohort.id)
    return download(
        roster.to_xlsx(rows), XLSX_TYPE, roster.export_filename(access.cohort.slug, "xlsx")
    )


# --- one person -------------------------------------------------------------------------


def _membership(session: DbSession, access: TrainerAccess, membership_id: int) -> Membership:
    membership = roster.trainee_membership(session, access.cohort, membership_id)
    if membership is None:
        raise HTTPException(status_code=404)
    return membership


def _person_page(
    request: Request,
    access: TrainerAccess,
    session: DbSession,
    membership: Membership,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    assert access.cohort.id is not None
    person = next(
        p for p in roster.people(session, access.cohort.id) if p.membership_id == membership.id
    )
    return render(
        request,
        "cohorts/roster_person.html",
        {
            "cohort": access.cohort,
            "person": person,
            "values": values or {k: getattr(person, k) for k in roster.EDITABLE},
            "errors": errors or {},
            "labels": field_labels(),
            "editable": roster.EDITABLE,
        },
        status_code=status_code,
    )


@router.get("/cohorts/{cohort_id}/roster/people/{membership_id}")
def person_page(
    request: Request, membership_id: MembershipId, access: TrainerAccess, session: DbSession
) -> Response:
    return _person_page(request, access, session, _membership(session, access, membership_id))


@router.post("/cohorts/{cohort_id}/roster/people/{membership_id}")
async def save_person(
    request: Request, membership_id: MembershipId, access: TrainerAccess, session: DbSession
) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in roster.EDITABLE}
    membership = _membership(session, access, membership_id)
    try:
        roster.update_person(session, access.cohort, membership, values, access.user.id or 0)
    except roster.RosterError as invalid:
        errors = {k: _(msgid, **params) for k, (msgid, params) in invalid.errors.items()}
        return _person_page(
            request, access, session, membership, values=values, errors=errors, status_code=400
        )
    return redirect(request, f"/cohorts/{access.cohort.id}/roster", _("Saved."))


@router.post("/cohorts/{cohort_id}/roster/people/{membership_id}/withdraw")
def withdraw_person(
    request: Request, membership_id: MembershipId, access: TrainerAccess, session: DbSession
) -> Response:
    membership = _membership(session, access, membership_id)
    roster.set_withdrawn(session, membership, True, access.user.id or 0)
    return redirect(
        request,
        f"/cohorts/{access.cohort.id}/roster/people/{membership_id}",
        _("Withdrawn. Their work is kept; enrol them again at any time."),
    )


@router.post("/cohorts/{cohort_id}/roster/people/{membership_id}/reenrol")
def reenrol_person(
    request: Request, membership_id: MembershipId, access: TrainerAccess, session: DbSession
) -> Response:
    membership = _membership(session, access, membership_id)
    roster.set_withdrawn(session, membership, False, access.user.id or 0)
    return redirect(
        request,
        f"/cohorts/{access.cohort.id}/roster/people/{membership_id}",
        _("Enrolled again."),
    )
