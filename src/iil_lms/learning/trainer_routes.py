"""The trainer's submission pages (who submitted what, paper entry) and the printable
exercise packs, for the trainee and for the cohort's staff."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from iil_lms.cohorts.models import Role
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.learning import pack as packs
from iil_lms.learning import trainer_service as ts
from iil_lms.learning import uploads
from iil_lms.learning.answers import ACTION_PLAN_FIELDS, LIKERT
from iil_lms.web.auth import CohortAccess, DbSession, SignedIn, cohort_role, settings_of
from iil_lms.web.params import CircleFilter, PathId, circle_filter_id, form_int
from iil_lms.web.responses import download, redirect
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)

TrainerAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER))]
StaffAccess = Annotated[
    CohortAccess, Depends(cohort_role(Role.TRAINER, Role.ORGANISER, Role.MENTOR))
]


def status_labels() -> dict[str, str]:
    return {
        ts.NOT_STARTED: _("Not started"),
        ts.DRAFT: _("Draft"),
        "submitted": _("Submitted"),
        "returned": _("Returned"),
        "accepted": _("Accepted"),
        "scored": _("Scored"),
    }


def type_labels() -> dict[str, str]:
    return {
        "reflection": _("Reflection"),
        "case_study": _("Case study"),
        "quiz": _("Quiz"),
        "upload": _("Upload"),
        "action_plan": _("Action plan"),
        "survey": _("Survey"),
    }


def _circle(value: str | None) -> int | None:
    return circle_filter_id(value)


# --- who submitted what -----------------------------------------------------------------


@router.get("/cohorts/{cohort_id}/submissions")
def submissions_overview(
    request: Request, access: TrainerAccess, session: DbSession, circle: CircleFilter = None
) -> Response:
    overview = ts.submissions_overview(session, access.cohort, _circle(circle))
    return render(
        request,
        "learning/trainer/overview.html",
        {"cohort": access.cohort, "overview": overview, "types": type_labels()},
        fragment="learning/trainer/_overview_table.html",
    )


def _exercise_page(
    request: Request,
    access: TrainerAccess,
    session: DbSession,
    exercise_id: int,
    circle_id: int | None,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    page = ts.exercise_submissions(session, access.cohort, exercise_id, circle_id)
    if page is None:
        raise HTTPException(status_code=404)
    return render(
        request,
        "learning/trainer/exercise.html",
        {
            "cohort": access.cohort,
            "page": page,
            "statuses": status_labels(),
            "types": type_labels(),
            "errors": errors or {},
            "values": values or {},
            "entry_key": secrets.token_urlsafe(18),
            "action_plan_fields": ACTION_PLAN_FIELDS,
            "likert": LIKERT,
            "today": local_today(),
        },
        fragment="learning/trainer/_exercise_table.html",
        status_code=status_code,
    )


@router.get("/cohorts/{cohort_id}/exercises/{exercise_id}/submissions")
def exercise_submissions(
    request: Request,
    exercise_id: PathId,
    access: TrainerAccess,
    session: DbSession,
    circle: CircleFilter = None,
) -> Response:
    return _exercise_page(request, access, session, exercise_id, _circle(circle))


# --- paper entry ------------------------------------------------------------------------


@router.post("/cohorts/{cohort_id}/exercises/{exercise_id}/paper")
async def enter_paper(
    request: Request, exercise_id: PathId, access: TrainerAccess, session: DbSession
) -> Response:
    settings = settings_of(request)
    form = await request.form()
    fields: dict[str, list[str]] = {}
    upload: uploads.Upload | None = None
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            if name == "file" and value.filename:
                data = await value.read(settings.upload_max_bytes + 1)
                upload = uploads.Upload(
                    data=data,
                    original_name=value.filename,
                    uploads_dir=settings.uploads_dir,
                    max_bytes=settings.upload_max_bytes,
                )
            continue
        fields.setdefault(name, []).append(value)
    raw_trainee = (fields.get("trainee_id") or [""])[0]
    raw_day = (fields.get("done_on") or [""])[0]
    errors: dict[str, str] = {}
    done_on: date | None = None
    if raw_day:
        try:
            done_on = date.fromisoformat(raw_day)
        except ValueError:
            errors["done_on"] = _("Give the day as a date, for example 2026-10-02.")
    trainee_id = form_int(raw_trainee, "trainee_id")
    if trainee_id is None:
        errors["trainee_id"] = _("Choose the trainee whose work this is.")
    submission = None
    if not errors and trainee_id is not None:
        try:
            submission = ts.enter_paper_submission(
                session,
                cohort=access.cohort,
                exercise_id=exercise_id,
                trainee_id=trainee_id,
                entered_by_id=access.user.id or 0,
                form=fields,
                done_on=done_on,
                upload=upload,
                idempotency_key=(fields.get("entry_key") or [""])[0][:64] or None,
            )
        except ts.PaperEntryInvalid as invalid:
            errors = invalid.errors
    if submission is None:
        values = {k: v if len(v) > 1 else v[0] for k, v in fields.items() if k != "csrf_token"}
        return _exercise_page(
            request,
            access,
            session,
            exercise_id,
            None,
            errors=errors,
            values=values,
            status_code=400,
        )
    return redirect(
        request,
        f"/cohorts/{access.cohort.id}/exercises/{exercise_id}/submissions",
        _(
            "Recorded version %(version)s from paper. It is now in the list below.",
            version=submission.version,
        ),
    )


# --- exercise packs ---------------------------------------------------------------------


def _pdf_response(pdf: bytes, filename: str) -> Response:
    return download(pdf, "application/pdf", filename)


def _render_pack(request: Request, pack: packs.Pack, key: str) -> bytes:
    settings = settings_of(request)
    return packs.cached_pack_pdf(
        pack,
        settings.data_dir / "cache" / "packs",
        key=key,
        env=request.app.state.templates,
        static_dir=settings.static_dir,
    )


@router.get("/journey/modules/{module_id}/pack.pdf")
def trainee_pack(
    request: Request, module_id: PathId, viewer: SignedIn, session: DbSession
) -> Response:
    """A trainee prints a module of their own plan; for anyone else it does not exist."""
    assert viewer.user is not None and viewer.user.id is not None
    found = packs.trainee_pack_cohort(session, viewer.user.id, module_id, viewer.active_cohort_id)
    if found is None:
        raise HTTPException(status_code=404)
    cohort, module = found
    pack = packs.build_pack(session, module, cohort, viewer.language)
    key = f"{cohort.id}-{module_id}-{pack.language}"
    return _pdf_response(_render_pack(request, pack, key), pack.filename)


@router.get("/cohorts/{cohort_id}/modules/{module_id}/pack.pdf")
def cohort_pack(
    request: Request, module_id: PathId, access: StaffAccess, session: DbSession
) -> Response:
    assert access.cohort.id is not None
    module = packs.module_in_cohort_plan(session, access.cohort.id, module_id)
    if module is None:
        raise HTTPException(status_code=404)
    pack = packs.build_pack(session, module, access.cohort, access.viewer.language)
    key = f"{access.cohort.id}-{module_id}-{pack.language}"
    return _pdf_response(_render_pack(request, pack, key), pack.filename)
