"""Outreach pages: the trainee's items, the trainer's moderation, and the public
showcase (no login; small, cacheable pages that set no cookie and show no account)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from iil_lms import i18n
from iil_lms.cohorts.models import Role
from iil_lms.i18n import gettext as _
from iil_lms.outreach import files, service
from iil_lms.outreach.models import OutreachItem, OutreachKind, OutreachStatus
from iil_lms.web.auth import (
    LANG_COOKIE,
    CohortAccess,
    DbSession,
    SignedIn,
    cohort_role,
    settings_of,
)
from iil_lms.web.files import read_upload, uploaded_file
from iil_lms.web.params import PageNumber, PathId
from iil_lms.web.responses import redirect
from iil_lms.web.seats import Seat, role_seat
from iil_lms.web.template_i18n import LocalizedTemplates
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)

TrainerAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER))]
TraineeSeat = Annotated[Seat, Depends(role_seat(Role.TRAINEE))]
PUBLIC_CACHE = "public, max-age=300"


def _user_id(viewer: SignedIn) -> int:
    assert viewer.user is not None and viewer.user.id is not None
    return viewer.user.id


# --- the trainee's items ---------------------------------------------------------------


@router.get("/outreach")
def my_outreach(request: Request, seat: TraineeSeat, session: DbSession) -> Response:
    return render(
        request,
        "outreach/mine.html",
        {"seat": seat, "items": service.items_by_author(session, seat.user_id)},
    )


def _form_page(
    request: Request,
    *,
    item: OutreachItem | None,
    form: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    **extra: Any,
) -> Response:
    return render(
        request,
        "outreach/form.html",
        {"item": item, "form": form, "errors": errors, "kinds": OutreachKind.ALL, **extra},
        status_code=status_code,
    )


@router.get("/outreach/new")
def new_item_form(request: Request, seat: TraineeSeat) -> Response:
    return _form_page(request, item=None, form={"kind": OutreachKind.STORY}, errors={})


@router.post("/outreach")
async def create_item(
    request: Request,
    seat: TraineeSeat,
    session: DbSession,
    kind: Annotated[str, Form(max_length=8)] = "",
    title: Annotated[str, Form(max_length=400)] = "",
    body: Annotated[str, Form(max_length=40000)] = "",
    video_url: Annotated[str, Form(max_length=1000)] = "",
    show_name: Annotated[str, Form(max_length=4)] = "",
    upload: Annotated[UploadFile | None, File()] = None,
) -> Response:
    draft = service.Draft(
        kind=kind,
        title=title,
        body=body,
        video_url=video_url,
        upload=await read_upload(upload, settings_of(request).upload_max_bytes),
        show_name=bool(show_name),
    )
    try:
        item = service.create_item(
            session,
            settings_of(request),
            cohort_id=seat.cohort_id,
            author_id=seat.user_id,
            draft=draft,
        )
    except service.OutreachError as invalid:
        form = {
            "kind": kind,
            "title": title,
            "body": body,
            "video_url": video_url,
            "show_name": bool(show_name),
        }
        return _form_page(request, item=None, form=form, errors=invalid.errors, status_code=400)
    return redirect(
        request, f"/outreach/{item.id}", _("Sent to the trainers. You will hear when they decide.")
    )


@dataclass(frozen=True)
class ItemAccess:
    item: OutreachItem
    is_author: bool
    is_trainer: bool


def item_access(item_id: PathId, viewer: SignedIn, session: DbSession) -> ItemAccess:
    """The author, or a trainer of the item's cohort (site admins too); 404 otherwise."""
    assert viewer.user is not None
    item = session.get(OutreachItem, item_id)
    if item is None:
        raise HTTPException(status_code=404)
    is_author = item.author_id == viewer.user.id
    is_trainer = viewer.user.is_admin or Role.TRAINER.value in viewer.roles_in(item.cohort_id)
    if not (is_author or is_trainer):
        raise HTTPException(status_code=404)
    return ItemAccess(item, is_author, is_trainer)


Item = Annotated[ItemAccess, Depends(item_access)]


@router.get("/outreach/{item_id}")
def item_page(request: Request, access: Item, session: DbSession) -> Response:
    item = access.item
    return render(
        request,
        "outreach/item.html",
        {
            "access": access,
            "item": item,
            "history": service.history(session, item.id or 0),
            "editable": access.is_author and item.status in service.EDITABLE,
            "form": {
                "title": item.title,
                "body": item.body,
                "video_url": item.video_url or "",
                "show_name": item.show_name,
                "kind": item.kind,
            },
            "errors": {},
        },
    )


@router.post("/outreach/{item_id}")
async def update_item(
    request: Request,
    access: Item,
    session: DbSession,
    title: Annotated[str, Form(max_length=400)] = "",
    body: Annotated[str, Form(max_length=40000)] = "",
    video_url: Annotated[str, Form(max_length=1000)] = "",
    show_name: Annotated[str, Form(max_length=4)] = "",
    upload: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if not access.is_author:
        raise HTTPException(status_code=403)
    draft = service.Draft(
        kind=access.item.kind,
        title=title,
        body=body,
        video_url=video_url,
        upload=await read_upload(upload, settings_of(request).upload_max_bytes),
        show_name=bool(show_name),
    )
    try:
        service.update_item(
            session,
            settings_of(request),
            access.item,
            author_id=access.item.author_id,
            draft=draft,
        )
    except service.OutreachError as invalid:
        form = {
            "kind": access.item.kind,
            "title": title,
            "body": body,
            "video_url": video_url,
            "show_name": bool(show_name),
        }
        return render(
            request,
            "outreach/item.html",
            {
                "access": access,
                "item": access.item,
                "history": service.history(session, access.item.id or 0),
                "editable": access.item.status in service.EDITABLE,
                "form": form,
                "errors": invalid.errors,
            },
            status_code=400,
        )
    return redirect(request, f"/outreach/{access.item.id}", _("Changes sent to the trainers."))


@router.post("/outreach/{item_id}/consent")
def set_consent(
    request: Request,
    access: Item,
    session: DbSession,
    show_name: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    if not access.is_author:
        raise HTTPException(status_code=403)
    service.set_show_name(
        session, access.item, author_id=access.item.author_id, show=bool(show_name)
    )
    message = (
        _("Your name is shown with this item.")
        if show_name
        else _("Your name is no longer shown with this item.")
    )
    return redirect(request, f"/outreach/{access.item.id}", message)


@router.post("/outreach/{item_id}/withdraw")
def withdraw(request: Request, access: Item, session: DbSession) -> Response:
    if not access.is_author:
        raise HTTPException(status_code=403)
    service.withdraw_item(session, access.item, author_id=access.item.author_id)
    return redirect(request, "/outreach", _("Withdrawn. It is kept but no longer shown."))


def _file_response(request: Request, item: OutreachItem, *, public: bool) -> Response:
    path = files.stored_path(settings_of(request), item.file_name or "")
    if path is None or item.file_type is None:
        raise HTTPException(status_code=404)
    # Images were re-encoded when stored (outreach/files.py); PDFs are kept as sent.
    return uploaded_file(
        path,
        media_type=item.file_type,
        filename=f"outreach-{item.public_id}{path.suffix}",
        reencoded=item.file_type != "application/pdf",
        cache_control=PUBLIC_CACHE if public else "private, no-store",
    )


@router.get("/outreach/{item_id}/file")
def item_file(request: Request, access: Item) -> Response:
    return _file_response(request, access.item, public=False)


# --- the trainer's moderation ----------------------------------------------------------


@router.get("/cohorts/{cohort_id}/outreach")
def moderation_page(
    request: Request, access: TrainerAccess, session: DbSession, status: str = ""
) -> Response:
    cohort_id = access.cohort.id or 0
    chosen = status if status in OutreachStatus.ALL else ""
    return render(
        request,
        "outreach/moderate.html",
        {
            "cohort": access.cohort,
            "rows": service.moderation_list(session, cohort_id, chosen or None),
            "counts": service.status_counts(session, cohort_id),
            "status": chosen,
            "statuses": OutreachStatus.ALL,
        },
    )


@router.post("/cohorts/{cohort_id}/outreach/{item_id}")
def moderate_item(
    request: Request,
    access: TrainerAccess,
    session: DbSession,
    item_id: PathId,
    action: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    item = session.get(OutreachItem, item_id)
    if item is None or item.cohort_id != access.cohort.id:
        raise HTTPException(status_code=404)
    back = f"/cohorts/{access.cohort.id}/outreach"
    try:
        service.moderate(session, item, actor_id=access.user.id or 0, action=action, note=note)
    except service.OutreachError as invalid:
        return redirect(request, back, str(invalid), "error")
    messages = {
        "approve": _("Approved: “%(title)s” is on the showcase.", title=item.title),
        "changes": _("Changes requested for “%(title)s”.", title=item.title),
        "reject": _("Rejected: “%(title)s”.", title=item.title),
    }
    return redirect(request, back, messages[action])


# --- the public showcase ---------------------------------------------------------------


def _public_page(request: Request, template: str, context: dict[str, Any]) -> Response:
    """Render without the viewer: no account, no CSRF token, no cookie, so the page is
    the same for everyone who asks in the same language and may be cached."""
    settings = settings_of(request)
    language = i18n.negotiate_language(
        user_language=None,
        chosen_language=request.cookies.get(LANG_COOKIE),
        cohort_language=None,
        accept_language=request.headers.get("accept-language"),
        default=settings.default_language,
    )
    i18n.set_language(language)
    env: LocalizedTemplates = request.app.state.templates
    html = env.get_template(template).render(
        {"request": request, "lang": language, "dir": i18n.text_direction(language), **context}
    )
    return HTMLResponse(
        html, headers={"Cache-Control": PUBLIC_CACHE, "Vary": "Accept-Language, Cookie"}
    )


@router.get("/showcase")
def showcase_index(request: Request, session: DbSession) -> Response:
    return _public_page(
        request,
        "outreach/showcase_index.html",
        {"academies": service.showcase_academies(session)},
    )


@router.get("/showcase/{academy_slug}")
def academy_showcase(
    request: Request, session: DbSession, academy_slug: str, page: PageNumber = 1
) -> Response:
    found = service.showcase(session, academy_slug, page=page)
    if found is None:
        raise HTTPException(status_code=404)
    academy, items, more = found
    return _public_page(
        request,
        "outreach/showcase.html",
        {"academy": academy, "items": items, "more": more, "page": max(page, 1)},
    )


@router.get("/showcase/{academy_slug}/{public_id}")
def showcase_item(
    request: Request, session: DbSession, academy_slug: str, public_id: str
) -> Response:
    found = service.public_item(session, academy_slug, public_id)
    if found is None:
        raise HTTPException(status_code=404)
    academy, item, _row = found
    return _public_page(request, "outreach/showcase_item.html", {"academy": academy, "item": item})


@router.get("/showcase/{academy_slug}/{public_id}/file")
def showcase_file(
    request: Request, session: DbSession, academy_slug: str, public_id: str
) -> Response:
    found = service.public_item(session, academy_slug, public_id)
    if found is None:
        raise HTTPException(status_code=404)
    return _file_response(request, found[2], public=True)
