"""A trainee's full report, opened from the progress page: for the cohort's trainers
(and site admins), the trainee's current mentor, and the trainee themself; printable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from iil_lms.cohorts.models import Cohort, Role
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.pdf.rendering import render_template_pdf
from iil_lms.reports import trainee
from iil_lms.settings import Settings
from iil_lms.web.auth import DbSession, SignedIn
from iil_lms.web.params import PathId
from iil_lms.web.responses import download
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class ReportAccess:
    cohort: Cohort
    trainee_id: int
    language: str


def report_access(
    cohort_id: PathId, trainee_id: PathId, viewer: SignedIn, session: DbSession
) -> ReportAccess:
    """The trainee themself, their current mentor, a trainer of the cohort or a site
    admin. The cohort's organisers know the trainee from the progress page: 403; anyone
    else, 404 (the trainee's existence does not leak)."""
    assert viewer.user is not None and viewer.user.id is not None
    cohort = session.get(Cohort, cohort_id)
    if cohort is None or not trainee.is_trainee_of(session, cohort_id, trainee_id):
        raise HTTPException(status_code=404)
    roles = viewer.roles_in(cohort_id) or {
        r.role for r in viewer.archived_roles if r.cohort_id == cohort_id
    }
    allowed = (
        viewer.user.is_admin
        or Role.TRAINER.value in roles
        or (viewer.user.id == trainee_id and Role.TRAINEE.value in roles)
        or (
            Role.MENTOR.value in roles
            and trainee.current_mentor_id(session, cohort_id, trainee_id) == viewer.user.id
        )
    )
    if not allowed:
        raise HTTPException(status_code=403 if Role.ORGANISER.value in roles else 404)
    return ReportAccess(cohort, trainee_id, viewer.language)


Access = Annotated[ReportAccess, Depends(report_access)]


def _report(access: Access, session: DbSession) -> trainee.TraineeReport:
    return trainee.trainee_report(
        session,
        access.cohort,
        access.trainee_id,
        today=local_today(),
        language=access.language,
    )


Report = Annotated[trainee.TraineeReport, Depends(_report)]


def _context(report: trainee.TraineeReport) -> dict[str, object]:
    return {
        "report": report,
        "today": local_today(),
        "labels": {
            "submitted": _("Waiting for review"),
            "returned": _("Returned for revision"),
            "accepted": _("Accepted"),
            "scored": _("Scored"),
        },
        "modes": {"in_person": _("In person"), "phone": _("Phone"), "online": _("Online")},
        "outreach_labels": {
            "submitted": _("Waiting for a trainer"),
            "changes": _("Changes asked for"),
            "approved": _("On the showcase"),
            "rejected": _("Not published"),
            "withdrawn": _("Withdrawn"),
        },
    }


@router.get("/cohorts/{cohort_id}/trainees/{trainee_id}/report")
def trainee_report_page(request: Request, report: Report) -> Response:
    return render(request, "reports/trainee.html", _context(report))


@router.get("/cohorts/{cohort_id}/trainees/{trainee_id}/report.pdf")
def trainee_report_pdf(request: Request, access: Access, report: Report) -> Response:
    settings: Settings = request.app.state.settings
    pdf = render_template_pdf(
        "trainee_report.html",
        _context(report),
        access.language,
        env=request.app.state.templates,
        static_dir=settings.static_dir,
    )
    filename = f"report-{access.cohort.slug}-{access.trainee_id}.pdf"
    return download(pdf, "application/pdf", filename)
