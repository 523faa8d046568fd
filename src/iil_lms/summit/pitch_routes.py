"""A trainee's pitch (start it, from an action plan too; write with autosave; the team;
send it) and the pitch page its team, mentors and organisers share (versions, comments)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from iil_lms.cohorts.models import Role
from iil_lms.i18n import gettext as _
from iil_lms.summit import pitches, service
from iil_lms.summit.access import PitchAccess, PitchSeen
from iil_lms.summit.models import PitchStatus, ScheduleSlot, Summit, SummitRoom
from iil_lms.web.auth import DbSession
from iil_lms.web.responses import redirect
from iil_lms.web.seats import Seat, role_seat
from iil_lms.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
TraineeSeat = Annotated[Seat, Depends(role_seat(Role.TRAINEE))]
MentorSeat = Annotated[Seat, Depends(role_seat(Role.MENTOR))]
Field = Annotated[str, Form(max_length=8000)]


def _current_summit(session: Session, cohort_id: int) -> Summit | None:
    return session.exec(
        select(Summit).where(Summit.cohort_id == cohort_id).order_by(col(Summit.starts_on).desc())
    ).first()


@router.get("/pitch")
def my_pitch(request: Request, seat: TraineeSeat, session: DbSession) -> Response:
    """The trainee's way in: the cohort's summit, their pitch or how to start one, and
    invitations to join a team."""
    summit = _current_summit(session, seat.cohort_id)
    pitch = pitches.pitch_of_person(session, summit.id or 0, seat.user_id) if summit else None
    if pitch is not None:
        return redirect(request, f"/pitches/{pitch.id}")
    return render(
        request,
        "summit/my_pitch.html",
        {
            "summit": summit,
            "plans": pitches.action_plans(session, seat.cohort_id, seat.user_id) if summit else [],
            "past_deadline": summit is not None and pitches.is_past_deadline(summit),
        },
    )


@router.post("/pitch/start")
def start(request: Request, seat: TraineeSeat, session: DbSession) -> Response:
    summit = _current_summit(session, seat.cohort_id)
    if summit is None:
        raise HTTPException(status_code=404)
    try:
        pitch = pitches.start_pitch(session, summit, owner_id=seat.user_id)
    except service.SummitError as invalid:
        return redirect(request, "/pitch", " ".join(invalid.errors.values()), "error")
    return redirect(
        request, f"/pitches/{pitch.id}", _("Your pitch is started; it saves as you type.")
    )


@router.post("/pitch/promote")
def promote(
    request: Request,
    seat: TraineeSeat,
    session: DbSession,
    submission_id: Annotated[int, Form(ge=0, le=2**62)] = 0,
) -> Response:
    summit = _current_summit(session, seat.cohort_id)
    if summit is None:
        raise HTTPException(status_code=404)
    try:
        pitch = pitches.promote_action_plan(
            session, summit, owner_id=seat.user_id, submission_id=submission_id
        )
    except service.SummitError as invalid:
        return redirect(request, "/pitch", " ".join(invalid.errors.values()), "error")
    return redirect(
        request, f"/pitches/{pitch.id}", _("Your action plan is now a pitch draft. Shape it here.")
    )


def _pitch_page(
    request: Request,
    session: DbSession,
    access: PitchAccess,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    pitch = access.pitch
    members = pitches.members_of(session, pitch.id or 0)
    me = next((m for m, u in members if u.id == access.user_id), None)
    return render(
        request,
        "summit/pitch.html",
        {
            "access": access,
            "summit": access.summit,
            "pitch": pitch,
            "members": members,
            "me": me,
            "fields": pitches.FIELDS,
            "form": form or {name: getattr(pitch, name) for name in pitches.FIELD_NAMES},
            "errors": errors or {},
            "editable": me is not None
            and me.confirmed_at is not None
            and pitch.status in PitchStatus.EDITABLE,
            "versions": pitches.versions_of(session, pitch.id or 0),
            "comments": pitches.comments_of(session, pitch.id or 0),
            "plan_feedback": pitches.plan_feedback(session, pitch),
            "may_comment": access.is_mentor and not pitches.is_past_deadline(access.summit),
            "slot": session.exec(
                select(ScheduleSlot, SummitRoom.name)
                .join(SummitRoom, col(SummitRoom.id) == col(ScheduleSlot.room_id))
                .where(ScheduleSlot.pitch_id == pitch.id)
            ).first(),
            "tz": service.academy_zone(session, access.summit.cohort_id),
        },
        status_code=status_code,
    )


@router.get("/pitches/{pitch_id}")
def pitch_page(request: Request, access: PitchSeen, session: DbSession) -> Response:
    return _pitch_page(request, session, access)


async def _values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "")[:8000] for name in pitches.FIELD_NAMES}


@router.post("/pitches/{pitch_id}/draft")
async def save_draft(request: Request, access: PitchSeen, session: DbSession) -> Response:
    """Autosave (htmx) and the plain "Save" button: the team's current text."""
    values = await _values(request)
    form = await request.form()
    try:
        pitches.save_draft(
            session,
            access.pitch,
            user_id=access.user_id,
            values=values,
            mentor_attends=bool(form.get("mentor_attends")),
        )
    except service.SummitError as invalid:
        if is_htmx(request):
            return render(
                request,
                "summit/_save_status.html",
                {"errors": invalid.errors, "pitch": access.pitch},
                fragment="summit/_save_status.html",
                status_code=400,
            )
        return _pitch_page(
            request, session, access, form=values, errors=invalid.errors, status_code=400
        )
    if is_htmx(request):
        return render(
            request,
            "summit/_save_status.html",
            {"errors": {}, "pitch": access.pitch},
            fragment="summit/_save_status.html",
        )
    return redirect(request, f"/pitches/{access.pitch.id}", _("Saved."))


@router.post("/pitches/{pitch_id}/members")
def invite(
    request: Request,
    access: PitchSeen,
    session: DbSession,
    email: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    try:
        user = pitches.invite_member(
            session, access.summit, access.pitch, by_id=access.user_id, email=email
        )
    except service.SummitError as invalid:
        return _pitch_page(request, session, access, errors=invalid.errors, status_code=400)
    return redirect(
        request,
        f"/pitches/{access.pitch.id}",
        _("%(name)s is invited; they confirm on their pitch page.", name=user.display_name),
    )


@router.post("/pitches/{pitch_id}/confirm")
def confirm(request: Request, access: PitchSeen, session: DbSession) -> Response:
    try:
        pitches.confirm_membership(session, access.pitch, user_id=access.user_id)
    except service.SummitError as invalid:
        return _pitch_page(request, session, access, errors=invalid.errors, status_code=400)
    return redirect(request, f"/pitches/{access.pitch.id}", _("You are on the team."))


@router.post("/pitches/{pitch_id}/leave")
def leave(request: Request, access: PitchSeen, session: DbSession) -> Response:
    try:
        pitches.leave_pitch(session, access.pitch, user_id=access.user_id)
    except service.SummitError as invalid:
        return _pitch_page(request, session, access, errors=invalid.errors, status_code=400)
    return redirect(request, "/pitch", _("You left the team."))


@router.post("/pitches/{pitch_id}/submit")
def submit(request: Request, access: PitchSeen, session: DbSession) -> Response:
    try:
        pitches.submit_pitch(session, access.summit, access.pitch, user_id=access.user_id)
    except service.SummitError as invalid:
        session.rollback()
        return _pitch_page(request, session, access, errors=invalid.errors, status_code=400)
    return redirect(
        request,
        f"/pitches/{access.pitch.id}",
        _("Sent to the organisers. You will hear from them."),
    )


@router.post("/pitches/{pitch_id}/comments")
def add_comment(
    request: Request,
    access: PitchSeen,
    session: DbSession,
    body: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    try:
        pitches.comment(session, access.summit, access.pitch, author_id=access.user_id, body=body)
    except service.SummitError as invalid:
        return _pitch_page(request, session, access, errors=invalid.errors, status_code=400)
    return redirect(request, f"/pitches/{access.pitch.id}", _("Comment added."))


@router.get("/mentee-pitches")
def mentee_pitches(request: Request, seat: MentorSeat, session: DbSession) -> Response:
    """The mentor's way to their mentees' pitches: each with its state and the deadline
    until which the mentor may comment (on the pitch's own page)."""
    return render(
        request,
        "summit/mentee_pitches.html",
        {
            "cohort": seat.cohort,
            "rows": pitches.pitches_of_mentees(session, seat.cohort_id, seat.user_id),
        },
    )
