from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from iil_lms.cohorts import service
from iil_lms.cohorts.models import Role
from iil_lms.web.auth import CohortAccess, DbSession, cohort_role
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)

StaffAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER, Role.ORGANISER))]


@router.get("/cohorts/{cohort_id}")
def cohort_home(request: Request, access: StaffAccess, session: DbSession) -> Response:
    overview = service.cohort_overview(session, access.cohort)
    return render(request, "cohorts/home.html", {"overview": overview, "access": access})
