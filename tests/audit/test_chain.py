"""The audit log's hash chain: an untouched chain passes, a row altered or removed in the
database directly is named by `iil-lms audit verify`, and concurrent writers keep one
line of entries."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from iil_lms.accounts.models import AuditEntry
from iil_lms.audit.chain import Verdict, verify
from iil_lms.audit.service import record
from iil_lms.cli import main
from tests.test_cli import use_database


def _write(engine: Engine, count: int, actor: int | None = None) -> None:
    for i in range(count):
        with Session(engine) as session:
            record(session, actor, "test.change", f"thing:{i}", {"n": i}, {"n": i + 1})
            session.commit()


def _ids(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return [e.id or 0 for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.seq)))]


def _verify(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str]:
    use_database(monkeypatch, tmp_path, engine.url.render_as_string(hide_password=False))
    code = main(["audit", "verify"])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_untouched_chain_is_intact(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _write(engine, 5)
    code, out = _verify(engine, monkeypatch, tmp_path, capsys)
    assert code == 0
    assert "5 entries, chain intact" in out


def test_empty_log_is_intact(engine: Engine, session: Session) -> None:
    assert verify(session).broken is None


def test_entries_are_numbered_and_linked(engine: Engine, session: Session) -> None:
    _write(engine, 3)
    entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))).all()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash


def test_altered_row_is_named(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _write(engine, 4)
    target = _ids(engine)[1]
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_entry SET after = :after WHERE id = :id"),
            {"after": '{"n": 99}', "id": target},
        )
    code, out = _verify(engine, monkeypatch, tmp_path, capsys)
    assert code == 1
    assert f"entry {target} (#2): content altered" in out


def test_altered_row_with_recomputed_hash_breaks_the_next_link(engine: Engine) -> None:
    _write(engine, 3)
    first, second, _third = _ids(engine)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_entry SET hash = :h WHERE id = :id"), {"h": "f" * 64, "id": first}
        )
    with Session(engine) as session:
        broken = verify(session).broken
    assert broken is not None and broken.startswith(f"entry {first} (#1)")


def test_deleted_row_is_named_as_a_gap(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _write(engine, 4)
    ids = _ids(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": ids[2]})
    code, out = _verify(engine, monkeypatch, tmp_path, capsys)
    assert code == 1
    assert f"entry {ids[3]} (#4): entries #3..#3 are missing after entry {ids[1]}" in out


def test_deleted_newest_rows_are_named(engine: Engine) -> None:
    _write(engine, 3)
    ids = _ids(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": ids[2]})
    with Session(engine) as session:
        assert verify(session).broken == f"entries #3..#3 are missing after entry {ids[1]}"


def test_row_inserted_outside_the_app_is_named(engine: Engine) -> None:
    _write(engine, 1)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_entry"
                " (at, action, subject, detail, before, after, prev_hash, hash)"
                " VALUES (CURRENT_TIMESTAMP, 'x', 'y', '', 'null', 'null', '', '')"
            )
        )
    with Session(engine) as session:
        broken = verify(session).broken
    assert broken is not None and "not sealed" in broken


def test_rolled_back_change_leaves_no_entry(engine: Engine) -> None:
    with Session(engine) as session:
        record(session, None, "test.change", "thing:1", None, {"n": 1})
        session.flush()
        session.rollback()
    _write(engine, 1)
    with Session(engine) as session:
        assert [e.seq for e in session.exec(select(AuditEntry))] == [1]
        assert verify(session).broken is None


def test_concurrent_writers_keep_one_chain(engine: Engine) -> None:
    """Two writers appending at once (PostgreSQL: the advisory lock serialises them;
    SQLite: the one writer) never fork the chain."""
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for i in range(15):
                with Session(engine) as session:
                    record(session, None, "test.change", f"thing:{i}", None, {"n": i})
                    session.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with Session(engine) as session:
        verdict = verify(session)
        assert verdict.broken is None
        assert verdict.entries == 30


def test_entries_from_before_the_chain_are_sealed_by_the_migration(
    empty_database_url: str,
) -> None:
    from iil_lms.db import make_engine
    from iil_lms.migrations import upgrade

    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "8515708f2e6e")  # the audit table before the chain
        with engine.begin() as connection:
            for n in range(3):
                connection.execute(
                    text(
                        "INSERT INTO audit_entry (at, action, subject, detail)"
                        " VALUES (:at, 'cohort.create', :subject, 'old')"
                    ),
                    {"at": "2026-11-01 10:00:00+00:00", "subject": f"cohort:{n}"},
                )
        upgrade(engine)
        _write(engine, 1)
        with Session(engine) as session:
            assert verify(session) == Verdict(4, None)
    finally:
        engine.dispose()
