"""The trainee's pages: the journey map, module pages, exercises with autosaved drafts,
submission and history, and the uploaded files of submissions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.datastructures import UploadFile

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Role
from iil_lms.curriculum.structure import reading_html, reading_in_english
from iil_lms.curriculum.translations import localized_spec
from iil_lms.i18n import get_language, local_today
from iil_lms.i18n import gettext as _
from iil_lms.learning import answers, service, survey_replies, uploads
from iil_lms.learning import journey as journeys
from iil_lms.learning.models import Submission
from iil_lms.mentoring.service import current_mentor_id
from iil_lms.web.auth import (
    AnyViewer,
    DbSession,
    LoginRequired,
    SignedIn,
    Viewer,
    inline_reads,
    require_user,
    run_db,
    settings_of,
)
from iil_lms.web.files import uploaded_file
from iil_lms.web.gate import write_after_response
from iil_lms.web.params import FormId, PathId, form_int
from iil_lms.web.responses import redirect
from iil_lms.web.seats import Seat
from iil_lms.web.templating import format_moment, is_htmx, render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class TraineeSeat(Seat):
    """The trainee and the cohort whose journey they are working on: their active
    cohort when they are a trainee there, else their newest trainee cohort."""

    role: str = Role.TRAINEE.value

    @property
    def circle_id(self) -> int | None:
        """The trainee's learning circle in this cohort (loaded with the viewer)."""
        for role in self.viewer.roles:
            if role.cohort_id == self.cohort_id and role.role == Role.TRAINEE.value:
                return role.circle_id
        return None


def _seat(viewer: Viewer) -> TraineeSeat:
    cohort_ids = [r.cohort_id for r in viewer.roles if r.role == Role.TRAINEE.value]
    if not cohort_ids:
        raise HTTPException(status_code=403)
    active = viewer.active_cohort_id
    cohort = viewer.cohort_snapshots.get(active if active in cohort_ids else cohort_ids[0])
    if cohort is None:
        raise HTTPException(status_code=404)
    return TraineeSeat(viewer, cohort)


async def trainee_seat(request: Request, session: DbSession) -> TraineeSeat:
    """Signed in and a trainee somewhere (403 otherwise: the menu shows these pages).
    Calls require_user rather than depending on it: one resolution less per page."""
    return _seat(await require_user(request, session))


Trainee = Annotated[TraineeSeat, Depends(trainee_seat)]


def draft_writer(request: Request, viewer: AnyViewer, session: DbSession) -> TraineeSeat:
    """As trainee_seat, except that an autosave from an expired session gets a plain 401
    (not a redirect to the login page), so the page stays put and autosave.js keeps the
    text on the device until the trainee has signed in again."""
    if viewer.user is None:
        if is_htmx(request):
            raise HTTPException(status_code=401)
        raise LoginRequired
    return _seat(viewer)


DraftWriter = Annotated[TraineeSeat, Depends(draft_writer)]


def _form_lists(form: Any) -> dict[str, list[str]]:
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in set(form.keys())}


def _revision(form: Any) -> int | None:
    value = form.get("base_revision")
    return form_int(value, "base_revision", low=0)


# --- journey and module pages -----------------------------------------------------------


@router.get("/journey")
@inline_reads
async def journey_page(request: Request, seat: Trainee, session: DbSession) -> Response:
    journey = await run_db(
        request,
        journeys.journey_for,
        session,
        cohort_id=seat.cohort_id,
        user_id=seat.user_id,
        language=get_language(),
        circle_id=seat.circle_id,
    )
    return render(
        request,
        "learning/journey.html",
        {"journey": journey, "cohort": seat.cohort, "today": local_today()},
    )


def _translated(translations: dict[str, str] | None, fallback: str) -> str:
    return (translations or {}).get(get_language()) or fallback


def _module_context(
    session: Session, seat: TraineeSeat, module_id: int, language: str
) -> dict[str, Any]:
    journey = journeys.journey_for(
        session,
        cohort_id=seat.cohort_id,
        user_id=seat.user_id,
        language=language,
        circle_id=seat.circle_id,
    )
    progress = journey.module(module_id)
    module = journey.structure.modules.get(module_id) if journey.structure else None
    if progress is None or module is None:
        raise HTTPException(status_code=404)
    milestone = next(
        m for m in journey.milestones if m.milestone_id == progress.planned.milestone_id
    )
    return {
        "module": module,
        "progress": progress,
        "milestone": milestone,
        "journey": journey,
        "title": _translated(module.title_translations, module.title),
        "reading": reading_html(session, module_id, language),
        "reading_english": reading_in_english(session, module_id, language),
        "today": local_today(),
    }


@router.get("/journey/modules/{module_id}")
@inline_reads
async def module_page(
    request: Request, module_id: PathId, seat: Trainee, session: DbSession
) -> Response:
    context = await run_db(request, _module_context, session, seat, module_id, get_language())
    return render(request, "learning/module.html", context)


# --- exercise page ----------------------------------------------------------------------


def _assigned(session: Session, seat: TraineeSeat, exercise_id: int) -> service.Assigned:
    try:
        return service.assigned_exercise(
            session, cohort_id=seat.cohort_id, user_id=seat.user_id, exercise_id=exercise_id
        )
    except service.ExerciseUnavailable as missing:
        raise HTTPException(status_code=404) from missing


def _exercise_page(
    request: Request,
    session: Session,
    seat: TraineeSeat,
    assigned: service.Assigned,
    *,
    answer: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    exercise = assigned.exercise
    state = service.exercise_state(
        session, cohort_id=seat.cohort_id, user_id=seat.user_id, exercise=exercise
    )
    response = render(
        request,
        "learning/exercise.html",
        {
            "assigned": assigned,
            "exercise": exercise,
            "spec": localized_spec(exercise.spec or {}, exercise.translations, get_language()),
            "module_title": _translated(assigned.module.title_translations, assigned.module.title),
            "state": state,
            "answer": answer if answer is not None else state.prefill,
            "errors": errors or {},
            "problem": problem,
            "idempotency_key": secrets.token_urlsafe(16),
            "action_plan_fields": answers.ACTION_PLAN_FIELDS,
            "likert": answers.likert_labels(),
            "max_mb": round(settings_of(request).upload_max_bytes / (1024 * 1024), 1),
            "today": local_today(),
            "survey_replies": (
                survey_replies.replies_to(session, seat.cohort_id, exercise.id or 0)
                if exercise.type in answers.CONFIDENTIAL_TYPES
                else []
            ),
        },
        status_code=status_code,
    )
    if not state.has_unread_feedback:
        return response
    return write_after_response(
        request,
        session,
        response,
        service.mark_feedback_read,
        cohort_id=seat.cohort_id,
        user_id=seat.user_id,
        exercise_id=exercise.id or 0,
    )


def _answer_context(exercise: Any) -> dict[str, Any]:
    """What learning/_answer.html needs to show an answer to `exercise`."""
    return {
        "exercise": exercise,
        "spec": localized_spec(exercise.spec or {}, exercise.translations, get_language()),
        "action_plan_fields": answers.ACTION_PLAN_FIELDS,
        "likert": answers.likert_labels(),
    }


@router.get("/journey/exercises/{exercise_id}")
def exercise_page(
    request: Request, exercise_id: PathId, seat: Trainee, session: DbSession
) -> Response:
    return _exercise_page(request, session, seat, _assigned(session, seat, exercise_id))


@router.post("/journey/exercises/{exercise_id}/draft")
async def save_draft(
    request: Request, exercise_id: PathId, seat: DraftWriter, session: DbSession
) -> Response:
    """Autosave (htmx: answers with the save status fragment) and the save button that
    works without JavaScript (answers with a redirect back to the exercise)."""
    assigned = _assigned(session, seat, exercise_id)
    form = await request.form()
    saved = service.save_draft(
        session,
        cohort_id=seat.cohort_id,
        user_id=seat.user_id,
        exercise_id=exercise_id,
        content=answers.answer_from_form(assigned.exercise, _form_lists(form)),
        base_revision=_revision(form),
    )
    if is_htmx(request):
        return render(
            request,
            "learning/_save_status.html",
            {"saved": saved, **_answer_context(assigned.exercise)},
        )
    return redirect(
        request,
        f"/journey/exercises/{exercise_id}",
        _("Your draft is saved.")
        if not saved.overwrote_newer
        else _("Your draft is saved. It replaced newer text saved from another tab or device."),
        "success" if not saved.overwrote_newer else "info",
    )


@router.post("/journey/exercises/{exercise_id}/draft/restore")
def restore_draft(
    request: Request,
    exercise_id: PathId,
    seat: Trainee,
    session: DbSession,
    version_id: FormId,
) -> Response:
    """Put an earlier version of the draft back (from the conflict notice or the list
    of earlier versions; htmx or a plain form post) and show the exercise with it."""
    try:
        version = service.restore_draft(
            session,
            cohort_id=seat.cohort_id,
            user_id=seat.user_id,
            exercise_id=exercise_id,
            version_id=version_id,
        )
    except (service.ExerciseUnavailable, service.DraftVersionMissing) as missing:
        raise HTTPException(status_code=404) from missing
    return redirect(
        request,
        f"/journey/exercises/{exercise_id}",
        _(
            "The text saved at %(time)s is back in your draft. The text it replaced is "
            "kept among the earlier versions.",
            time=format_moment(version.saved_at, "short"),
        ),
    )


@router.post("/journey/exercises/{exercise_id}/submit")
async def submit(
    request: Request, exercise_id: PathId, seat: Trainee, session: DbSession
) -> Response:
    assigned = _assigned(session, seat, exercise_id)
    form = await request.form()
    answer = answers.answer_from_form(assigned.exercise, _form_lists(form))
    upload: uploads.Upload | None = None
    sent = form.get("file")
    if isinstance(sent, UploadFile) and sent.filename:
        settings = settings_of(request)
        # Read one byte past the limit: enough to know the file is too large.
        data = await sent.read(settings.upload_max_bytes + 1)
        upload = uploads.Upload(
            data=data,
            original_name=sent.filename,
            uploads_dir=settings.uploads_dir,
            max_bytes=settings.upload_max_bytes,
        )
    sent_key = form.get("idempotency_key")
    key = sent_key if isinstance(sent_key, str) and sent_key else None
    try:
        submission = service.submit(
            session,
            cohort_id=seat.cohort_id,
            user_id=seat.user_id,
            exercise_id=exercise_id,
            content=answer,
            upload=upload,
            idempotency_key=key,
        )
    except IntegrityError:
        # A double click raced past the token check (PostgreSQL, two workers): the
        # other request's submission stands; answer as it did.
        session.rollback()
        first = service.submission_by_key(session, user_id=seat.user_id, key=key) if key else None
        if first is None:
            raise
        return redirect(request, f"/journey/exercises/{exercise_id}#result")
    except service.ExerciseUnavailable as missing:
        raise HTTPException(status_code=404) from missing
    except service.SubmissionInvalid as invalid:
        return _exercise_page(
            request,
            session,
            seat,
            assigned,
            answer=answer,
            errors=invalid.errors,
            problem=str(invalid),
            status_code=400,
        )
    except service.SubmissionRefused as refused:
        return _exercise_page(
            request, session, seat, assigned, problem=str(refused), status_code=409
        )
    if assigned.exercise.type == "quiz":
        message = _("Quiz submitted: you scored %(score)s%%.", score=round(submission.score or 0))
    elif assigned.exercise.type == "survey":
        message = _("Thank you: your answers are recorded.")
    elif submission.late:
        message = _("Submitted (after the due date): your mentor will review it.")
    else:
        message = _("Submitted: your mentor will review it.")
    return redirect(request, f"/journey/exercises/{exercise_id}#result", message)


# --- uploaded files ---------------------------------------------------------------------


def may_see_file(session: Session, viewer: Viewer, submission: Submission) -> bool:
    """The trainee who sent it, their current mentor, trainers of the cohort, and site
    admins."""
    user: User | None = viewer.user
    if user is None:
        return False
    if user.is_admin or user.id == submission.user_id:
        return True
    if Role.TRAINER.value in viewer.roles_in(submission.cohort_id):
        return True
    return bool(
        Role.MENTOR.value in viewer.roles_in(submission.cohort_id)
        and current_mentor_id(session, submission.cohort_id, submission.user_id) == user.id
    )


@router.get("/submissions/{submission_id}/file")
def submission_file(
    request: Request, submission_id: PathId, viewer: SignedIn, session: DbSession
) -> Response:
    submission = session.get(Submission, submission_id)
    if (
        submission is None
        or not submission.file_name
        or not submission.file_type
        or not may_see_file(session, viewer, submission)
    ):
        raise HTTPException(status_code=404)
    path = uploads.stored_path(settings_of(request).uploads_dir, submission.file_name)
    if path is None:
        raise HTTPException(status_code=404)
    # Stored as the trainee sent it (not re-encoded): a download, by the one rule.
    return uploaded_file(
        path,
        media_type=submission.file_type,
        filename=submission.original_name or path.name,
        reencoded=False,
    )
