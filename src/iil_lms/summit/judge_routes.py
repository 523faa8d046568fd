"""The judge's pages, opened by their personal link (no account): their room's pitches
in time order and the scoring form, sized for a phone."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from iil_lms.i18n import gettext as _
from iil_lms.summit import judging, service
from iil_lms.summit.access import JudgeAccess, JudgeLink
from iil_lms.summit.models import SummitRoom
from iil_lms.web.auth import AnyViewer, DbSession
from iil_lms.web.params import PathId
from iil_lms.web.responses import redirect
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/judge/{token}")
def room_page(request: Request, link: JudgeLink, session: DbSession, viewer: AnyViewer) -> Response:
    """The judge's room; `viewer` gives the page the language the judge chose."""
    room = session.get(SummitRoom, link.judge.room_id)
    return render(
        request,
        "summit/judge_room.html",
        {
            "link": link,
            "summit": link.summit,
            "room": room,
            "rows": judging.room_pitches(session, link.judge),
            "tz": service.academy_zone(session, link.summit.cohort_id),
        },
        headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"},
    )


def _row(session: DbSession, link: JudgeAccess, pitch_id: int) -> judging.RoomPitch:
    row = next(
        (r for r in judging.room_pitches(session, link.judge) if r.pitch.id == pitch_id), None
    )
    if row is None:
        raise HTTPException(status_code=404)
    return row


def _score_page(
    request: Request,
    session: DbSession,
    link: JudgeAccess,
    pitch_id: PathId,
    *,
    form: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    row = _row(session, link, pitch_id)
    saved = row.score
    return render(
        request,
        "summit/judge_score.html",
        {
            "link": link,
            "summit": link.summit,
            "row": row,
            "scores": form.get("scores") if form else (saved.scores if saved else {}),
            "notes": form.get("notes") if form else (saved.notes if saved else {}),
            "errors": errors or {},
            "tz": service.academy_zone(session, link.summit.cohort_id),
        },
        status_code=status_code,
        headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"},
    )


@router.get("/judge/{token}/pitches/{pitch_id}")
def score_page(
    request: Request, link: JudgeLink, session: DbSession, viewer: AnyViewer, pitch_id: PathId
) -> Response:
    return _score_page(request, session, link, pitch_id)


def _int(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 3 else None


@router.post("/judge/{token}/pitches/{pitch_id}")
async def save_score(
    request: Request, link: JudgeLink, session: DbSession, viewer: AnyViewer, pitch_id: PathId
) -> Response:
    form = await request.form()
    rubric = link.summit.rubric
    scores = {c: _int(form.get(f"score_{i}")) for i, c in enumerate(rubric)}
    notes = {c: str(form.get(f"note_{i}") or "")[:2000] for i, c in enumerate(rubric)}
    _row(session, link, pitch_id)
    try:
        judging.save_score(
            session, link.summit, link.judge, pitch_id=pitch_id, scores=scores, notes=notes
        )
    except service.SummitError as invalid:
        return _score_page(
            request,
            session,
            link,
            pitch_id,
            form={"scores": scores, "notes": notes},
            errors=invalid.errors,
            status_code=400,
        )
    return redirect(
        request,
        f"/judge/{link.token}",
        _("Scores saved. You can change them until scoring closes."),
    )
