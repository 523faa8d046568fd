"""A cohort's convenings (list, create, edit) and attendance taken on a phone: one tap
per person per day, saved as you go."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from iil_lms.cohorts import convenings as service
from iil_lms.cohorts.models import Convening, Role
from iil_lms.curriculum.plans import plan_for_cohort
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.web.auth import CohortAccess, DbSession, cohort_role
from iil_lms.web.params import PathId
from iil_lms.web.responses import redirect
from iil_lms.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

StaffAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER, Role.ORGANISER))]
ConveningId = PathId


def _modules(session: DbSession, cohort_id: int) -> list[tuple[int, str]]:
    """The modules a convening may cover: those of the cohort's plan, in plan order."""
    seen: dict[int, str] = {}
    for planned in plan_for_cohort(session, cohort_id).default:
        seen.setdefault(planned.module_id, planned.module_title)
    return list(seen.items())


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


async def _draft(request: Request) -> tuple[service.ConveningDraft, dict[str, Any]]:
    form = await request.form()
    values: dict[str, Any] = {
        k: str(form.get(k) or "") for k in ("title", "starts_on", "ends_on", "venue", "agenda")
    }
    raw_modules = [str(v) for v in form.getlist("module_ids")]
    module_ids = tuple(int(v) for v in raw_modules if v.isdigit() and len(v) < 18)
    values["module_ids"] = list(module_ids)
    draft = service.ConveningDraft(
        title=values["title"],
        starts_on=_day(values["starts_on"]),
        ends_on=_day(values["ends_on"]),
        venue=values["venue"],
        agenda=values["agenda"],
        module_ids=module_ids,
    )
    return draft, values


def _errors(invalid: service.ConveningInvalid) -> dict[str, str]:
    return {k: _(msgid, **params) for k, (msgid, params) in invalid.errors.items()}


def _list_page(
    request: Request,
    access: StaffAccess,
    session: DbSession,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    assert access.cohort.id is not None
    return render(
        request,
        "cohorts/convenings.html",
        {
            "cohort": access.cohort,
            "summaries": service.cohort_convenings(session, access.cohort.id),
            "modules": _modules(session, access.cohort.id),
            "values": values or {"module_ids": []},
            "errors": errors or {},
            "today": local_today(),
        },
        status_code=status_code,
    )


@router.get("/cohorts/{cohort_id}/convenings")
def convenings_page(request: Request, access: StaffAccess, session: DbSession) -> Response:
    return _list_page(request, access, session)


@router.post("/cohorts/{cohort_id}/convenings")
async def create_convening(request: Request, access: StaffAccess, session: DbSession) -> Response:
    assert access.cohort.id is not None
    draft, values = await _draft(request)
    try:
        convening = service.save_convening(
            session,
            access.cohort.id,
            draft,
            allowed_modules=[m for m, _title in _modules(session, access.cohort.id)],
            actor_id=access.user.id or 0,
        )
    except service.ConveningInvalid as invalid:
        return _list_page(
            request, access, session, values=values, errors=_errors(invalid), status_code=400
        )
    return redirect(
        request,
        f"/cohorts/{access.cohort.id}/convenings/{convening.id}",
        _("Convening saved. Take attendance from here on each of its days."),
    )


def _convening(session: DbSession, access: StaffAccess, convening_id: int) -> Convening:
    assert access.cohort.id is not None
    convening = service.convening_of(session, access.cohort.id, convening_id)
    if convening is None:
        raise HTTPException(status_code=404)
    return convening


def _convening_page(
    request: Request,
    access: StaffAccess,
    session: DbSession,
    convening: Convening,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    assert access.cohort.id is not None
    summary = next(
        s
        for s in service.cohort_convenings(session, access.cohort.id)
        if s.convening.id == convening.id
    )
    modules = _modules(session, access.cohort.id)
    return render(
        request,
        "cohorts/convening.html",
        {
            "cohort": access.cohort,
            "summary": summary,
            "convening": convening,
            "days": service.days_of(convening),
            "modules": modules,
            "module_titles": dict(modules),
            "values": values
            or {
                "title": convening.title,
                "starts_on": convening.starts_on.isoformat(),
                "ends_on": convening.ends_on.isoformat(),
                "venue": convening.venue,
                "agenda": convening.agenda,
                "module_ids": convening.module_ids,
            },
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/cohorts/{cohort_id}/convenings/{convening_id}")
def convening_page(
    request: Request, convening_id: ConveningId, access: StaffAccess, session: DbSession
) -> Response:
    return _convening_page(request, access, session, _convening(session, access, convening_id))


@router.post("/cohorts/{cohort_id}/convenings/{convening_id}")
async def save_convening(
    request: Request, convening_id: ConveningId, access: StaffAccess, session: DbSession
) -> Response:
    assert access.cohort.id is not None
    draft, values = await _draft(request)
    convening = _convening(session, access, convening_id)
    try:
        service.save_convening(
            session,
            access.cohort.id,
            draft,
            allowed_modules=[m for m, _title in _modules(session, access.cohort.id)],
            actor_id=access.user.id or 0,
            convening=convening,
        )
    except service.ConveningInvalid as invalid:
        session.rollback()
        return _convening_page(
            request,
            access,
            session,
            _convening(session, access, convening_id),
            values=values,
            errors=_errors(invalid),
            status_code=400,
        )
    return redirect(request, f"/cohorts/{access.cohort.id}/convenings/{convening_id}", _("Saved."))


# --- attendance -------------------------------------------------------------------------


def _sheet_day(convening: Convening, value: str | None) -> date:
    """The day asked for when it is one of the convening's, else today when the
    convening is on, else its first day."""
    days = service.days_of(convening)
    chosen = _day(value or "")
    if chosen in days:
        return chosen
    today = local_today()
    return today if today in days else days[0]


@router.get("/cohorts/{cohort_id}/convenings/{convening_id}/attendance")
def attendance_page(
    request: Request,
    convening_id: ConveningId,
    access: StaffAccess,
    session: DbSession,
    day: str | None = None,
    q: str = "",
) -> Response:
    convening = _convening(session, access, convening_id)
    chosen = _sheet_day(convening, day)
    rows = service.attendance_sheet(session, convening, chosen, q)
    return render(
        request,
        "cohorts/convening_attendance.html",
        {
            "cohort": access.cohort,
            "convening": convening,
            "days": service.days_of(convening),
            "day": chosen,
            "q": q.strip()[:100],
            "rows": rows,
            "marked": sum(1 for r in rows if r.present is not None),
            "present": sum(1 for r in rows if r.present),
        },
        fragment="cohorts/_convening_attendance_list.html",
    )


@router.post("/cohorts/{cohort_id}/convenings/{convening_id}/attendance")
async def mark_attendance(
    request: Request, convening_id: ConveningId, access: StaffAccess, session: DbSession
) -> Response:
    convening = _convening(session, access, convening_id)
    form = await request.form()
    raw_user, raw_day = str(form.get("user_id") or ""), str(form.get("day") or "")
    present = str(form.get("present") or "") == "1"
    q = str(form.get("q") or "")[:100]
    day = _day(raw_day)
    if not raw_user.isdigit() or len(raw_user) > 18 or day is None:
        raise HTTPException(status_code=400, detail=_("Choose a trainee and a day."))
    try:
        service.record_attendance(
            session,
            convening,
            user_id=int(raw_user),
            day=day,
            present=present,
            actor_id=access.user.id or 0,
        )
    except service.ConveningInvalid as invalid:
        raise HTTPException(status_code=400, detail="; ".join(_errors(invalid).values())) from None
    if is_htmx(request):
        row = service.sheet_row(session, convening, day, int(raw_user))
        return render(
            request,
            "cohorts/_convening_attendance_row.html",
            {"cohort": access.cohort, "convening": convening, "day": day, "row": row, "q": q},
        )
    query = urlencode({"day": day.isoformat(), **({"q": q} if q else {})})
    return redirect(
        request,
        f"/cohorts/{access.cohort.id}/convenings/{convening.id}/attendance?{query}#person-{raw_user}",
    )
