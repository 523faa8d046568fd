"""GESI figures for trainers: a cohort's, and an academy's (its cohorts' summed), each as
a page, a PDF for a donor report, and CSV and Excel downloads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from iil_lms.cohorts.models import Academy, Cohort, Role
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.pdf.rendering import render_template_pdf
from iil_lms.reports import exports, gesi
from iil_lms.settings import Settings
from iil_lms.web.auth import CohortAccess, DbSession, SignedIn, Viewer, cohort_role
from iil_lms.web.params import PathId
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
def gesi_page(
    request: Request, access: GesiAccess, report: GesiFigures, session: DbSession
) -> Response:
    cohorts = gesi.academy_cohorts(session, access.cohort.academy_id)
    academy_id = access.cohort.academy_id if _refusal(access.viewer, cohorts) is None else None
    return render(
        request,
        "reports/gesi.html",
        {
            "cohort": access.cohort,
            "report": report,
            "today": local_today(),
            "academy_id": academy_id,
        },
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


# --- an academy's figures --------------------------------------------------------------


@dataclass(frozen=True)
class AcademyAccess:
    viewer: Viewer
    academy: Academy
    cohorts: list[Cohort]


def _refusal(viewer: Viewer, cohorts: Sequence[Cohort]) -> int | None:
    """Why the viewer may not read the GESI figures of an academy with these cohorts
    (403 or 404), or None when they may: site admins, and whoever is a trainer of every
    one of its cohorts (archived ones included), i.e. may read every cohort's GESI page.
    The academy's figures are its cohorts' summed, so a trainer of only some cohorts
    would read the others' figures by subtracting their own: 403 for them, and for the
    academy's other members; 404 for people with no role in the academy."""
    assert viewer.user is not None
    if viewer.user.is_admin:
        return None
    roles = [
        viewer.roles_in(c.id or 0) or {r.role for r in viewer.archived_roles if r.cohort_id == c.id}
        for c in cohorts
    ]
    if not any(roles):
        return 404
    if all(Role.TRAINER.value in held for held in roles):
        return None
    return 403


def academy_access(academy_id: PathId, viewer: SignedIn, session: DbSession) -> AcademyAccess:
    academy = session.get(Academy, academy_id)
    if academy is None:
        raise HTTPException(status_code=404)
    cohorts = gesi.academy_cohorts(session, academy_id)
    refusal = _refusal(viewer, cohorts)
    if refusal is not None:
        raise HTTPException(status_code=refusal)
    return AcademyAccess(viewer, academy, cohorts)


academy_access.permission = ("academy-gesi",)  # type: ignore[attr-defined]
AcademyGesiAccess = Annotated[AcademyAccess, Depends(academy_access)]


def _academy_report(access: AcademyGesiAccess, session: DbSession) -> gesi.GesiReport:
    assert access.academy.id is not None
    return gesi.academy_gesi(
        session,
        access.academy.id,
        [c.id or 0 for c in access.cohorts],
        today=local_today(),
        language=access.viewer.language,
    )


AcademyFigures = Annotated[gesi.GesiReport, Depends(_academy_report)]


def _academy_context(access: AcademyAccess, report: gesi.GesiReport) -> dict[str, object]:
    return {
        "academy": access.academy,
        "cohorts": access.cohorts,
        "report": report,
        "today": local_today(),
    }


@router.get("/academies/{academy_id}/gesi")
def academy_gesi_page(
    request: Request, access: AcademyGesiAccess, report: AcademyFigures
) -> Response:
    return render(request, "reports/academy_gesi.html", _academy_context(access, report))


def _academy_file(access: AcademyAccess, extension: str) -> str:
    return exports.filename(access.academy.slug, "gesi", local_today().isoformat(), extension)


@router.get("/academies/{academy_id}/gesi.pdf")
def academy_gesi_pdf(
    request: Request, access: AcademyGesiAccess, report: AcademyFigures
) -> Response:
    settings: Settings = request.app.state.settings
    pdf = render_template_pdf(
        "academy_gesi.html",
        _academy_context(access, report),
        access.viewer.language,
        env=request.app.state.templates,
        static_dir=settings.static_dir,
    )
    return download(pdf, "application/pdf", _academy_file(access, "pdf"))


@router.get("/academies/{academy_id}/gesi.csv")
def academy_gesi_csv(access: AcademyGesiAccess, report: AcademyFigures) -> Response:
    data = exports.to_csv(exports.gesi_table(report))
    return download(data, exports.CSV_TYPE, _academy_file(access, "csv"))


@router.get("/academies/{academy_id}/gesi.xlsx")
def academy_gesi_xlsx(access: AcademyGesiAccess, report: AcademyFigures) -> Response:
    data = exports.to_xlsx(exports.gesi_table(report), _("GESI figures"))
    return download(data, exports.XLSX_TYPE, _academy_file(access, "xlsx"))
