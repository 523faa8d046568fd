"""The trainer sets the cohort's at-risk thresholds from the progress page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from iil_lms.cohorts.models import Role
from iil_lms.i18n import gettext as _
from iil_lms.reports import at_risk
from iil_lms.web.auth import CohortAccess, DbSession, cohort_role
from iil_lms.web.responses import redirect

router = APIRouter(include_in_schema=False)

TrainerAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER))]
Days = Annotated[int, Form(ge=at_risk.LOWEST_DAYS, le=at_risk.HIGHEST_DAYS)]


@router.post("/cohorts/{cohort_id}/progress/at-risk")
def save_at_risk_thresholds(
    request: Request,
    access: TrainerAccess,
    session: DbSession,
    behind_days: Days,
    idle_days: Days,
) -> Response:
    at_risk.set_thresholds(session, access.cohort, behind_days=behind_days, idle_days=idle_days)
    return redirect(
        request,
        f"/cohorts/{access.cohort.id}/progress",
        _(
            "Saved. A trainee is now at risk when a milestone is overdue by more than "
            "%(behind)s days, or after %(idle)s days without activity.",
            behind=behind_days,
            idle=idle_days,
        ),
    )
