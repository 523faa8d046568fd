"""Reading the audit log: a cohort's log for its trainers, the whole site's for admins.
Read-only: nothing here writes to the log (only audit.service.record does)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from iil_lms.audit import service
from iil_lms.cohorts.models import Role
from iil_lms.i18n import get_timezone
from iil_lms.web.auth import Admin, CohortAccess, DbSession, cohort_role
from iil_lms.web.params import PageNumber
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)

TrainerAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER))]
ActionFilter = Annotated[str, Query(max_length=80, pattern=r"^[A-Za-z0-9_.-]*$")]
PersonFilter = Annotated[str, Query(max_length=120)]
DayFilter = Annotated[date | None, Query()]


def _filters(
    action: ActionFilter = "",
    person: PersonFilter = "",
    since: DayFilter = None,
    until: DayFilter = None,
) -> service.Filters:
    """The log's filters from the query string (both logs take the same)."""
    return service.Filters(action, person.strip(), since, until)


LogFilters = Annotated[service.Filters, Depends(_filters)]


def _page(
    request: Request,
    session: DbSession,
    *,
    cohort_id: int | None,
    context: dict[str, object],
    filters: service.Filters,
    page: int,
) -> Response:
    log = service.browse(
        session, cohort_id=cohort_id, filters=filters, page=page, tz=get_timezone()
    )
    query = {
        "action": filters.action,
        "person": filters.person,
        "since": filters.since.isoformat() if filters.since else "",
        "until": filters.until.isoformat() if filters.until else "",
    }
    return render(
        request,
        "audit/log.html",
        {
            **context,
            "log": log,
            "filters": filters,
            "query": urlencode({k: v for k, v in query.items() if v}),
        },
    )


@router.get("/cohorts/{cohort_id}/audit")
def cohort_log(
    request: Request,
    access: TrainerAccess,
    session: DbSession,
    filters: LogFilters,
    page: PageNumber = 1,
) -> Response:
    return _page(
        request,
        session,
        cohort_id=access.cohort.id,
        context={"cohort": access.cohort, "base": f"/cohorts/{access.cohort.id}/audit"},
        filters=filters,
        page=page,
    )


@router.get("/admin/audit")
def site_log(
    request: Request,
    viewer: Admin,
    session: DbSession,
    filters: LogFilters,
    page: PageNumber = 1,
) -> Response:
    return _page(
        request,
        session,
        cohort_id=None,
        context={"cohort": None, "base": "/admin/audit"},
        filters=filters,
        page=page,
    )
