"""The cohort's GESI figures for its trainers: the page, and the same as a PDF for a
donor report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from iil_lms.cohorts.models import Role
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.pdf.rendering import render_template_pdf
from iil_lms.reports import exports, gesi
from iil_lms.settings import Settings
from iil_lms.web.auth import CohortAccess, DbSession, cohort_role
from iil_lms.web.responses import download
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)

# The figures come from self-declared GESI answers: the cohort's trainers and site admins
# only, like the roster that holds them.
GesiAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER))]


def _report(access: GesiAccess, session: DbSession) -> gesi.GesiReport:
    assert access.cohort.id is not None
    return gesi.cohort_gesi(
        session, access.cohort.id, today=local_today(), language=access.viewer.language
    )


GesiFigures = Annotated[gesi.GesiReport, Depends(_report)]


@router.get("/cohorts/{cohort_id}/gesi")
def gesi_page(request: Request, access: GesiAccess, report: GesiFigures) -> Response:
    return render(
        request,
        "reports/gesi.html",
        {"cohort": access.cohort, "report": report, "today": local_today()},
    )


@router.get("/cohorts/{cohort_id}/gesi.pdf")
def gesi_pdf(request: Request, access: GesiAccess, report: GesiFigures) -> Response:
    settings: Settings = request.app.state.settings
    pdf = render_template_pdf(
        "gesi.html",
        {"cohort": access.cohort, "report": report, "today": local_today()},
        access.viewer.language,
        env=request.app.state.templates,
        static_dir=settings.static_dir,
    )
    filename = f"gesi-{access.cohort.slug}-{local_today().isoformat()}.pdf"
    return download(pdf, "application/pdf", filename)


@router.get("/cohorts/{cohort_id}/gesi.csv")
def gesi_csv(access: GesiAccess, report: GesiFigures) -> Response:
    name = exports.filename(access.cohort.slug, "gesi", local_today().isoformat(), "csv")
    return download(exports.to_csv(exports.gesi_table(report)), exports.CSV_TYPE, name)


@router.get("/cohorts/{cohort_id}/gesi.xlsx")
def gesi_xlsx(access: GesiAccess, report: GesiFigures) -> Response:
    name = exports.filename(access.cohort.slug, "gesi", local_today().isoformat(), "xlsx")
    data = exports.to_xlsx(exports.gesi_table(report), _("GESI figures"))
    return download(data, exports.XLSX_TYPE, name)
