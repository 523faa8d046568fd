"""A cohort's staff page: who trains, organises and mentors it; invitations by email;
changing and removing roles. For the cohort's trainers and site admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from iil_lms.cohorts import staff
from iil_lms.cohorts.models import Role
from iil_lms.i18n import gettext as _
from iil_lms.web.auth import CohortAccess, DbSession, cohort_role, settings_of
from iil_lms.web.params import PathId
from iil_lms.web.responses import redirect
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)

TrainerAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER))]


def _page(
    request: Request,
    session: DbSession,
    access: CohortAccess,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    row_errors: dict[int, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "cohorts/staff.html",
        {
            "cohort": access.cohort,
            "members": staff.staff_of(session, access.cohort.id or 0),
            "roles": staff.STAFF_ROLE_VALUES,
            "form": form or {"role": "trainer", "email": "", "name": ""},
            "errors": errors or {},
            "row_errors": row_errors or {},
        },
        status_code=status_code,
    )


@router.get("/cohorts/{cohort_id}/staff")
def staff_page(request: Request, access: TrainerAccess, session: DbSession) -> Response:
    return _page(request, session, access)


@router.post("/cohorts/{cohort_id}/staff")
def invite(
    request: Request,
    access: TrainerAccess,
    session: DbSession,
    email: Annotated[str, Form(max_length=400)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    try:
        invited = staff.invite(
            session,
            settings_of(request),
            access.cohort,
            email=email,
            name=name,
            role=role,
            actor=access.user,
        )
    except staff.StaffError as invalid:
        form = {"email": email, "name": name, "role": role}
        return _page(request, session, access, form=form, errors=invalid.errors, status_code=400)
    message = (
        _(
            "%(email)s is invited: an email with a link to choose a password is on its way.",
            email=invited.user.email,
        )
        if invited.emailed
        else _("%(name)s now has the role and has been told.", name=invited.user.display_name)
    )
    return redirect(request, f"/cohorts/{access.cohort.id}/staff", message)


@router.post("/cohorts/{cohort_id}/staff/{membership_id}")
def change_role(
    request: Request,
    membership_id: PathId,
    access: TrainerAccess,
    session: DbSession,
    role: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    try:
        staff.change_role(session, access.cohort, membership_id, role, actor_id=access.user.id)
    except LookupError as missing:
        raise HTTPException(status_code=404) from missing
    except staff.StaffError as invalid:
        return _page(
            request,
            session,
            access,
            row_errors={membership_id: " ".join(invalid.errors.values())},
            status_code=400,
        )
    return redirect(request, f"/cohorts/{access.cohort.id}/staff", _("Role changed."))


@router.post("/cohorts/{cohort_id}/staff/{membership_id}/remove")
def remove(
    request: Request, membership_id: PathId, access: TrainerAccess, session: DbSession
) -> Response:
    try:
        staff.remove(session, access.cohort, membership_id, actor_id=access.user.id)
    except LookupError as missing:
        raise HTTPException(status_code=404) from missing
    except staff.StaffError as invalid:
        return _page(
            request,
            session,
            access,
            row_errors={membership_id: " ".join(invalid.errors.values())},
            status_code=400,
        )
    return redirect(
        request, f"/cohorts/{access.cohort.id}/staff", _("Role removed; the account stays.")
    )
