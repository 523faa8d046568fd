"""Mentoring pages: the trainer's mentor assignment, the mentor's overview, mentee page,
log and review, and the trainee's own mentoring page and log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Cohort, Role
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today, ngettext
from iil_lms.learning.answers import ACTION_PLAN_FIELDS, likert_labels
from iil_lms.mentoring import log as mentoring_log
from iil_lms.mentoring import mentees, proposals, review, service
from iil_lms.mentoring.matching import MatchOptions
from iil_lms.mentoring.models import LogMode
from iil_lms.web.auth import CohortAccess, DbSession, SignedIn, cohort_role
from iil_lms.web.gate import write_after_response
from iil_lms.web.params import FormIds, OptionalFormId, PathId, form_int
from iil_lms.web.responses import redirect
from iil_lms.web.seats import Seat, role_seat
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)

TrainerAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER))]
MentorSeat = Annotated[Seat, Depends(role_seat(Role.MENTOR))]
TraineeSeat = Annotated[Seat, Depends(role_seat(Role.TRAINEE))]


def log_modes() -> dict[str, str]:
    return {
        LogMode.IN_PERSON: _("In person"),
        LogMode.PHONE: _("Phone"),
        LogMode.ONLINE: _("Online"),
    }


OPTION_FIELDS = (
    "avoid_same_department",
    "keep_circles_together",
    "honour_gender_requests",
    "keep_current_pairs",
    "prefer_same_service_group",
    "prefer_same_province",
    "prefer_same_language",
)


def _trainer_cohorts(seat_or_viewer: SignedIn) -> set[int]:
    return {r.cohort_id for r in seat_or_viewer.roles if r.role == Role.TRAINER.value}


def _user_id(viewer: SignedIn) -> int:
    assert viewer.user is not None and viewer.user.id is not None
    return viewer.user.id


# --- the trainer's mentor assignment ---------------------------------------------------


@router.get("/cohorts/{cohort_id}/mentors")
def mentors_page(request: Request, access: TrainerAccess, session: DbSession) -> Response:
    roster = service.mentor_roster(session, access.cohort.id or 0)
    return render(
        request,
        "mentoring/mentors.html",
        {"cohort": access.cohort, "roster": roster, "options": MatchOptions()},
    )


@router.post("/cohorts/{cohort_id}/mentors/assign")
def assign_mentors(
    request: Request,
    access: TrainerAccess,
    session: DbSession,
    trainee_ids: FormIds = [],  # noqa: B006 - FastAPI form default
    mentor_id: OptionalFormId = None,
) -> Response:
    back = f"/cohorts/{access.cohort.id}/mentors"
    chosen = mentor_id
    try:
        changed = service.assign_mentor(
            session,
            cohort_id=access.cohort.id or 0,
            trainee_ids=trainee_ids,
            mentor_id=chosen,
            actor_id=access.user.id or 0,
        )
    except service.MentoringError as error:
        return redirect(request, back, str(error), "error")
    if chosen is None:
        message = ngettext(
            "Mentor removed for %(num)d trainee.", "Mentor removed for %(num)d trainees.", changed
        )
    else:
        message = ngettext(
            "Mentor assigned to %(num)d trainee.", "Mentor assigned to %(num)d trainees.", changed
        )
    return redirect(request, back, message)


def _options_from(values: dict[str, str]) -> MatchOptions:
    """Ticked boxes from the form; before the form was sent, the defaults."""
    if not values.get("chosen"):
        return MatchOptions()
    return MatchOptions(**{name: bool(values.get(name)) for name in OPTION_FIELDS})


def _ticked(options: MatchOptions) -> list[str]:
    return [name for name in OPTION_FIELDS if getattr(options, name)]


@router.get("/cohorts/{cohort_id}/mentors/auto")
def auto_proposal(request: Request, access: TrainerAccess, session: DbSession) -> Response:
    options = _options_from(dict(request.query_params))
    proposal = proposals.propose(session, access.cohort.id or 0, options)
    return render(
        request,
        "mentoring/proposal.html",
        {
            "cohort": access.cohort,
            "proposal": proposal,
            "options": options,
            "ticked": _ticked(options),
        },
    )


@router.post("/cohorts/{cohort_id}/mentors/auto")
async def apply_auto(request: Request, access: TrainerAccess, session: DbSession) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    options = _options_from(values)
    try:
        changed = proposals.apply_proposal(
            session,
            cohort_id=access.cohort.id or 0,
            options=options,
            fingerprint=values.get("fingerprint", ""),
            actor_id=access.user.id or 0,
        )
    except service.MentoringError as error:
        proposal = proposals.propose(session, access.cohort.id or 0, options)
        return render(
            request,
            "mentoring/proposal.html",
            {
                "cohort": access.cohort,
                "proposal": proposal,
                "options": options,
                "ticked": _ticked(options),
                "error": error,
            },
            status_code=409,
        )
    return redirect(
        request,
        f"/cohorts/{access.cohort.id}/mentors",
        ngettext(
            "Balanced assignment applied: %(num)s trainee has a new mentor.",
            "Balanced assignment applied: %(num)s trainees have a new mentor.",
            changed,
        ),
    )


@router.get("/cohorts/{cohort_id}/mentors/history")
def assignment_history(request: Request, access: TrainerAccess, session: DbSession) -> Response:
    rows = service.assignment_history(session, access.cohort.id or 0)
    return render(request, "mentoring/history.html", {"cohort": access.cohort, "rows": rows})


@router.get("/cohorts/{cohort_id}/mentors/feedback")
def mentor_feedback_page(request: Request, access: TrainerAccess, session: DbSession) -> Response:
    rows = service.mentor_feedback_for_cohort(session, access.cohort.id or 0)
    return render(
        request, "mentoring/mentor_feedback.html", {"cohort": access.cohort, "rows": rows}
    )


# --- the mentor's pages ----------------------------------------------------------------


@router.get("/mentees")
def mentees_page(request: Request, seat: MentorSeat, session: DbSession) -> Response:
    overview = mentees.mentee_overview(session, seat.cohort, seat.user_id)
    return render(request, "mentoring/mentees.html", {"overview": overview})


@dataclass(frozen=True)
class MenteeAccess:
    cohort: Cohort
    trainee: User
    relation: str  # "mentor" or "trainer"
    viewer_id: int


def mentee_access(trainee_id: PathId, viewer: SignedIn, session: DbSession) -> MenteeAccess:
    """The trainee's current mentor, or a trainer of a cohort they are in (site admins
    too); anyone else, a mentor of other trainees included, gets 404."""
    assert viewer.user is not None
    found = review.mentee_cohort(
        session,
        viewer_id=_user_id(viewer),
        trainee_id=trainee_id,
        trainer_cohorts=_trainer_cohorts(viewer),
        is_admin=viewer.user.is_admin,
        prefer=viewer.active_cohort_id,
    )
    trainee = session.get(User, trainee_id)
    if found is None or trainee is None:
        raise HTTPException(status_code=404)
    cohort = session.get(Cohort, found[0])
    assert cohort is not None
    return MenteeAccess(cohort, trainee, found[1], _user_id(viewer))


Mentee = Annotated[MenteeAccess, Depends(mentee_access)]


@router.get("/mentees/{trainee_id}")
def mentee_page(request: Request, mentee: Mentee, session: DbSession) -> Response:
    cohort_id = mentee.cohort.id or 0
    trainee_id = mentee.trainee.id or 0
    return render(
        request,
        "mentoring/mentee.html",
        {
            "mentee": mentee,
            "progress": mentees.progress_by_trainee(session, mentee.cohort, [trainee_id])[
                trainee_id
            ],
            "submissions": mentees.submissions_of(session, cohort_id, trainee_id),
            "entries": mentoring_log.log_entries(session, cohort_id, trainee_id)[:3],
        },
    )


def _log_context(mentee: MenteeAccess, session: DbSession, **extra: object) -> dict[str, object]:
    return {
        "mentee": mentee,
        "entries": mentoring_log.log_entries(
            session, mentee.cohort.id or 0, mentee.trainee.id or 0
        ),
        "modes": log_modes(),
        "today": local_today(),
        "form": {},
        "errors": {},
        **extra,
    }


@router.get("/mentees/{trainee_id}/log")
def mentee_log(request: Request, mentee: Mentee, session: DbSession) -> Response:
    return render(request, "mentoring/log.html", _log_context(mentee, session))


@router.post("/mentees/{trainee_id}/log")
def add_log_entry(
    request: Request,
    mentee: Mentee,
    session: DbSession,
    held_on: Annotated[str, Form(max_length=20)] = "",
    mode: Annotated[str, Form(max_length=20)] = "",
    topics: Annotated[str, Form(max_length=8000)] = "",
    next_steps: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    if mentee.relation != "mentor":
        raise HTTPException(status_code=403)
    try:
        parsed: date | None = date.fromisoformat(held_on) if held_on else None
    except ValueError:
        parsed = None
    form = {"held_on": held_on, "mode": mode, "topics": topics, "next_steps": next_steps}
    try:
        mentoring_log.add_log_entry(
            session,
            cohort_id=mentee.cohort.id or 0,
            mentor_id=mentee.viewer_id,
            trainee_id=mentee.trainee.id or 0,
            held_on=parsed,
            mode=mode,
            topics=topics,
            next_steps=next_steps,
        )
    except mentoring_log.LogEntryInvalid as invalid:
        context = _log_context(mentee, session, form=form, errors=invalid.errors)
        return render(request, "mentoring/log.html", context, status_code=400)
    return redirect(
        request, f"/mentees/{mentee.trainee.id}/log", _("The conversation is in the log.")
    )


# --- review of a submission ------------------------------------------------------------


def review_access(
    submission_id: PathId, viewer: SignedIn, session: DbSession
) -> review.ReviewContext:
    """The trainee's current mentor, a trainer of the cohort (site admins too) or the
    trainee themselves; anyone else gets 404."""
    assert viewer.user is not None
    context = review.review_context(
        session,
        submission_id,
        user_id=_user_id(viewer),
        trainer_cohorts=_trainer_cohorts(viewer),
        is_admin=viewer.user.is_admin,
    )
    if context is None:
        raise HTTPException(status_code=404)
    return context


Review = Annotated[review.ReviewContext, Depends(review_access)]


def _review_page(
    request: Request,
    context: review.ReviewContext,
    session: DbSession,
    *,
    viewer_id: int,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "mentoring/review.html",
        {
            "review": context,
            "thread": review.feedback_thread(session, context.submission.id or 0),
            "rubric": review.rubric_of(context.exercise),
            # The answer is shown as the trainee's own history shows it.
            "action_plan_fields": ACTION_PLAN_FIELDS,
            "likert": likert_labels(),
            "errors": errors or {},
            "form": form or {},
            "next_review": mentees.next_in_queue(
                session,
                context.cohort.id or 0,
                viewer_id,
                after=context.submission.id or 0,
            )
            if context.role == "mentor"
            else None,
        },
        status_code=status_code,
    )


@router.get("/review/{submission_id}")
def review_page(
    request: Request, context: Review, viewer: SignedIn, session: DbSession
) -> Response:
    response = _review_page(request, context, session, viewer_id=_user_id(viewer))
    if context.role == "owner" and review.has_unread_feedback(
        session, context.submission.id or 0, _user_id(viewer)
    ):
        write_after_response(
            request,
            session,
            response,
            review.mark_feedback_read,
            submission_id=context.submission.id or 0,
            trainee_id=_user_id(viewer),
        )
    return response


@router.post("/review/{submission_id}")
async def add_feedback(
    request: Request, context: Review, viewer: SignedIn, session: DbSession
) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    parent = values.get("parent_id", "")
    rubric = review.rubric_of(context.exercise)
    scores = {
        criterion.name: values.get(f"rubric-{index}", "")
        for index, criterion in enumerate(rubric)
        if values.get(f"rubric-{index}")
    }
    decision = values.get("decision") or None
    try:
        review.add_feedback(
            session,
            context,
            author_id=_user_id(viewer),
            body=values.get("body", ""),
            parent_id=form_int(parent, "parent_id"),
            rubric_scores=scores,
            decision=decision,
        )
    except review.FeedbackInvalid as invalid:
        return _review_page(
            request,
            context,
            session,
            viewer_id=_user_id(viewer),
            errors=invalid.errors,
            form=values,
            status_code=400,
        )
    if decision == "returned":
        message = _("Returned for revision. The trainee has been told.")
    elif decision == "accepted":
        message = _("Accepted. The trainee has been told.")
    else:
        message = _("Your comment is posted.")
    return redirect(request, f"/review/{context.submission.id}", message)


# --- the trainee's side ----------------------------------------------------------------


@router.get("/mentoring")
def trainee_mentoring(request: Request, seat: TraineeSeat, session: DbSession) -> Response:
    mentor_id = service.current_mentor_id(session, seat.cohort_id, seat.user_id)
    mentor = session.get(User, mentor_id) if mentor_id else None
    return render(
        request,
        "mentoring/trainee.html",
        {
            "seat": seat,
            "mentor": mentor,
            "wants_same_gender": service.wants_same_gender(session, seat.cohort_id, seat.user_id),
            "entries": mentoring_log.log_entries(session, seat.cohort_id, seat.user_id)[:3],
        },
    )


@router.get("/mentoring/log")
def trainee_log(request: Request, seat: TraineeSeat, session: DbSession) -> Response:
    return render(
        request,
        "mentoring/trainee_log.html",
        {
            "seat": seat,
            "entries": mentoring_log.log_entries(session, seat.cohort_id, seat.user_id),
            "modes": log_modes(),
        },
    )


@router.post("/mentoring/feedback")
def give_mentor_feedback(
    request: Request,
    seat: TraineeSeat,
    session: DbSession,
    rating: Annotated[int | None, Form(ge=1, le=5)] = None,
    body: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    try:
        service.give_mentor_feedback(
            session,
            cohort_id=seat.cohort_id,
            trainee_id=seat.user_id,
            rating=rating,
            body=body,
        )
    except service.MentoringError as error:
        return redirect(request, "/mentoring", str(error), "error")
    return redirect(
        request, "/mentoring", _("Thank you. Your feedback goes to the programme's trainers.")
    )


@router.post("/mentoring/preferences")
def save_preferences(
    request: Request,
    seat: TraineeSeat,
    session: DbSession,
    same_gender: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    service.set_same_gender_preference(
        session, cohort_id=seat.cohort_id, trainee_id=seat.user_id, wanted=bool(same_gender)
    )
    return redirect(request, "/mentoring", _("Your preference is saved."))
