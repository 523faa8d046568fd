"""Outreach: trainees publish stories, posters or photos and video links about integrity
work in their department; trainers moderate; approved items appear on the academy's
public showcase, with the author's name only when they agreed to show it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.accounts.service import audit
from iil_lms.cohorts.models import Academy, Cohort, Membership, Role
from iil_lms.db import utcnow
from iil_lms.i18n import gettext as _
from iil_lms.notifications.service import notify
from iil_lms.outreach import files
from iil_lms.outreach.models import (
    OutreachDecision,
    OutreachItem,
    OutreachKind,
    OutreachRevision,
    OutreachStatus,
)
from iil_lms.settings import Settings

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_NOTE = 2000
EDITABLE = (OutreachStatus.SUBMITTED, OutreachStatus.CHANGES)
SHOWCASE_PAGE = 24


class OutreachError(ValueError):
    """Field-by-field reasons an outreach action was refused."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Draft:
    """What the author typed (and, for a poster or photo, the file's bytes)."""

    kind: str
    title: str
    body: str = ""
    video_url: str = ""
    upload: bytes | None = None
    show_name: bool = False


def clean_video_url(url: str) -> str | None:
    """An http(s) link with a host, or None."""
    url = url.strip()
    if not url or len(url) > 500 or any(c.isspace() for c in url):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def _validate(draft: Draft, *, needs_file: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if draft.kind not in OutreachKind.ALL:
        errors["kind"] = _("Choose a story, a poster or photo, or a video link.")
    title = draft.title.strip()
    if not title:
        errors["title"] = _("Give it a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Keep the title under %(count)s characters.", count=MAX_TITLE)
    if len(draft.body) > MAX_BODY:
        errors["body"] = _("Keep the text under %(count)s characters.", count=MAX_BODY)
    if draft.kind == OutreachKind.STORY and not draft.body.strip():
        errors["body"] = _("Write the story.")
    if draft.kind == OutreachKind.IMAGE and needs_file and not draft.upload:
        errors["upload"] = _("Choose the poster or photo to upload.")
    if draft.kind == OutreachKind.VIDEO and clean_video_url(draft.video_url) is None:
        errors["video_url"] = _(
            "Enter the video's full web address, starting with https:// or http://."
        )
    return errors


def _store(settings: Settings, draft: Draft, errors: dict[str, str]) -> files.StoredFile | None:
    if draft.kind != OutreachKind.IMAGE or not draft.upload or errors:
        return None
    try:
        return files.store_upload(settings, draft.upload)
    except files.UploadRefused as refused:
        errors["upload"] = str(refused)
        return None


def _trainee_department(session: Session, cohort_id: int, user_id: int) -> str | None:
    return session.exec(
        select(Membership.department).where(
            Membership.cohort_id == cohort_id,
            Membership.user_id == user_id,
            Membership.role == Role.TRAINEE.value,
        )
    ).first()


def create_item(
    session: Session, settings: Settings, *, cohort_id: int, author_id: int, draft: Draft
) -> OutreachItem:
    """A trainee of the cohort submits an outreach item for moderation. A story needs its
    text, a poster or photo its file (checked by content), a video an http(s) link; the
    title is needed. Nothing shows publicly until a trainer approves it."""
    department = _trainee_department(session, cohort_id, author_id)
    errors = _validate(draft, needs_file=True)
    if department is None:
        errors["author"] = _("Only trainees of the cohort publish outreach items.")
    stored = _store(settings, draft, errors)
    if errors:
        raise OutreachError(errors)
    item = OutreachItem(
        public_id=secrets.token_urlsafe(12),
        cohort_id=cohort_id,
        author_id=author_id,
        kind=draft.kind,
        title=draft.title.strip(),
        body=draft.body.strip(),
        department=department or "",
        video_url=clean_video_url(draft.video_url) if draft.kind == OutreachKind.VIDEO else None,
        show_name=draft.show_name,
    )
    if stored is not None:
        item.file_name, item.file_type = stored.name, stored.content_type
        item.image_width, item.image_height = stored.width, stored.height
    session.add(item)
    session.flush()
    assert item.id is not None
    session.add(OutreachDecision(item_id=item.id, actor_id=author_id, action="submitted"))
    session.flush()
    return item


def update_item(
    session: Session, settings: Settings, item: OutreachItem, *, author_id: int, draft: Draft
) -> OutreachItem:
    """The author revises an item that waits for moderation or that a trainer asked to
    change; the earlier text is kept as a revision and the item waits for a trainer
    again. A poster or photo keeps its file unless a new one is uploaded."""
    if item.author_id != author_id:
        raise OutreachError({"author": _("Only the author can change this item.")})
    if item.status not in EDITABLE:
        raise OutreachError(
            {"status": _("This item can no longer be changed; publish a new one instead.")}
        )
    draft = Draft(
        kind=item.kind,
        title=draft.title,
        body=draft.body,
        video_url=draft.video_url,
        upload=draft.upload,
        show_name=draft.show_name,
    )
    errors = _validate(draft, needs_file=item.file_name is None)
    stored = _store(settings, draft, errors)
    if errors:
        raise OutreachError(errors)
    assert item.id is not None
    session.add(
        OutreachRevision(
            item_id=item.id,
            title=item.title,
            body=item.body,
            file_name=item.file_name,
            file_type=item.file_type,
            video_url=item.video_url,
        )
    )
    item.title, item.body = draft.title.strip(), draft.body.strip()
    item.show_name = draft.show_name
    if item.kind == OutreachKind.VIDEO:
        item.video_url = clean_video_url(draft.video_url)
    if stored is not None:
        item.file_name, item.file_type = stored.name, stored.content_type
        item.image_width, item.image_height = stored.width, stored.height
    item.status = OutreachStatus.SUBMITTED
    item.updated_at = utcnow()
    session.add(item)
    session.add(OutreachDecision(item_id=item.id, actor_id=author_id, action="submitted"))
    session.flush()
    return item


def set_show_name(session: Session, item: OutreachItem, *, author_id: int, show: bool) -> None:
    """Only the author decides whether their name is shown; they can change their mind at
    any time, also after approval (the showcase follows at once)."""
    if item.author_id != author_id:
        raise OutreachError({"author": _("Only the author decides whether their name is shown.")})
    item.show_name = show
    session.add(item)
    session.flush()


def withdraw_item(session: Session, item: OutreachItem, *, author_id: int) -> None:
    """The author takes an item back; it leaves the showcase and is kept, marked
    withdrawn."""
    if item.author_id != author_id:
        raise OutreachError({"author": _("Only the author can withdraw this item.")})
    if item.status == OutreachStatus.WITHDRAWN:
        return
    item.status = OutreachStatus.WITHDRAWN
    item.updated_at = utcnow()
    session.add(item)
    assert item.id is not None
    session.add(OutreachDecision(item_id=item.id, actor_id=author_id, action="withdrawn"))
    session.flush()


MODERATION = {
    "approve": OutreachStatus.APPROVED,
    "changes": OutreachStatus.CHANGES,
    "reject": OutreachStatus.REJECTED,
}


def moderate(
    session: Session, item: OutreachItem, *, actor_id: int, action: str, note: str
) -> OutreachItem:
    """A trainer approves an item waiting for moderation (it goes on the showcase), asks
    for changes, or rejects it. Asking for changes and rejecting need a note for the
    author, and can also take an approved item off the showcase. Nothing is deleted; each
    step is kept in the item's history and the audit log, and the author is told."""
    note = note.strip()
    errors: dict[str, str] = {}
    status = MODERATION.get(action)
    if status is None:
        errors["action"] = _("Choose to approve, ask for changes or reject.")
    elif status == OutreachStatus.APPROVED and item.status != OutreachStatus.SUBMITTED:
        errors["action"] = _("Only an item waiting for moderation can be approved.")
    elif status != OutreachStatus.APPROVED and item.status not in (
        OutreachStatus.SUBMITTED,
        OutreachStatus.APPROVED,
    ):
        errors["action"] = _("This item is not waiting for moderation.")
    if status in (OutreachStatus.CHANGES, OutreachStatus.REJECTED) and not note:
        errors["note"] = (
            _("Say what should change.")
            if status == OutreachStatus.CHANGES
            else _("Give the reason for rejecting it.")
        )
    if len(note) > MAX_NOTE:
        errors["note"] = _("Keep the note under %(count)s characters.", count=MAX_NOTE)
    if errors or status is None:
        raise OutreachError(errors)
    now = utcnow()
    item.status = status
    item.moderation_note = note
    item.moderated_by_id = actor_id
    item.moderated_at = now
    item.approved_at = now if status == OutreachStatus.APPROVED else None
    session.add(item)
    assert item.id is not None
    session.add(OutreachDecision(item_id=item.id, actor_id=actor_id, action=status, note=note))
    audit(
        session,
        actor_id=actor_id,
        action=f"outreach.{action}",
        subject=f"cohort:{item.cohort_id} outreach:{item.id}",
        detail=note,
    )
    session.flush()
    notify(
        session,
        user_ids=[item.author_id],
        kind="outreach",
        actor_id=actor_id,
        params={"message": f"outreach_{status}", "title": item.title},
        link=f"/outreach/{item.id}",
    )
    return item


# --- reading ---------------------------------------------------------------------------


def items_by_author(session: Session, author_id: int) -> list[OutreachItem]:
    return list(
        session.exec(
            select(OutreachItem)
            .where(OutreachItem.author_id == author_id)
            .order_by(col(OutreachItem.created_at).desc(), col(OutreachItem.id).desc())
        )
    )


def moderation_list(
    session: Session, cohort_id: int, status: str | None
) -> list[tuple[OutreachItem, str]]:
    """The cohort's items with their authors, waiting ones first then newest (one
    query); `status` narrows to one status."""
    query = (
        select(OutreachItem, User.display_name)
        .join(User, col(User.id) == OutreachItem.author_id)
        .where(OutreachItem.cohort_id == cohort_id)
    )
    if status:
        query = query.where(OutreachItem.status == status)
    rows = session.exec(
        query.order_by(col(OutreachItem.updated_at).desc(), col(OutreachItem.id).desc())
    ).all()
    return sorted(rows, key=lambda r: r[0].status != OutreachStatus.SUBMITTED)


def status_counts(session: Session, cohort_id: int) -> dict[str, int]:
    return {
        status: int(count)
        for status, count in session.exec(
            select(OutreachItem.status, func.count())
            .where(OutreachItem.cohort_id == cohort_id)
            .group_by(col(OutreachItem.status))
        ).all()
    }


def history(session: Session, item_id: int) -> list[tuple[OutreachDecision, str]]:
    return [
        (decision, name)
        for decision, name in session.exec(
            select(OutreachDecision, User.display_name)
            .join(User, col(User.id) == OutreachDecision.actor_id)
            .where(OutreachDecision.item_id == item_id)
            .order_by(col(OutreachDecision.at), col(OutreachDecision.id))
        ).all()
    ]


# --- the public showcase ---------------------------------------------------------------


@dataclass(frozen=True)
class ShowcaseAcademy:
    slug: str
    name: str
    country: str
    items: int


def showcase_academies(session: Session) -> list[ShowcaseAcademy]:
    """Every academy with how many approved items its showcase has (one query)."""
    approved = (
        select(Cohort.academy_id, func.count(col(OutreachItem.id)).label("approved_count"))
        .join(OutreachItem, col(OutreachItem.cohort_id) == Cohort.id)
        .where(OutreachItem.status == OutreachStatus.APPROVED)
        .group_by(col(Cohort.academy_id))
        .subquery()
    )
    rows = session.execute(
        sa_select(
            col(Academy.slug), col(Academy.name), col(Academy.country), approved.c.approved_count
        )
        .outerjoin(approved, approved.c.academy_id == Academy.id)
        .order_by(col(Academy.name))
    ).all()
    return [
        ShowcaseAcademy(slug, name, country, int(items or 0)) for slug, name, country, items in rows
    ]


@dataclass(frozen=True)
class PublicItem:
    """Only what a public page may show: no ids, emails or unapproved text."""

    public_id: str
    kind: str
    title: str
    body: str
    department: str
    video_url: str | None
    has_file: bool
    is_pdf: bool
    image_width: int | None
    image_height: int | None
    byline: str  # the author's name if they agreed, else "A participant of <cohort>"
    approved_on: datetime | None


def _public(item: OutreachItem, author_name: str, cohort_name: str) -> PublicItem:
    byline = author_name if item.show_name else _("A participant of %(cohort)s", cohort=cohort_name)
    return PublicItem(
        public_id=item.public_id,
        kind=item.kind,
        title=item.title,
        body=item.body,
        department=item.department,
        video_url=item.video_url,
        has_file=item.file_name is not None,
        is_pdf=item.file_type == "application/pdf",
        image_width=item.image_width,
        image_height=item.image_height,
        byline=byline,
        approved_on=item.approved_at,
    )


def showcase(
    session: Session, academy_slug: str, *, page: int = 1
) -> tuple[Academy, list[PublicItem], bool] | None:
    """The academy's approved items, newest approval first, a page at a time, and
    whether more follow (two queries); None for an unknown academy."""
    academy = session.exec(select(Academy).where(Academy.slug == academy_slug)).first()
    if academy is None:
        return None
    page = max(page, 1)
    rows = session.exec(
        select(OutreachItem, User.display_name, Cohort.name)
        .join(Cohort, col(Cohort.id) == OutreachItem.cohort_id)
        .join(User, col(User.id) == OutreachItem.author_id)
        .where(Cohort.academy_id == academy.id, OutreachItem.status == OutreachStatus.APPROVED)
        .order_by(col(OutreachItem.approved_at).desc(), col(OutreachItem.id).desc())
        .offset((page - 1) * SHOWCASE_PAGE)
        .limit(SHOWCASE_PAGE + 1)
    ).all()
    items = [_public(item, name, cohort) for item, name, cohort in rows[:SHOWCASE_PAGE]]
    return academy, items, len(rows) > SHOWCASE_PAGE


def public_item(
    session: Session, academy_slug: str, public_id: str
) -> tuple[Academy, PublicItem, OutreachItem] | None:
    """One approved item of the academy by its public id; None if there is no such
    approved item (unapproved items do not exist for the public)."""
    row = session.exec(
        select(OutreachItem, User.display_name, Cohort.name, Academy)
        .join(Cohort, col(Cohort.id) == OutreachItem.cohort_id)
        .join(Academy, col(Academy.id) == Cohort.academy_id)
        .join(User, col(User.id) == OutreachItem.author_id)
        .where(
            OutreachItem.public_id == public_id,
            Academy.slug == academy_slug,
            OutreachItem.status == OutreachStatus.APPROVED,
        )
    ).first()
    if row is None:
        return None
    item, name, cohort, academy = row
    return academy, _public(item, name, cohort), item
