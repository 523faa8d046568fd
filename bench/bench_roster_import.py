"""Time a roster import of 2,000 trainees into a new cohort, end to end through the
service: read the XLSX and check every row (preview), then the confirmed import (new
accounts without passwords, memberships, circles, invitation tokens and emails) in one
transaction. Also counts the SQL statements of the confirm step.

Run: .venv/bin/python bench/bench_roster_import.py   (on an empty database)
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROWS = 2000


def workbook(rows: int, tag: str) -> bytes:
    from iil_lms.cohorts import roster

    return roster.to_xlsx(
        {
            "name": f"عائشہ خان {tag}-{n}" if n % 2 else f"सीता शर्मा {tag}-{n}",
            "email": f"import-{tag}-{n}@bench.example.org",
            "department": f"Department {n % 40}",
            "service_group": "PAS" if n % 3 else "PMS",
            "district": f"District {n % 36}",
            "province": "Punjab",
            "circle": f"Circle {n % 80}",
            "language": ("en", "ur", "ne")[n % 3],
            "gender": ("", "woman", "man")[n % 3],
            "disability": "",
        }
        for n in range(rows)
    )


def _new_cohort(session: Any, tag: str) -> tuple[Any, int]:
    from iil_lms.accounts.models import User
    from iil_lms.cohorts.models import Academy, Cohort, Membership

    academy = Academy(slug=f"bench-{tag}", name=f"Bench academy {tag}", country="Pakistan")
    session.add(academy)
    session.flush()
    cohort = Cohort(
        academy_id=academy.id,
        slug=f"bench-{tag}",
        name=f"Bench cohort {tag}",
        starts_on=date(2027, 1, 4),
        ends_on=date(2027, 12, 17),
    )
    trainer = User(email=f"trainer-{tag}@bench.example.org", display_name="Bench trainer")
    session.add_all([cohort, trainer])
    session.flush()
    session.add(Membership(cohort_id=cohort.id, user_id=trainer.id, role="trainer"))
    session.commit()
    return cohort, int(trainer.id or 0)


def import_once(database_url: str, settings: Any, tag: str) -> tuple[float, int]:
    """Seconds for preview + confirm of a 2,000-row workbook, and the confirm's
    statement count."""
    from sqlalchemy import event
    from sqlmodel import Session

    from iil_lms.cohorts import roster
    from iil_lms.db import make_engine

    engine = make_engine(database_url)
    data = workbook(ROWS, tag)
    statements: list[str] = []
    try:
        with Session(engine, expire_on_commit=False) as session:
            cohort, trainer_id = _new_cohort(session, tag)
            started = time.perf_counter()
            upload, preview = roster.store_upload(session, cohort, trainer_id, data, "r.xlsx")
            session.commit()
            assert preview.valid, preview.problems[:5]

            def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
                statements.append(statement)

            event.listen(engine, "before_cursor_execute", note)
            _checked, result = roster.confirm_upload(session, settings, cohort, upload, trainer_id)
            session.commit()
            event.remove(engine, "before_cursor_execute", note)
            elapsed = time.perf_counter() - started
            assert result is not None and result.invited == ROWS
    finally:
        engine.dispose()
    return elapsed, len(statements)


def roster_import_2000_s(database: Path, settings: Any, rounds: int) -> tuple[float, int]:
    """The median over `rounds` imports (each into its own new cohort) of a copy of
    `database`, and the statements of the last confirm."""
    times: list[float] = []
    count = 0
    for round_number in range(max(rounds, 1)):
        copy = database.with_name(f"roster-{round_number}.sqlite3")
        shutil.copyfile(database, copy)
        elapsed, count = import_once(f"sqlite:///{copy}", settings, f"r{round_number}")
        times.append(elapsed)
        copy.unlink()
    return round(statistics.median(times), 2), count


def main() -> None:
    from sqlmodel import SQLModel

    import iil_lms.all_models  # noqa: F401
    from iil_lms.db import make_engine
    from iil_lms.settings import Settings

    folder = Path(tempfile.mkdtemp(prefix="iil-roster-bench-"))
    try:
        database = folder / "empty.sqlite3"
        engine = make_engine(f"sqlite:///{database}")
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        settings = Settings(database_url=f"sqlite:///{database}", secret_key="b" * 32)
        seconds, statements = roster_import_2000_s(database, settings, 3)
        print(f"roster_import_2000_s {seconds} ({statements} statements in the confirm)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
