"""The notification list, the header's bell, and each person's notification choices."""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from iil_lms.i18n import gettext as _
from iil_lms.i18n import ngettext
from iil_lms.notifications import service
from iil_lms.web.auth import DbSession, SignedIn
from iil_lms.web.params import PageNumber, PathId
from iil_lms.web.responses import redirect, safe_local_path
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)
ANCHOR = re.compile(r"[A-Za-z0-9_-]{1,60}")


def _user_id(viewer: SignedIn) -> int:
    assert viewer.user is not None and viewer.user.id is not None
    return viewer.user.id


@router.get("/notifications")
def notifications_page(
    request: Request, viewer: SignedIn, session: DbSession, page: PageNumber = 1
) -> Response:
    rows, more = service.recent(session, _user_id(viewer), page=page)
    items = [(n, service.render_text(n.kind, n.params)) for n in rows]
    return render(
        request,
        "notifications/list.html",
        {
            "items": items,
            "page": max(page, 1),
            "more": more,
            "unread": service.unread_count(session, _user_id(viewer)),
        },
        fragment="notifications/_items.html",
    )


@router.get("/notifications/bell")
def bell(request: Request, viewer: SignedIn, session: DbSession) -> Response:
    """The header's bell with the unread count, loaded by htmx after the page so that
    every page's own cost stays fixed (one cheap count here)."""
    count = service.unread_count(session, _user_id(viewer))
    return render(request, "notifications/_bell.html", {"unread": count})


@router.post("/notifications/{notification_id}/read")
def open_notification(
    request: Request, viewer: SignedIn, session: DbSession, notification_id: PathId
) -> Response:
    """Mark it read and go where it points."""
    found = service.mark_read(session, _user_id(viewer), notification_id)
    if found is None:
        raise HTTPException(status_code=404)
    path, _hash, anchor = found.link.partition("#")
    target = safe_local_path(path, "/notifications")
    if anchor and ANCHOR.fullmatch(anchor):
        target += "#" + anchor
    return redirect(request, target)


@router.post("/notifications/read-all")
def read_all(request: Request, viewer: SignedIn, session: DbSession) -> Response:
    count = service.mark_all_read(session, _user_id(viewer))
    return redirect(
        request,
        "/notifications",
        ngettext("%(num)s notification marked read.", "%(num)s notifications marked read.", count),
    )


@router.get("/notifications/settings")
def settings_page(request: Request, viewer: SignedIn, session: DbSession) -> Response:
    return render(
        request,
        "notifications/settings.html",
        {"choices": service.choices_for(session, _user_id(viewer))},
    )


@router.post("/notifications/settings")
async def save_settings(request: Request, viewer: SignedIn, session: DbSession) -> Response:
    form = await request.form()
    chosen = {
        kind: (form.get(f"{kind}-app") is not None, form.get(f"{kind}-email") is not None)
        for kind in service.KINDS
    }
    service.save_choices(session, _user_id(viewer), chosen)
    return redirect(request, "/notifications/settings", _("Your choices are saved."))
