"""Recording changes in the audit log and reading it back, filtered and paged.

`record` is the only way the app writes to the log; entries are sealed into the hash
chain when the transaction that made the change commits (iil_lms.audit.chain), so a
change and its entry are kept or lost together."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from iil_lms.accounts.models import AuditEntry, User

PAGE_SIZE = 50
_COHORT_SUBJECT = re.compile(r"cohort:([0-9]{1,18})\b")


def as_json(value: Any) -> str:
    """Canonical JSON text of a before/after state (dates and the like as strings)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def record(
    session: Session,
    actor: int | None,
    action: str,
    subject: str,
    before: Any = None,
    after: Any = None,
    *,
    cohort_id: int | None = None,
    detail: str = "",
) -> AuditEntry:
    """Log that `actor` (a user id; None for the system) did `action` to `subject`, with the
    state before and after. The cohort is taken from a "cohort:N" subject when not given,
    so trainers can find the entry on their cohort's log."""
    found = _COHORT_SUBJECT.match(subject)
    if cohort_id is None and found:
        cohort_id = int(found.group(1))
    entry = AuditEntry(
        actor_id=actor,
        action=action[:80],
        subject=subject[:200],
        detail=detail[:2000],
        cohort_id=cohort_id,
        before=as_json(before),
        after=as_json(after),
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class Filters:
    action: str = ""
    person: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Line:
    id: int
    seq: int | None
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str
    before: str
    after: str


@dataclass(frozen=True)
class LogPage:
    lines: list[Line]
    page: int
    pages: int
    total: int
    actions: list[str]


def _pretty(text: str) -> str:
    """A state for reading: one "key": value line per top-level key, values compact."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if value is None:
        return ""
    if not isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return "\n".join(
        f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(item, ensure_ascii=False)}"
        for key, item in value.items()
    )


def browse(
    session: Session, *, cohort_id: int | None, filters: Filters, page: int, tz: Any = UTC
) -> LogPage:
    """One page of the log (newest first), for one cohort or (None) the whole site,
    filtered by action (prefix), person (actor's name or email, part of it) and a date
    range in the academy's days. Three queries whatever the page size."""
    conditions: list[Any] = []
    if cohort_id is not None:
        conditions.append(col(AuditEntry.cohort_id) == cohort_id)
    if filters.action:
        conditions.append(col(AuditEntry.action).startswith(filters.action, autoescape=True))
    if filters.person:
        needle = filters.person.casefold()
        conditions.append(
            col(AuditEntry.actor_id).in_(
                select(User.id).where(
                    func.lower(User.display_name).contains(needle, autoescape=True)
                    | func.lower(User.email).contains(needle, autoescape=True)
                )
            )
        )
    if filters.since is not None:
        start = datetime.combine(filters.since, time.min, tzinfo=tz).astimezone(UTC)
        conditions.append(col(AuditEntry.at) >= start)
    if filters.until is not None:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=tz)
        conditions.append(col(AuditEntry.at) < end.astimezone(UTC))
    total = session.exec(select(func.count()).select_from(AuditEntry).where(*conditions)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    rows = session.exec(
        select(AuditEntry, User.display_name)
        .join(User, col(User.id) == col(AuditEntry.actor_id), isouter=True)
        .where(*conditions)
        .order_by(col(AuditEntry.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    scope = [col(AuditEntry.cohort_id) == cohort_id] if cohort_id is not None else []
    actions = list(
        session.exec(
            select(AuditEntry.action).where(*scope).distinct().order_by(col(AuditEntry.action))
        )
    )
    lines = [
        Line(
            id=entry.id or 0,
            seq=entry.seq,
            at=entry.at,
            actor=name or "",
            action=entry.action,
            subject=entry.subject,
            detail=entry.detail,
            before=_pretty(entry.before),
            after=_pretty(entry.after),
        )
        for entry, name in rows
    ]
    return LogPage(lines, page, pages, total, actions)
