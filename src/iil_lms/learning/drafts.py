"""Earlier versions of a draft, so text that a later save replaced can be restored: the
text another tab or device had saved when a save that had not seen it replaced it, and
the text that stood before a pause in the typing. Only the newest few are kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from iil_lms.db import as_utc, utcnow
from iil_lms.learning.models import Draft, DraftVersion

# How many earlier versions one trainee's draft of one exercise keeps.
KEEP = 10
# Text left untouched this long is kept as a version when the next save replaces it.
PAUSE = timedelta(minutes=10)


def _has_text(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_text(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_text(v) for v in value)
    return value not in (None, "")


def keep_replaced(
    session: Session,
    draft: Draft,
    new_content: dict[str, Any],
    *,
    overwritten: bool,
    restoring: bool = False,
) -> DraftVersion | None:
    """Before `draft` takes `new_content`: keep its text as a version when a save that
    had not seen it replaces it (`overwritten`), when an earlier version is restored
    over it (`restoring`), or when it stood for a while (PAUSE); keep at most KEEP
    versions. Nothing is kept for an empty draft or an unchanged text. Returns the
    version kept, if any."""
    if draft.id is None or not _has_text(draft.content) or draft.content == new_content:
        return None
    if not (overwritten or restoring) and utcnow() - as_utc(draft.updated_at) < PAUSE:
        return None
    version = DraftVersion(
        draft_id=draft.id,
        revision=draft.revision,
        content=dict(draft.content),
        saved_at=draft.updated_at,
        overwritten=overwritten,
    )
    session.add(version)
    session.flush()
    newest = (
        select(DraftVersion.id)
        .where(DraftVersion.draft_id == draft.id)
        .order_by(col(DraftVersion.id).desc())
        .limit(KEEP)
    )
    session.execute(
        delete(DraftVersion).where(
            col(DraftVersion.draft_id) == draft.id,
            col(DraftVersion.id).not_in(newest.scalar_subquery()),
        )
    )
    return version


def versions_of(session: Session, draft_id: int | None) -> list[DraftVersion]:
    """The draft's earlier versions, newest first."""
    if draft_id is None:
        return []
    return list(
        session.exec(
            select(DraftVersion)
            .where(DraftVersion.draft_id == draft_id)
            .order_by(col(DraftVersion.id).desc())
        )
    )
