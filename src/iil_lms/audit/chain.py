"""The hash chain over audit entries.

Entries are sealed when their transaction commits: the chain head is locked (PostgreSQL:
a transaction-scoped advisory lock; SQLite: the single writer already serialises), each
new entry gets the next `seq`, the previous entry's hash and the SHA-256 of that hash
followed by the entry's canonical JSON, and the head moves on. Sealing at commit keeps
the lock for the last moment of the transaction, after every other row lock it takes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from iil_lms.accounts.models import AuditChainHead, AuditEntry
from iil_lms.db import as_utc

GENESIS = "0" * 64
_PENDING = "iil_audit_pending"
# pg_advisory_xact_lock key: "audit" in ASCII
_LOCK_KEY = 0x6175646974


def canonical(entry: AuditEntry) -> bytes:
    """The entry's content as canonical JSON (sorted keys, no spaces, UTF-8)."""
    return json.dumps(
        {
            "seq": entry.seq,
            "at": as_utc(entry.at).isoformat(),
            "actor_id": entry.actor_id,
            "action": entry.action,
            "subject": entry.subject,
            "cohort_id": entry.cohort_id,
            "detail": entry.detail,
            "before": entry.before,
            "after": entry.after,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def link_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(entry)).hexdigest()


def _lock_head(session: Session) -> AuditChainHead:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    query = select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    head = session.exec(query.execution_options(populate_existing=True)).first()
    if head is None:
        head = AuditChainHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    return head


def _collect(session: Any, _context: Any, _instances: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if new:
        session.info.setdefault(_PENDING, []).extend(new)


def _seal(session: Any) -> None:
    pending: list[AuditEntry] = session.info.pop(_PENDING, [])
    pending += [obj for obj in session.new if isinstance(obj, AuditEntry) and obj not in pending]
    if not pending:
        return
    session.flush()
    session.info.pop(_PENDING, None)
    head = _lock_head(session)
    for entry in sorted(pending, key=lambda e: e.id or 0):
        entry.seq = head.seq + 1
        entry.prev_hash = head.hash
        entry.hash = link_hash(head.hash, entry)
        head.seq, head.hash = entry.seq, entry.hash
        session.add(entry)
    session.add(head)


def _forget(session: Any, *_args: Any) -> None:
    session.info.pop(_PENDING, None)


event.listen(OrmSession, "before_flush", _collect)
event.listen(OrmSession, "before_commit", _seal)
event.listen(OrmSession, "after_rollback", _forget)


@dataclass(frozen=True)
class Verdict:
    entries: int
    broken: str | None


def _sealed(session: Session) -> Iterator[AuditEntry]:
    query = select(AuditEntry).where(col(AuditEntry.seq).is_not(None)).order_by(col(AuditEntry.seq))
    yield from session.exec(query.execution_options(yield_per=1000))


def verify(session: Session) -> Verdict:
    """Walk the chain from the first entry; name the first broken link: an entry whose
    content no longer matches its hash, a missing entry (a gap in the numbers, or the
    newest entries gone), or a row that was never sealed by the app."""
    unsealed = session.exec(
        select(AuditEntry.id).where(col(AuditEntry.seq).is_(None)).order_by(col(AuditEntry.id))
    ).first()
    if unsealed is not None:
        return Verdict(0, f"entry {unsealed}: not sealed into the chain (written outside the app)")
    count, prev, last_id = 0, GENESIS, None
    for entry in _sealed(session):
        expected = count + 1
        if entry.seq != expected:
            after = f"after entry {last_id}" if last_id is not None else "at the start"
            return Verdict(
                count,
                f"entry {entry.id} (#{entry.seq}): entries #{expected}..#{(entry.seq or 0) - 1} "
                f"are missing {after}",
            )
        if entry.prev_hash != prev:
            return Verdict(count, f"entry {entry.id} (#{entry.seq}): previous hash does not match")
        if link_hash(prev, entry) != entry.hash:
            return Verdict(
                count, f"entry {entry.id} (#{entry.seq}): content altered (hash does not match)"
            )
        count, prev, last_id = expected, entry.hash, entry.id
    head = session.get(AuditChainHead, 1)
    if head is not None and head.seq > count:
        after = f"after entry {last_id}" if last_id is not None else "at the start"
        return Verdict(count, f"entries #{count + 1}..#{head.seq} are missing {after}")
    if head is not None and head.seq == count and count and head.hash != prev:
        return Verdict(count, f"entry {last_id} (#{count}): does not match the chain head")
    return Verdict(count, None)
