"""Curriculum pages: the browser and module pages for members, and the cohort plan
editor (trainers edit; organisers read) with its module preview."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from iil_lms.cohorts.models import Cohort, Role
from iil_lms.cohorts.service import cohort_circles
from iil_lms.curriculum import plans, service, timeframes
from iil_lms.curriculum.models import Curriculum, CurriculumVersion, Module
from iil_lms.curriculum.service import CurriculumError
from iil_lms.i18n import gettext as _
from iil_lms.i18n import ngettext
from iil_lms.learning import service as learning
from iil_lms.web.auth import CohortAccess, DbSession, SignedIn, Viewer, cohort_role
from iil_lms.web.params import OptionalFormId, PathId
from iil_lms.web.responses import redirect
from iil_lms.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

TrainerAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER))]
PlanReader = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER, Role.ORGANISER))]


def _visible_ids(session: Session, viewer: SignedIn) -> list[int]:
    assert viewer.user is not None
    return service.visible_curriculum_ids(
        session,
        [r.cohort_id for r in viewer.roles],
        viewer.user.is_admin,
        preferred_cohort=viewer.active_cohort_id,
    )


def _reviews_translations(viewer: Viewer) -> bool:
    """Trainers, organisers and admins see which translations are drafts to review."""
    return bool(viewer.user and viewer.user.is_admin) or any(
        r.role in ("trainer", "organiser") for r in viewer.roles
    )


@router.get("/curriculum")
def browser(request: Request, viewer: SignedIn, session: DbSession) -> Response:
    trees = service.curriculum_trees(session, _visible_ids(session, viewer))
    return render(
        request,
        "curriculum/browser.html",
        {"trees": trees, "show_review": _reviews_translations(viewer)},
    )


@router.get("/curriculum/modules/{slug}")
def module_page(request: Request, slug: str, viewer: SignedIn, session: DbSession) -> Response:
    """A module for any member of a cohort whose curriculum holds it (404 otherwise)."""
    module = service.find_module(session, slug, _visible_ids(session, viewer))
    if module is None:
        raise HTTPException(status_code=404)
    detail = service.module_detail(session, module)
    return render(
        request,
        "curriculum/module.html",
        {"detail": detail, "preview": False, "show_review": _reviews_translations(viewer)},
    )


def _plan_context(session: Session, access: CohortAccess) -> dict[str, object]:
    cohort = access.cohort
    editor = plans.editor_view(session, cohort)
    curricula = session.exec(select(Curriculum).order_by(col(Curriculum.title))).all()
    return {
        "cohort": cohort,
        "editor": editor,
        "can_edit": access.has(Role.TRAINER),
        "curriculum": service.curriculum_of_cohort(session, cohort),
        "curricula": curricula,
        "timeframes": timeframes.TIMEFRAMES,
    }


@router.get("/cohorts/{cohort_id}/plan")
def plan_page(request: Request, access: PlanReader, session: DbSession) -> Response:
    return render(request, "curriculum/plan.html", _plan_context(session, access))


@router.post("/cohorts/{cohort_id}/plan/generate")
def generate(
    request: Request,
    access: TrainerAccess,
    session: DbSession,
    timeframe: Annotated[str, Form(max_length=40)] = "",
    curriculum_id: OptionalFormId = None,
    replace: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    back = f"/cohorts/{access.cohort.id}/plan"
    try:
        items = plans.generate_plan(
            session,
            access.cohort,
            timeframe,
            curriculum_id=curriculum_id,
            replace=replace == "yes",
            worked_modules=learning.modules_with_work(session, access.cohort.id or 0),
            actor_id=access.user.id,
        )
    except CurriculumError as error:
        return redirect(request, back, str(error), "error")
    return redirect(
        request,
        back,
        ngettext("Plan generated: %(num)s module.", "Plan generated: %(num)s modules.", len(items)),
    )


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _row_response(
    request: Request,
    session: Session,
    cohort: Cohort,
    module_id: int,
    *,
    message: str,
    error: bool,
) -> Response:
    """htmx gets the row back with the message inline; a plain form post (or a module
    that has no row, being unplanned) a redirect with the message."""
    back = f"/cohorts/{cohort.id}/plan#module-{module_id}"
    try:
        row = plans.editor_row(session, cohort, module_id) if is_htmx(request) else None
    except CurriculumError:
        row = None
    if row is None:
        return redirect(request, back, message, "error" if error else "success")
    circles = cohort_circles(session, cohort.id or 0)
    context = {
        "cohort": cohort,
        "row": row,
        "circles": circles,
        "can_edit": True,
        "message": message,
        "error": error,
    }
    return render(request, "curriculum/_plan_row.html", context)


def _cohort_module_or_404(session: Session, cohort: Cohort, module_id: int) -> Module:
    module = session.get(Module, module_id)
    version = (
        session.get(CurriculumVersion, cohort.curriculum_version_id)
        if cohort.curriculum_version_id
        else None
    )
    if module is None or version is None or module.curriculum_id != version.curriculum_id:
        raise HTTPException(status_code=404)
    return module


@router.post("/cohorts/{cohort_id}/plan/modules/{module_id}/dates")
def save_dates(
    request: Request,
    module_id: PathId,
    access: TrainerAccess,
    session: DbSession,
    opens_on: Annotated[str, Form(max_length=10)] = "",
    due_on: Annotated[str, Form(max_length=10)] = "",
    circle_id: OptionalFormId = None,
) -> Response:
    cohort = access.cohort
    _cohort_module_or_404(session, cohort, module_id)
    try:
        plans.set_dates(
            session,
            cohort,
            module_id,
            _parse_day(opens_on),
            _parse_day(due_on),
            circle_id=circle_id,
            actor_id=access.user.id,
        )
    except CurriculumError as error:
        return _row_response(request, session, cohort, module_id, message=str(error), error=True)
    return _row_response(request, session, cohort, module_id, message=_("Saved."), error=False)


@router.post("/cohorts/{cohort_id}/plan/modules/{module_id}/circles/{circle_id}/clear")
def clear_circle(
    request: Request,
    module_id: PathId,
    circle_id: PathId,
    access: TrainerAccess,
    session: DbSession,
) -> Response:
    cohort = access.cohort
    _cohort_module_or_404(session, cohort, module_id)
    plans.clear_circle_dates(session, cohort, module_id, circle_id, actor_id=access.user.id)
    message = _("The circle follows the cohort's dates again.")
    return _row_response(request, session, cohort, module_id, message=message, error=False)


CircleField = OptionalFormId


@router.post("/cohorts/{cohort_id}/plan/modules/{module_id}/remove")
def remove(
    request: Request,
    module_id: PathId,
    access: TrainerAccess,
    session: DbSession,
    circle_id: CircleField = None,
) -> Response:
    return _set_removed(request, module_id, access, session, circle_id, removed=True)


@router.post("/cohorts/{cohort_id}/plan/modules/{module_id}/restore")
def restore(
    request: Request,
    module_id: PathId,
    access: TrainerAccess,
    session: DbSession,
    circle_id: CircleField = None,
) -> Response:
    return _set_removed(request, module_id, access, session, circle_id, removed=False)


def _set_removed(
    request: Request,
    module_id: int,
    access: CohortAccess,
    session: Session,
    circle_id: int | None,
    *,
    removed: bool,
) -> Response:
    """For the whole cohort, or for one learning circle when the form names it."""
    cohort = access.cohort
    _cohort_module_or_404(session, cohort, module_id)
    circle = circle_id
    try:
        plans.set_removed(
            session, cohort, module_id, removed, circle_id=circle, actor_id=access.user.id
        )
    except CurriculumError as error:
        return _row_response(request, session, cohort, module_id, message=str(error), error=True)
    if circle is not None:
        message = (
            _("Dropped for this circle. Its trainees no longer see it.")
            if removed
            else _("Back in the plan.")
        )
    else:
        message = (
            _("Dropped from the plan. Trainees no longer see it.")
            if removed
            else _("Back in the plan.")
        )
    return _row_response(request, session, cohort, module_id, message=message, error=False)


@router.post("/cohorts/{cohort_id}/plan/add")
def add(
    request: Request,
    access: TrainerAccess,
    session: DbSession,
    module_id: OptionalFormId = None,
    opens_on: Annotated[str, Form(max_length=10)] = "",
    due_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    back = f"/cohorts/{access.cohort.id}/plan"
    try:
        if module_id is None:
            raise CurriculumError(_("Choose a module to add."))
        plans.add_module(
            session,
            access.cohort,
            module_id,
            _parse_day(opens_on),
            _parse_day(due_on),
            actor_id=access.user.id,
        )
    except CurriculumError as error:
        return redirect(request, back, str(error), "error")
    return redirect(request, f"{back}#module-{module_id}", _("Module added to the plan."))


@router.get("/cohorts/{cohort_id}/plan/preview/{module_id}")
def preview(
    request: Request, module_id: PathId, access: PlanReader, session: DbSession
) -> Response:
    """The module as a trainee of this cohort sees it, read-only."""
    module = _cohort_module_or_404(session, access.cohort, module_id)
    detail = service.module_detail(session, module)
    return render(
        request,
        "curriculum/module.html",
        {"detail": detail, "preview": True, "cohort": access.cohort},
    )
