"""The organisers' summit pages: their summits, set-up (facts, rooms, sessions, guests),
pitches to decide on, the schedule grid with live checks, judges, results, outputs."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import Response
from sqlmodel import col, select

from iil_lms.cohorts.models import Cohort, Role
from iil_lms.i18n import gettext as _
from iil_lms.summit import judging, pitches, planning, service
from iil_lms.summit.access import Organiser
from iil_lms.summit.models import PitchStatus, Summit
from iil_lms.summit.scheduler import ScheduleInfeasible
from iil_lms.web.auth import DbSession, SignedIn
from iil_lms.web.params import PathId
from iil_lms.web.responses import redirect
from iil_lms.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=4000)]
Short = Annotated[str, Form(max_length=400)]


def _organiser_cohorts(viewer: SignedIn, session: DbSession) -> list[tuple[int, str]]:
    """The cohorts whose summits the viewer runs (every cohort for a site admin)."""
    assert viewer.user is not None
    if viewer.user.is_admin:
        return [
            (cohort.id or 0, cohort.name)
            for cohort in session.exec(select(Cohort).order_by(col(Cohort.starts_on).desc()))
        ]
    return [
        (role.cohort_id, role.cohort_name)
        for role in viewer.roles
        if role.role == Role.ORGANISER.value
    ]


@router.get("/summits")
def summits_page(request: Request, viewer: SignedIn, session: DbSession) -> Response:
    cohorts = _organiser_cohorts(viewer, session)
    if not cohorts:
        raise HTTPException(status_code=403)
    return render(
        request,
        "summit/summits.html",
        {
            "overviews": service.summits_for(session, [c for c, _n in cohorts]),
            "cohorts": cohorts,
            "form": {},
            "errors": {},
        },
    )


def _fields(
    title: str,
    venue: str,
    starts_on: date | None,
    ends_on: date | None,
    pitch_minutes: int,
    changeover_minutes: int,
    deadline_on: date | None,
    welcome: str,
) -> service.SummitFields:
    return service.SummitFields(
        title=title,
        venue=venue,
        starts_on=starts_on,
        ends_on=ends_on,
        pitch_minutes=pitch_minutes,
        changeover_minutes=changeover_minutes,
        deadline_on=deadline_on,
        welcome=welcome,
    )


Day = Annotated[date | None, Form()]
Minutes = Annotated[int, Form(ge=0, le=1000)]


@router.post("/summits")
def create_summit(
    request: Request,
    viewer: SignedIn,
    session: DbSession,
    cohort_id: Annotated[int, Form(ge=0, le=2**62)] = 0,
    title: Short = "",
    venue: Short = "",
    starts_on: Day = None,
    ends_on: Day = None,
    pitch_minutes: Minutes = 10,
    changeover_minutes: Minutes = 5,
    deadline_on: Day = None,
    welcome: Text = "",
) -> Response:
    cohorts = _organiser_cohorts(viewer, session)
    if not cohorts:
        raise HTTPException(status_code=403)
    fields = _fields(
        title, venue, starts_on, ends_on, pitch_minutes, changeover_minutes, deadline_on, welcome
    )
    errors: dict[str, str] = {}
    if cohort_id not in {c for c, _n in cohorts}:
        errors["cohort_id"] = _("Choose one of your cohorts.")
    else:
        assert viewer.user is not None
        try:
            summit = service.create_summit(
                session, cohort_id=cohort_id, actor_id=viewer.user.id or 0, fields=fields
            )
        except service.SummitError as invalid:
            errors = invalid.errors
    if errors:
        return render(
            request,
            "summit/summits.html",
            {
                "overviews": service.summits_for(session, [c for c, _n in cohorts]),
                "cohorts": cohorts,
                "form": fields.__dict__ | {"cohort_id": cohort_id},
                "errors": errors,
            },
            status_code=400,
        )
    return redirect(
        request, f"/summits/{summit.id}/setup", _("Summit created. Add its rooms and sessions.")
    )


def _setup_page(
    request: Request,
    session: DbSession,
    summit: Summit,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    tz = service.academy_zone(session, summit.cohort_id)
    deadline = summit.pitch_deadline.astimezone(tz).date() if summit.pitch_deadline else None
    return render(
        request,
        "summit/setup.html",
        {
            "summit": summit,
            "rooms": service.rooms_of(session, summit.id or 0),
            "sessions": service.sessions_of(session, summit.id or 0),
            "guests": service.guests_of(session, summit.id or 0),
            "deadline_on": deadline,
            "errors": errors or {},
            "form": form or {},
            "tz": tz,
        },
        status_code=status_code,
    )


@router.get("/summits/{summit_id}/setup")
def setup_page(request: Request, access: Organiser, session: DbSession) -> Response:
    return _setup_page(request, session, access.summit)


@router.post("/summits/{summit_id}")
def update_summit(
    request: Request,
    access: Organiser,
    session: DbSession,
    title: Short = "",
    venue: Short = "",
    starts_on: Day = None,
    ends_on: Day = None,
    pitch_minutes: Minutes = 10,
    changeover_minutes: Minutes = 5,
    deadline_on: Day = None,
    welcome: Text = "",
) -> Response:
    fields = _fields(
        title, venue, starts_on, ends_on, pitch_minutes, changeover_minutes, deadline_on, welcome
    )
    try:
        service.update_summit(session, access.summit, actor_id=access.user_id, fields=fields)
    except service.SummitError as invalid:
        session.rollback()
        return _setup_page(request, session, access.summit, errors=invalid.errors, status_code=400)
    return redirect(request, f"/summits/{access.summit.id}/setup", _("Saved."))


@router.post("/summits/{summit_id}/rooms")
def add_room(
    request: Request,
    access: Organiser,
    session: DbSession,
    room_name: Short = "",
    capacity: Annotated[int, Form(ge=0, le=100000)] = 0,
) -> Response:
    try:
        service.add_room(session, access.summit, name=room_name, capacity=capacity)
    except service.SummitError as invalid:
        return _setup_page(
            request,
            session,
            access.summit,
            errors=invalid.errors,
            form={"room_name": room_name, "capacity": capacity},
            status_code=400,
        )
    return redirect(request, f"/summits/{access.summit.id}/setup#rooms", _("Room added."))


@router.post("/summits/{summit_id}/rooms/{room_id}/delete")
def remove_room(
    request: Request, access: Organiser, session: DbSession, room_id: PathId
) -> Response:
    try:
        service.remove_room(session, access.summit, room_id)
    except service.SummitError as invalid:
        return _setup_page(request, session, access.summit, errors=invalid.errors, status_code=400)
    return redirect(request, f"/summits/{access.summit.id}/setup#rooms", _("Room removed."))


@router.post("/summits/{summit_id}/sessions")
def add_session(
    request: Request,
    access: Organiser,
    session: DbSession,
    label: Short = "",
    day: Day = None,
    starts: Annotated[str, Form(max_length=8)] = "",
    ends: Annotated[str, Form(max_length=8)] = "",
    is_break: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    try:
        service.add_session(
            session,
            access.summit,
            label=label,
            day=day,
            starts=starts,
            ends=ends,
            is_break=bool(is_break),
        )
    except service.SummitError as invalid:
        return _setup_page(
            request,
            session,
            access.summit,
            errors=invalid.errors,
            form={"label": label, "day": day, "starts": starts, "ends": ends, "is_break": is_break},
            status_code=400,
        )
    return redirect(request, f"/summits/{access.summit.id}/setup#sessions", _("Session added."))


@router.post("/summits/{summit_id}/sessions/{session_id}/delete")
def remove_session(
    request: Request, access: Organiser, session: DbSession, session_id: PathId
) -> Response:
    try:
        service.remove_session(session, access.summit, session_id)
    except service.SummitError as invalid:
        return _setup_page(request, session, access.summit, errors=invalid.errors, status_code=400)
    return redirect(request, f"/summits/{access.summit.id}/setup#sessions", _("Session removed."))


@router.post("/summits/{summit_id}/guests")
def add_guest(
    request: Request,
    access: Organiser,
    session: DbSession,
    guest_name: Short = "",
    affiliation: Short = "",
) -> Response:
    try:
        service.add_guest(session, access.summit, name=guest_name, affiliation=affiliation)
    except service.SummitError as invalid:
        return _setup_page(request, session, access.summit, errors=invalid.errors, status_code=400)
    return redirect(request, f"/summits/{access.summit.id}/setup#guests", _("Guest added."))


# --- pitches ---------------------------------------------------------------------------


@router.get("/summits/{summit_id}/pitches")
def pitches_page(
    request: Request,
    access: Organiser,
    session: DbSession,
    status: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    chosen = (status,) if status in PitchStatus.ALL else None
    return render(
        request,
        "summit/pitches.html",
        {
            "summit": access.summit,
            "rows": pitches.pitches_of_summit(session, access.summit.id or 0, chosen),
            "status": status if chosen else "",
            "statuses": PitchStatus.ALL,
            "errors": {},
        },
    )


@router.post("/summits/{summit_id}/pitches/{pitch_id}/decision")
def decide(
    request: Request,
    access: Organiser,
    session: DbSession,
    pitch_id: PathId,
    decision: Annotated[str, Form(max_length=12)] = "",
    note: Text = "",
) -> Response:
    pitch = session.get(pitches.Pitch, pitch_id)
    if pitch is None or pitch.summit_id != access.summit.id:
        raise HTTPException(status_code=404)
    try:
        pitches.decide(
            session, access.summit, pitch, actor_id=access.user_id, decision=decision, note=note
        )
    except service.SummitError as invalid:
        return redirect(
            request,
            f"/summits/{access.summit.id}/pitches",
            " ".join(invalid.errors.values()),
            "error",
        )
    return redirect(request, f"/summits/{access.summit.id}/pitches", _("Decision recorded."))


# --- the schedule ------------------------------------------------------------------------


def _schedule_page(
    request: Request,
    session: DbSession,
    summit: Summit,
    *,
    blocked: list[str] | None = None,
    move_error: str = "",
    status_code: int = 200,
) -> Response:
    board = planning.load_board(session, summit)
    return render(
        request,
        "summit/schedule.html",
        {
            "summit": summit,
            "grid": planning.grid(session, summit, board),
            "blocked": blocked or [],
            "move_error": move_error,
            "tz": service.academy_zone(session, summit.cohort_id),
        },
        status_code=status_code,
    )


@router.get("/summits/{summit_id}/schedule")
def schedule_page(request: Request, access: Organiser, session: DbSession) -> Response:
    return _schedule_page(request, session, access.summit)


@router.post("/summits/{summit_id}/schedule/run")
def run_schedule(request: Request, access: Organiser, session: DbSession) -> Response:
    try:
        result = planning.run_schedule(session, access.summit, actor_id=access.user_id)
    except ScheduleInfeasible as blocked:
        session.rollback()
        return _schedule_page(
            request, session, access.summit, blocked=blocked.reasons, status_code=409
        )
    return redirect(
        request,
        f"/summits/{access.summit.id}/schedule",
        _(
            "Scheduled %(placed)s pitches; %(moved)s moved from where they were.",
            placed=result.placed,
            moved=result.moved,
        ),
    )


def _target(value: str) -> tuple[int, int] | None:
    try:
        room, index = value.split(":")
        return int(room), int(index)
    except ValueError:
        return None


@router.get("/summits/{summit_id}/schedule/check")
def check_move(
    request: Request,
    access: Organiser,
    session: DbSession,
    pitch_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
    target: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The live check (htmx): what a move would break, before it is made."""
    cell = _target(target)
    board = planning.load_board(session, access.summit)
    problems = (
        planning.check_move(board, pitch_id, cell[0], cell[1])[1]
        if cell
        else [_("Choose where to move it.")]
    )
    return render(
        request,
        "summit/_move_check.html",
        {"problems": problems, "pitch_id": pitch_id},
        fragment="summit/_move_check.html" if is_htmx(request) else None,
    )


@router.post("/summits/{summit_id}/schedule/move")
def move(
    request: Request,
    access: Organiser,
    session: DbSession,
    pitch_id: Annotated[int, Form(ge=0, le=2**62)] = 0,
    target: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    cell = _target(target)
    try:
        if cell is None:
            raise service.SummitError({"move": _("Choose where to move it.")})
        planning.move_pitch(
            session,
            access.summit,
            pitch_id=pitch_id,
            room_id=cell[0],
            index=cell[1],
            actor_id=access.user_id,
        )
    except service.SummitError as invalid:
        session.rollback()
        return _schedule_page(
            request, session, access.summit, move_error=invalid.errors["move"], status_code=409
        )
    return redirect(request, f"/summits/{access.summit.id}/schedule", _("Moved."))


@router.post("/summits/{summit_id}/schedule/lock")
def lock(
    request: Request,
    access: Organiser,
    session: DbSession,
    pitch_id: Annotated[int, Form(ge=0, le=2**62)] = 0,
    locked: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    try:
        planning.set_lock(
            session, access.summit, pitch_id=pitch_id, locked=bool(locked), actor_id=access.user_id
        )
    except service.SummitError as invalid:
        return _schedule_page(
            request, session, access.summit, move_error=invalid.errors["move"], status_code=400
        )
    return redirect(
        request,
        f"/summits/{access.summit.id}/schedule",
        _("Locked: a new run keeps it there.") if locked else _("Unlocked."),
    )


@router.post("/summits/{summit_id}/schedule/clear")
def clear(request: Request, access: Organiser, session: DbSession) -> Response:
    planning.clear_schedule(session, access.summit, actor_id=access.user_id)
    return redirect(request, f"/summits/{access.summit.id}/schedule", _("Schedule cleared."))


# --- judges and results ------------------------------------------------------------------


def _judges_page(
    request: Request,
    session: DbSession,
    summit: Summit,
    *,
    new_link: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "summit/judges.html",
        {
            "summit": summit,
            "rooms": service.rooms_of(session, summit.id or 0),
            "judges": judging.judges_of(session, summit.id or 0),
            "new_link": new_link,
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/summits/{summit_id}/judges")
def judges_page(request: Request, access: Organiser, session: DbSession) -> Response:
    return _judges_page(request, session, access.summit)


@router.post("/summits/{summit_id}/judges")
def invite_judge(
    request: Request,
    access: Organiser,
    session: DbSession,
    room_id: Annotated[int, Form(ge=0, le=2**62)] = 0,
    judge_name: Short = "",
    email: Short = "",
    department: Short = "",
) -> Response:
    try:
        judge, token = judging.invite_judge(
            session,
            access.summit,
            room_id=room_id,
            name=judge_name,
            email=email,
            department=department,
        )
    except service.SummitError as invalid:
        return _judges_page(request, session, access.summit, errors=invalid.errors, status_code=400)
    link = str(request.base_url).rstrip("/") + f"/judge/{token}"
    return _judges_page(request, session, access.summit, new_link=link)


@router.post("/summits/{summit_id}/judges/{judge_id}/link")
def renew_link(
    request: Request, access: Organiser, session: DbSession, judge_id: PathId
) -> Response:
    try:
        _judge, token = judging.renew_link(session, access.summit, judge_id)
    except service.SummitError as invalid:
        return _judges_page(request, session, access.summit, errors=invalid.errors, status_code=400)
    link = str(request.base_url).rstrip("/") + f"/judge/{token}"
    return _judges_page(request, session, access.summit, new_link=link)


def _results_page(
    request: Request,
    session: DbSession,
    summit: Summit,
    *,
    errors: dict[str, str] | None = None,
    criteria: str | None = None,
) -> Response:
    return render(
        request,
        "summit/results.html",
        {
            "summit": summit,
            "rows": judging.results(session, summit),
            "options": judging.tie_break_options(summit),
            "criteria": "\n".join(summit.rubric) if criteria is None else criteria,
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


@router.get("/summits/{summit_id}/results")
def results_page(request: Request, access: Organiser, session: DbSession) -> Response:
    return _results_page(request, session, access.summit)


@router.post("/summits/{summit_id}/rubric")
def rubric(
    request: Request, access: Organiser, session: DbSession, criteria: Text = ""
) -> Response:
    try:
        judging.set_rubric(session, access.summit, text=criteria, actor_id=access.user_id)
    except service.SummitError as invalid:
        return _results_page(
            request, session, access.summit, errors=invalid.errors, criteria=criteria
        )
    return redirect(request, f"/summits/{access.summit.id}/results", _("Rubric saved."))


@router.post("/summits/{summit_id}/tie-break")
def tie_break(
    request: Request, access: Organiser, session: DbSession, rule: Short = ""
) -> Response:
    try:
        judging.set_tie_break(session, access.summit, rule=rule, actor_id=access.user_id)
    except service.SummitError as invalid:
        return _results_page(request, session, access.summit, errors=invalid.errors)
    return redirect(request, f"/summits/{access.summit.id}/results", _("Tie-break rule saved."))


@router.post("/summits/{summit_id}/scoring")
def scoring(
    request: Request,
    access: Organiser,
    session: DbSession,
    state: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    try:
        judging.set_scoring(session, access.summit, state=state, actor_id=access.user_id)
    except service.SummitError as invalid:
        return _results_page(request, session, access.summit, errors=invalid.errors)
    return redirect(request, f"/summits/{access.summit.id}/results", _("Scoring updated."))


@router.post("/summits/{summit_id}/awards")
def award(
    request: Request,
    access: Organiser,
    session: DbSession,
    pitch_id: Annotated[int, Form(ge=0, le=2**62)] = 0,
    award_name: Short = "",
) -> Response:
    try:
        judging.record_award(
            session, access.summit, pitch_id=pitch_id, name=award_name, actor_id=access.user_id
        )
    except service.SummitError as invalid:
        return _results_page(request, session, access.summit, errors=invalid.errors)
    return redirect(request, f"/summits/{access.summit.id}/results", _("Award recorded."))


@router.post("/summits/{summit_id}/publish")
def publish(request: Request, access: Organiser, session: DbSession) -> Response:
    try:
        judging.publish(session, access.summit, actor_id=access.user_id)
    except service.SummitError as invalid:
        return _results_page(request, session, access.summit, errors=invalid.errors)
    return redirect(
        request, f"/summits/{access.summit.id}/results", _("The score record is published.")
    )
