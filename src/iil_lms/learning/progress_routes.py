"""The cohort progress grid for trainers and organisers, and its CSV export."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup

from iil_lms import __version__
from iil_lms.accounts.models import User
from iil_lms.cohorts.models import LearningCircle, Role
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.learning import progress
from iil_lms.reports import exports
from iil_lms.web.auth import CohortAccess, DbSession, cohort_role, inline_reads, run_db
from iil_lms.web.flash import FLASH_COOKIE
from iil_lms.web.page_cache import PageCache, clear_on_flush
from iil_lms.web.params import CircleFilter
from iil_lms.web.responses import download
from iil_lms.web.templating import render, render_markup

router = APIRouter(include_in_schema=False)

# Trainers and organisers of the cohort (site admins too); others 403, outsiders 404.
ProgressAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER, Role.ORGANISER))]

# The rendered table and its report, under the page's ETag key (the cohort's data
# fingerprint, day, language, filters, role): a reload or another trainer's view of an
# unchanged cohort is not built again. Names are not in the fingerprint: a renamed
# person or circle clears the cache.
_GRIDS: PageCache[tuple[progress.ProgressReport, Markup]] = PageCache(16)
clear_on_flush(User, LearningCircle)


def _report(
    access: ProgressAccess,
    session: DbSession,
    circle: CircleFilter = None,
    status: str | None = None,
    sort: str | None = None,
    attendance: str | None = None,
    withdrawn: str | None = None,
) -> progress.ProgressReport:
    """The grid as filtered and sorted by the query string (unknown values are ignored),
    as of today."""
    assert access.cohort.id is not None
    return progress.cohort_progress(
        session,
        access.cohort.id,
        circle=circle,
        status=status,
        sort=sort,
        today=local_today(),
        language=access.viewer.language,
        attendance=attendance,
        show_withdrawn=withdrawn == "show",
    )


@router.get("/cohorts/{cohort_id}/progress")
@inline_reads
async def progress_page(
    request: Request,
    access: ProgressAccess,
    session: DbSession,
    circle: CircleFilter = None,
    status: str | None = None,
    sort: str | None = None,
    attendance: str | None = None,
    withdrawn: str | None = None,
) -> Response:
    # A history restore asks with HX-Request too, but needs the whole page.
    restoring = request.headers.get("hx-history-restore-request") == "true"
    assert access.cohort.id is not None
    is_trainer = access.has(Role.TRAINER.value)
    # A repeat view answers 304 when nothing the grid shows has changed: the ETag covers
    # the cohort's data (one query), the day, the language, the filters and the layout.
    etag = None
    key = None
    if FLASH_COOKIE not in request.cookies:
        key = "|".join(
            (
                str(access.cohort.id),
                await run_db(request, progress.grid_fingerprint, session, access.cohort.id),
                local_today().isoformat(),
                access.viewer.language,
                str(request.query_params),
                str(is_trainer),
                request.headers.get("hx-request", ""),
                str(restoring),
                __version__,
            )
        )
        etag = 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
        if etag in request.headers.get("if-none-match", ""):
            return Response(
                status_code=304,
                headers={"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "HX-Request"},
            )
    cached = _GRIDS.get(key) if key is not None else None
    if cached is None:
        # Built once per change of the cohort's data (then kept): on SQLite inline, as
        # the route's other reads (the session's connection is the event loop's).
        report = await run_db(
            request, _report, access, session, circle, status, sort, attendance, withdrawn
        )
        table = render_markup(
            request,
            "learning/_progress_table.html",
            {
                "cohort": access.cohort,
                "report": report,
                "labels": progress.status_labels(),
                # The mentee page is open to the cohort's trainers (and site admins).
                "is_trainer": is_trainer,
            },
        )
        if key is not None:
            _GRIDS.put(key, (report, table))
    else:
        report, table = cached
    headers = {"Vary": "HX-Request"}
    if etag is not None:
        headers |= {"ETag": etag, "Cache-Control": "private, no-cache"}
    return render(
        request,
        "learning/progress.html",
        {
            "cohort": access.cohort,
            "report": report,
            "table": table,
            "is_trainer": is_trainer,
            "today": local_today(),
        },
        fragment=None if restoring else "learning/_progress_cached.html",
        headers=headers,
    )


@router.get("/cohorts/{cohort_id}/progress.csv")
def progress_export(
    access: ProgressAccess, report: Annotated[progress.ProgressReport, Depends(_report)]
) -> Response:
    filename = progress.csv_filename(access.cohort.slug, local_today())
    return Response(
        progress.progress_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/cohorts/{cohort_id}/progress.xlsx")
def progress_xlsx(
    access: ProgressAccess, report: Annotated[progress.ProgressReport, Depends(_report)]
) -> Response:
    name = exports.filename(access.cohort.slug, "progress", local_today().isoformat(), "xlsx")
    data = exports.to_xlsx(progress.progress_table(report), _("Progress"))
    return download(data, exports.XLSX_TYPE, name)


@router.get("/cohorts/{cohort_id}/attendance.csv")
def attendance_csv(access: ProgressAccess, session: DbSession) -> Response:
    assert access.cohort.id is not None
    name = exports.filename(access.cohort.slug, "attendance", local_today().isoformat(), "csv")
    data = exports.to_csv(exports.attendance_table(session, access.cohort.id))
    return download(data, exports.CSV_TYPE, name)


@router.get("/cohorts/{cohort_id}/attendance.xlsx")
def attendance_xlsx(access: ProgressAccess, session: DbSession) -> Response:
    assert access.cohort.id is not None
    name = exports.filename(access.cohort.slug, "attendance", local_today().isoformat(), "xlsx")
    table = exports.attendance_table(session, access.cohort.id)
    return download(exports.to_xlsx(table, _("Attendance")), exports.XLSX_TYPE, name)
