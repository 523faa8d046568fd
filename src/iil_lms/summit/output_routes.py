"""Downloads: the organisers' printed outputs and schedule data, the published score
record for the cohort, and each person's calendar."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from iil_lms.db import utcnow
from iil_lms.i18n import get_language
from iil_lms.i18n import gettext as _
from iil_lms.mentoring.service import mentee_ids
from iil_lms.summit import judging, outputs
from iil_lms.summit.access import CohortMember, JudgeLink, Organiser
from iil_lms.web.auth import DbSession
from iil_lms.web.responses import redirect
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)


def _download(body: bytes | str, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/summits/{summit_id}/outputs")
def outputs_page(request: Request, access: Organiser, session: DbSession) -> Response:
    programme = outputs.build_programme(session, access.summit)
    return render(
        request,
        "summit/outputs.html",
        {"summit": access.summit, "scheduled": len(programme.entries)},
    )


async def _pdf(request: Request, session: DbSession, access: Organiser, kind: str) -> Response:
    programme = outputs.build_programme(session, access.summit)
    language = get_language()
    makers = {
        "doors": outputs.door_sheets_pdf,
        "judges": outputs.judges_sheets_pdf,
        "programme": outputs.programme_pdf,
    }
    pdf = await run_in_threadpool(makers[kind], programme, language)
    return _download(pdf, "application/pdf", f"summit-{access.summit.id}-{kind}.pdf")


@router.get("/summits/{summit_id}/doors.pdf")
async def doors_pdf(request: Request, access: Organiser, session: DbSession) -> Response:
    return await _pdf(request, session, access, "doors")


@router.get("/summits/{summit_id}/judges.pdf")
async def judges_pdf(request: Request, access: Organiser, session: DbSession) -> Response:
    return await _pdf(request, session, access, "judges")


@router.get("/summits/{summit_id}/programme.pdf")
async def programme_pdf(request: Request, access: Organiser, session: DbSession) -> Response:
    return await _pdf(request, session, access, "programme")


@router.post("/summits/{summit_id}/programme/printed")
def mark_printed(request: Request, access: Organiser, session: DbSession) -> Response:
    access.summit.programme_printed_at = utcnow()
    session.add(access.summit)
    return redirect(request, f"/summits/{access.summit.id}/outputs", _("Marked as printed."))


@router.get("/summits/{summit_id}/schedule.csv")
def schedule_csv(access: Organiser, session: DbSession) -> Response:
    programme = outputs.build_programme(session, access.summit)
    return _download(
        outputs.schedule_csv(programme),
        "text/csv; charset=utf-8",
        f"summit-{access.summit.id}-schedule.csv",
    )


@router.get("/summits/{summit_id}/schedule.json")
def schedule_json(request: Request, access: Organiser, session: DbSession) -> Response:
    programme = outputs.build_programme(session, access.summit)
    body = outputs.schedule_json(programme, str(request.base_url).rstrip("/"))
    return Response(body, media_type="application/json")


@router.get("/summits/{summit_id}/summit.ics")
def summit_ics(access: Organiser, session: DbSession) -> Response:
    programme = outputs.build_programme(session, access.summit)
    return _download(
        outputs.calendar(programme),
        "text/calendar; charset=utf-8",
        f"summit-{access.summit.id}.ics",
    )


@router.get("/summits/{summit_id}/my.ics")
def my_ics(access: CohortMember, session: DbSession) -> Response:
    """A person's own calendar: their pitch, and their mentees' pitches for mentors."""
    programme = outputs.build_programme(session, access.summit)
    mine = outputs.person_entries(
        programme,
        access.user_id,
        set(mentee_ids(session, access.summit.cohort_id, access.user_id)),
    )
    return _download(
        outputs.calendar(programme, mine, access.summit.title),
        "text/calendar; charset=utf-8",
        f"summit-{access.summit.id}-mine.ics",
    )


@router.get("/judge/{token}/calendar.ics")
def judge_ics(link: JudgeLink, session: DbSession) -> Response:
    programme = outputs.build_programme(session, link.summit)
    return _download(
        outputs.calendar(programme, programme.by_room(link.judge.room_id), link.summit.title),
        "text/calendar; charset=utf-8",
        f"summit-{link.summit.id}-room.ics",
    )


def _published(access: CohortMember) -> None:
    organiser = access.viewer.user is not None and (
        access.viewer.user.is_admin
        or "organiser" in access.viewer.roles_in(access.summit.cohort_id)
    )
    if access.summit.published_at is None and not organiser:
        raise HTTPException(status_code=404)


@router.get("/summits/{summit_id}/record.pdf")
async def record_pdf(request: Request, access: CohortMember, session: DbSession) -> Response:
    """The score record, for the cohort once published (organisers before too)."""
    _published(access)
    programme = outputs.build_programme(session, access.summit)
    rows = judging.results(session, access.summit)
    pdf = await run_in_threadpool(outputs.score_record_pdf, programme, rows, get_language())
    return _download(pdf, "application/pdf", f"summit-{access.summit.id}-scores.pdf")


@router.get("/summits/{summit_id}/record.csv")
def record_csv(access: CohortMember, session: DbSession) -> Response:
    _published(access)
    rows = judging.results(session, access.summit)
    return _download(
        judging.score_record_csv(access.summit, rows),
        "text/csv; charset=utf-8",
        f"summit-{access.summit.id}-scores.csv",
    )
