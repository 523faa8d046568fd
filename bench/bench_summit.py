"""The summit on the issue's size: 275 trainees in 140 team pitches, 6 rooms of 3 judges
(guests with departments), one day (09:00-12:30, lunch, 13:30-17:30), 10-minute
pitches with 3 minutes between, a third of the teams bringing their mentor.

summit_schedule_s: load the problem, solve, store the schedule and commit.
programme_pdf_s: the programme booklet with 140 pitches, every door sheet (and the
overview) and every judges' sheet.
Also compares the solver with a greedy first fit on the same summit.

Run: .venv/bin/python -m bench.bench_summit
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel

from iil_lms import all_models  # noqa: F401 - every table
from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Academy, Cohort, Membership
from iil_lms.db import make_engine
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.summit import judging, outputs, planning, scheduler, service
from iil_lms.summit.models import Pitch, PitchMember, PitchStatus

DAY = date(2027, 6, 15)
DEPARTMENTS = [f"Department {i}" for i in range(12)]


def build(database: Path, seed: int = 15) -> int:
    """The benchmark summit in a fresh SQLite database; returns its id."""
    rng = random.Random(seed)
    engine = make_engine(f"sqlite:///{database}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        academy = Academy(
            slug="bench", name="Bench Academy", country="Pakistan", timezone="Asia/Karachi"
        )
        session.add(academy)
        session.flush()
        cohort = Cohort(
            academy_id=academy.id or 0,
            slug="bench",
            name="Bench cohort",
            starts_on=date(2026, 9, 1),
            ends_on=date(2027, 7, 1),
        )
        session.add(cohort)
        session.flush()
        cohort_id = cohort.id or 0
        users = [User(email=f"t{i}@bench.test", display_name=f"Trainee {i}") for i in range(275)]
        mentors = [User(email=f"m{i}@bench.test", display_name=f"Mentor {i}") for i in range(12)]
        session.add_all(users + mentors)
        session.flush()
        for i, user in enumerate(users):
            session.add(
                Membership(
                    cohort_id=cohort_id,
                    user_id=user.id or 0,
                    role="trainee",
                    department=rng.choice(DEPARTMENTS),
                )
            )
            session.add(
                MentorAssignment(
                    cohort_id=cohort_id, mentor_id=mentors[i % 12].id or 0, trainee_id=user.id or 0
                )
            )
        for mentor in mentors:
            session.add(Membership(cohort_id=cohort_id, user_id=mentor.id or 0, role="mentor"))
        summit = service.create_summit(
            session,
            cohort_id=cohort_id,
            actor_id=mentors[0].id or 0,
            fields=service.SummitFields(
                title="Integrity Summit (bench)",
                venue="Civil Services Academy",
                starts_on=DAY,
                ends_on=DAY,
                pitch_minutes=10,
                changeover_minutes=3,
                welcome="Welcome.",
            ),
        )
        rooms = [
            service.add_room(session, summit, name=f"Room {r + 1}", capacity=12) for r in range(6)
        ]
        for label, start, end, is_break in (
            ("Morning", "09:00", "12:30", False),
            ("Lunch", "12:30", "13:30", True),
            ("Afternoon", "13:30", "17:30", False),
        ):
            service.add_session(
                session, summit, label=label, day=DAY, starts=start, ends=end, is_break=is_break
            )
        for n, room in enumerate(rooms):
            for j in range(3):
                judging.invite_judge(
                    session,
                    summit,
                    room_id=room.id or 0,
                    name=f"Judge {n}-{j}",
                    department=DEPARTMENTS[(n * 3 + j) % 12] if j == 0 else "",
                )
        cursor = 0
        for n in range(140):
            size = 1 if n < 5 else 2
            team = users[cursor : cursor + size]
            cursor += size
            pitch = Pitch(
                summit_id=summit.id or 0,
                owner_id=team[0].id or 0,
                status=PitchStatus.SHORTLISTED,
                title=f"Pitch {n + 1}: a public token queue for office {n + 1}",
                summary="Citizens see which number is served, and nobody jumps the queue.",
                theme=rng.choice(DEPARTMENTS),
                mentor_attends=n % 3 == 0,
                version=1,
            )
            session.add(pitch)
            session.flush()
            for member in team:
                session.add(PitchMember(pitch_id=pitch.id or 0, user_id=member.id or 0))
        session.commit()
        summit_id = summit.id or 0
    engine.dispose()
    return summit_id


def schedule_seconds(database: Path, summit_id: int) -> float:
    engine = make_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        summit = session.get(service.Summit, summit_id)
        assert summit is not None
        planning.clear_schedule(session, summit)
        session.commit()
        started = time.perf_counter()
        planning.run_schedule(session, summit, actor_id=None)
        session.commit()
        elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def programme_seconds(database: Path, summit_id: int) -> float:
    engine = make_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        summit = session.get(service.Summit, summit_id)
        assert summit is not None
        started = time.perf_counter()
        programme = outputs.build_programme(session, summit)
        outputs.programme_pdf(programme, "en")
        outputs.door_sheets_pdf(programme, "en")
        outputs.judges_sheets_pdf(programme, "en")
        elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def compare(database: Path, summit_id: int) -> dict[str, Any]:
    """Solver and greedy first fit on the same summit: placed, hard constraints kept,
    pitches per room, themes per room."""
    engine = make_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        summit = session.get(service.Summit, summit_id)
        assert summit is not None
        planning.clear_schedule(session, summit)
        session.commit()
        problem = planning.load_board(session, summit).problem
    engine.dispose()
    greedy, unplaced = scheduler.greedy_first_fit(problem)
    solved = scheduler.solve(problem).placements
    themes = {p.id: p.theme for p in problem.pitches}

    def describe(placements: dict[int, tuple[int, int]], missing: int) -> dict[str, Any]:
        loads = Counter(room for room, _slot in placements.values())
        per_room = [loads.get(room.id, 0) for room in problem.rooms]
        spread = {
            room.id: {themes[p] for p, (r, _s) in placements.items() if r == room.id}
            for room in problem.rooms
        }
        last = max((s for _r, s in placements.values()), default=0)
        return {
            "placed": len(placements),
            "unplaced": missing,
            "hard_constraints_broken": len(
                scheduler.violations(problem, placements, every_pitch=False)
            ),
            "pitches_per_room": per_room,
            "themes_per_room": [len(spread[room.id]) for room in problem.rooms],
            "last_slot": problem.slots[last].starts_at.isoformat() if placements else None,
        }

    return {"greedy": describe(greedy, len(unplaced)), "solver": describe(solved, 0)}


def measure(rounds: int = 3) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "summit.db"
        summit_id = build(database)
        schedule = [schedule_seconds(database, summit_id) for _ in range(rounds)]
        programme = [programme_seconds(database, summit_id) for _ in range(rounds)]
    return {
        "summit_schedule_s": round(statistics.median(schedule), 2),
        "programme_pdf_s": round(statistics.median(programme), 2),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "summit.db"
        summit_id = build(database)
        print(compare(database, summit_id))
    print(measure())


if __name__ == "__main__":
    main()
