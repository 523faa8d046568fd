"""Certificate pages: the organiser's (kinds, who qualifies, issuing one or a whole
cohort, revoking, re-issuing, the design), the holder's ("my certificates"), and the
public verification pages (no login)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Depends,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    UploadFile,
)
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session

from iil_lms.api.schemas import CertificateVerification, UnknownCertificate
from iil_lms.certificates import codes, jobs, service
from iil_lms.certificates import design as designs
from iil_lms.certificates import pdf as printing
from iil_lms.certificates.models import Certificate, CertificateJob, JobStatus, KindRule
from iil_lms.cohorts.models import Academy, Cohort, Role
from iil_lms.i18n import gettext as _
from iil_lms.web.auth import (
    AnyViewer,
    CohortAccess,
    DbSession,
    SignedIn,
    cohort_role,
    settings_of,
)
from iil_lms.web.files import read_upload
from iil_lms.web.params import PathId
from iil_lms.web.responses import redirect
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["certificates"])

OrganiserAccess = Annotated[CohortAccess, Depends(cohort_role(Role.ORGANISER))]
PRIVATE = {"Cache-Control": "private, no-store"}


def _base(access: CohortAccess) -> str:
    return f"/cohorts/{access.cohort.id}/certificates"


def _cohort_certificate(session: Session, access: CohortAccess, certificate_id: int) -> Certificate:
    cert = session.get(Certificate, certificate_id)
    if cert is None or cert.cohort_id != access.cohort.id:
        raise HTTPException(status_code=404)
    return cert


# --- the organiser's pages -------------------------------------------------------------


def _overview(
    request: Request,
    access: CohortAccess,
    session: Session,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    cohort_id = access.cohort.id or 0
    return render(
        request,
        "certificates/organiser.html",
        {
            "cohort": access.cohort,
            "kinds": service.kind_choices(session, cohort_id),
            "certificates": service.of_cohort(session, cohort_id),
            "members": service.members(session, cohort_id),
            "jobs": jobs.jobs_of(session, cohort_id)[:5],
            "status_of": service.status_of,
            "grouped": codes.grouped,
            "errors": errors or {},
            "form": form or {},
        },
        status_code=status_code,
    )


@router.get("/cohorts/{cohort_id}/certificates")
def organiser_page(request: Request, access: OrganiserAccess, session: DbSession) -> Response:
    return _overview(request, access, session)


@router.get("/cohorts/{cohort_id}/certificates/preview")
def preview_page(
    request: Request,
    access: OrganiserAccess,
    session: DbSession,
    kind: Annotated[str, Query(max_length=20)] = KindRule.COMPLETION,
) -> Response:
    try:
        choice = service.find_choice(session, access.cohort.id or 0, kind)
    except service.CertificateError as error:
        raise HTTPException(status_code=404) from error
    return render(
        request,
        "certificates/preview.html",
        {
            "cohort": access.cohort,
            "choice": choice,
            "preview": service.preview(session, access.cohort.id or 0, choice),
        },
    )


@router.post("/cohorts/{cohort_id}/certificates/kinds")
def create_kind(
    request: Request,
    access: OrganiserAccess,
    session: DbSession,
    title: Annotated[str, Form(max_length=400)] = "",
    title_local: Annotated[str, Form(max_length=400)] = "",
    achievement: Annotated[str, Form(max_length=1000)] = "",
    achievement_local: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        service.create_custom_kind(
            session,
            access.cohort.id or 0,
            title=title,
            title_local=title_local,
            achievement=achievement,
            achievement_local=achievement_local,
        )
    except service.CertificateError as error:
        form = {
            "title": title,
            "title_local": title_local,
            "achievement": achievement,
            "achievement_local": achievement_local,
        }
        return _overview(
            request, access, session, errors={error.field: str(error)}, form=form, status_code=400
        )
    return redirect(request, _base(access), _("Certificate kind added."))


@router.post("/cohorts/{cohort_id}/certificates/bulk")
def issue_cohort(
    request: Request,
    access: OrganiserAccess,
    session: DbSession,
    background: BackgroundTasks,
    kind: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Issue a kind to everyone its rule picks who does not hold it yet, as a job."""
    cohort_id = access.cohort.id or 0
    try:
        choice = service.find_choice(session, cohort_id, kind)
    except service.CertificateError as error:
        return redirect(request, _base(access), str(error), "error")
    picked = service.preview(session, cohort_id, choice)
    if not picked.to_issue:
        return redirect(
            request, _base(access), _("Nobody is waiting for this certificate."), "error"
        )
    kind_row = service.ensure_kind(session, access.cohort, choice)
    job = jobs.create_job(
        session,
        cohort=access.cohort,
        kind=kind_row,
        user_ids=[p.user_id for p in picked.to_issue],
        created_by_id=access.user.id,
    )
    # Queued once the response has left, so after the job's row is committed.
    background.add_task(jobs.enqueue, settings_of(request), job.id or 0)
    return redirect(request, f"{_base(access)}/jobs/{job.id}", _("Issuing has started."))


@router.post("/cohorts/{cohort_id}/certificates/issue")
def issue_one(
    request: Request,
    access: OrganiserAccess,
    session: DbSession,
    kind: Annotated[str, Form(max_length=20)] = "",
    user_id: Annotated[int, Form(ge=0, le=2**62)] = 0,
) -> Response:
    """Issue by hand to one member of the cohort."""
    cohort_id = access.cohort.id or 0
    try:
        choice = service.find_choice(session, cohort_id, kind)
        kind_row = service.ensure_kind(session, access.cohort, choice)
        made = service.issue(
            session,
            settings_of(request),
            cohort=access.cohort,
            kind=kind_row,
            user_ids=[user_id],
            issued_by_id=access.user.id,
        )
    except service.CertificateError as error:
        return redirect(request, _base(access), str(error), "error")
    if made.refused:
        session.rollback()
        return redirect(request, _base(access), _("Choose a member of this cohort."), "error")
    if made.skipped:
        return redirect(
            request, _base(access), _("This person already holds this certificate."), "error"
        )
    return redirect(request, _base(access), _("Certificate issued."))


@router.post("/cohorts/{cohort_id}/certificates/{certificate_id}/revoke")
def revoke(
    request: Request,
    access: OrganiserAccess,
    session: DbSession,
    certificate_id: PathId,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    cert = _cohort_certificate(session, access, certificate_id)
    try:
        service.revoke(session, cert, by_id=access.user.id or 0, reason=reason)
    except service.CertificateError as error:
        return redirect(request, _base(access), str(error), "error")
    return redirect(request, _base(access), _("Certificate revoked."))


@router.post("/cohorts/{cohort_id}/certificates/{certificate_id}/reissue")
def reissue(
    request: Request, access: OrganiserAccess, session: DbSession, certificate_id: PathId
) -> Response:
    cert = _cohort_certificate(session, access, certificate_id)
    try:
        service.reissue(session, settings_of(request), cert, by_id=access.user.id or 0)
    except service.CertificateError as error:
        return redirect(request, _base(access), str(error), "error")
    return redirect(request, _base(access), _("A new certificate replaces the old one."))


def _job(session: Session, access: CohortAccess, job_id: int) -> CertificateJob:
    job = session.get(CertificateJob, job_id)
    if job is None or job.cohort_id != access.cohort.id:
        raise HTTPException(status_code=404)
    return job


@router.get("/cohorts/{cohort_id}/certificates/jobs/{job_id}")
def job_page(
    request: Request, access: OrganiserAccess, session: DbSession, job_id: PathId
) -> Response:
    job = _job(session, access, job_id)
    return render(
        request,
        "certificates/job.html",
        {
            "cohort": access.cohort,
            "job": job,
            "failures": jobs.failures(job),
            "finished": job.status in (JobStatus.DONE, JobStatus.FAILED),
        },
        fragment="certificates/_job.html",
        headers=PRIVATE,
    )


@router.get("/cohorts/{cohort_id}/certificates/jobs/{job_id}/{name}")
def job_file(
    request: Request, access: OrganiserAccess, session: DbSession, job_id: PathId, name: str
) -> Response:
    job = _job(session, access, job_id)
    path = jobs.output(settings_of(request), job, name)
    if path is None:
        raise HTTPException(status_code=404)
    media = "application/pdf" if name.endswith(".pdf") else "application/zip"
    slug = access.cohort.slug
    return FileResponse(
        path,
        media_type=media,
        headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{slug}-{name}"'},
    )


@router.get("/cohorts/{cohort_id}/certificates/design")
def design_page(request: Request, access: OrganiserAccess, session: DbSession) -> Response:
    return _design_page(request, access, session, errors={})


def _design_page(
    request: Request,
    access: CohortAccess,
    session: Session,
    *,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    found = designs.design_for(session, settings_of(request), access.cohort)
    rows = list(found.signatories) + [None] * (designs.MAX_SIGNATORIES - len(found.signatories))
    return render(
        request,
        "certificates/design.html",
        {"cohort": access.cohort, "design": found, "rows": rows, "errors": errors},
        status_code=status_code,
    )


@router.post("/cohorts/{cohort_id}/certificates/design")
async def save_design(
    request: Request,
    access: OrganiserAccess,
    session: DbSession,
    scope: Annotated[str, Form(max_length=10)] = "cohort",
    logo: Annotated[UploadFile | None, File()] = None,
    name_1: Annotated[str, Form(max_length=400)] = "",
    name_local_1: Annotated[str, Form(max_length=400)] = "",
    title_1: Annotated[str, Form(max_length=400)] = "",
    title_local_1: Annotated[str, Form(max_length=400)] = "",
    signature_1: Annotated[UploadFile | None, File()] = None,
    name_2: Annotated[str, Form(max_length=400)] = "",
    name_local_2: Annotated[str, Form(max_length=400)] = "",
    title_2: Annotated[str, Form(max_length=400)] = "",
    title_local_2: Annotated[str, Form(max_length=400)] = "",
    signature_2: Annotated[UploadFile | None, File()] = None,
    name_3: Annotated[str, Form(max_length=400)] = "",
    name_local_3: Annotated[str, Form(max_length=400)] = "",
    title_3: Annotated[str, Form(max_length=400)] = "",
    title_local_3: Annotated[str, Form(max_length=400)] = "",
    signature_3: Annotated[UploadFile | None, File()] = None,
) -> Response:
    signatories = [
        designs.SignatoryInput(
            name,
            name_local,
            title,
            title_local,
            await read_upload(image, settings_of(request).upload_max_bytes),
        )
        for name, name_local, title, title_local, image in (
            (name_1, name_local_1, title_1, title_local_1, signature_1),
            (name_2, name_local_2, title_2, title_local_2, signature_2),
            (name_3, name_local_3, title_3, title_local_3, signature_3),
        )
    ]
    try:
        designs.save_design(
            session,
            settings_of(request),
            access.cohort,
            for_academy=scope == "academy",
            logo=await read_upload(logo, settings_of(request).upload_max_bytes),
            signatories=signatories,
        )
    except designs.DesignError as error:
        return _design_page(
            request, access, session, errors={error.field: str(error)}, status_code=400
        )
    return redirect(request, f"{_base(access)}/design", _("Certificate design saved."))


# --- the holder's pages ----------------------------------------------------------------


@router.get("/certificates")
def my_certificates(request: Request, viewer: SignedIn, session: DbSession) -> Response:
    assert viewer.user is not None
    return render(
        request,
        "certificates/mine.html",
        {
            "certificates": service.of_holder(session, viewer.user.id or 0),
            "status_of": service.status_of,
            "grouped": codes.grouped,
        },
    )


def _may_download(viewer: SignedIn, cert: Certificate) -> bool:
    assert viewer.user is not None
    return (
        viewer.user.is_admin
        or cert.user_id == viewer.user.id
        or Role.ORGANISER.value in viewer.roles_in(cert.cohort_id)
    )


@router.get("/certificates/{code}/pdf")
def certificate_pdf(request: Request, viewer: SignedIn, session: DbSession, code: str) -> Response:
    """The certificate's PDF (with its credential attached): for its holder and the
    cohort's organisers."""
    cert = service.by_code(session, code)
    if cert is None or not _may_download(viewer, cert):
        raise HTTPException(status_code=404)
    cohort = session.get(Cohort, cert.cohort_id)
    assert cohort is not None
    academy = session.get(Academy, cohort.academy_id)
    assert academy is not None
    settings = settings_of(request)
    data = printing.single_pdf(
        settings, cert, designs.design_for(session, settings, cohort), academy.timezone
    )
    return Response(
        data,
        media_type="application/pdf",
        headers={
            **PRIVATE,
            "Content-Disposition": f'attachment; filename="certificate-{cert.code[:8]}.pdf"',
        },
    )


# --- public verification ---------------------------------------------------------------


@router.get("/verify")
def verify_form(request: Request, viewer: AnyViewer, code: str = "") -> Response:
    """The code entry form; a submitted code goes to its page, forgiving case, dashes,
    spaces and the letters that look like digits."""
    typed = code[:200]
    if typed.strip():
        normalized = codes.normalize(typed)
        if codes.well_formed(normalized):
            return RedirectResponse(f"/verify/{codes.grouped(normalized)}", status_code=303)
        return render(
            request,
            "certificates/verify_form.html",
            {"code": typed, "error": _("This is not a certificate code: check it and try again.")},
            status_code=400,
        )
    return render(request, "certificates/verify_form.html", {"code": "", "error": None})


def _verification(session: Session, cert: Certificate) -> dict[str, Any]:
    successor = service.successor(session, cert)
    return {
        "code": codes.grouped(cert.code),
        "status": service.status_of(cert),
        "holder": cert.holder_name,
        "achievement": cert.title,
        "description": cert.achievement,
        "programme": cert.programme,
        "issuer": cert.academy_name,
        "issued_on": service.issued_date(cert).date().isoformat(),
        "revoked_on": cert.revoked_at.date().isoformat() if cert.revoked_at else None,
        "replaced_by": codes.grouped(successor.code) if successor else None,
    }


@router.get("/verify/{code}")
def verify_page(request: Request, viewer: AnyViewer, session: DbSession, code: str) -> Response:
    cert = service.by_code(session, code[:200])
    if cert is None:
        return render(
            request,
            "certificates/verify.html",
            {"found": None, "code": code[:200]},
            status_code=404,
        )
    return render(
        request,
        "certificates/verify.html",
        {"found": _verification(session, cert), "cert": cert, "code": cert.code},
    )


@router.get("/verify/{code}/credential.json")
def credential_file(session: DbSession, code: str) -> Response:
    """The signed Open Badges 3.0 credential, for a wallet or `iil-lms verify-credential`."""
    cert = service.by_code(session, code[:200])
    if cert is None or not cert.credential:
        raise HTTPException(status_code=404)
    return Response(
        cert.credential,
        media_type="application/ld+json",
        headers={"Content-Disposition": f'attachment; filename="credential-{cert.code[:8]}.json"'},
    )


@api_router.get(
    "/certificates/{code}",
    response_model=CertificateVerification,
    responses={
        404: {
            "model": UnknownCertificate,
            "description": 'No certificate has this code (status "unknown")',
        }
    },
)
def verify_json(session: DbSession, code: str) -> Response:
    """Whether a certificate code is valid, revoked or replaced, with what it says;
    404 for an unknown code."""
    cert = service.by_code(session, code[:200])
    if cert is None:
        return JSONResponse({"status": "unknown", "code": code[:200]}, status_code=404)
    return JSONResponse(_verification(session, cert))
