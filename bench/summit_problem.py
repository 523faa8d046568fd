"""The benchmark summit: 275 trainees in 140 team pitches (135 pairs, 5 alone), 12
mentors (a third of the pitches bring their mentor), 6 rooms of 3 judges each, one day
(09:00-12:30 and 13:30-17:30 with a break), 10-minute pitches with 3 minutes between."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from iil_lms.summit.scheduler import JudgeIn, PitchIn, Problem, RoomIn, slot_grid

DEPARTMENTS = [f"Department {i}" for i in range(12)]
DAY = datetime(2027, 6, 15, tzinfo=UTC)


def summit_problem(
    seed: int = 15, pitches: int = 140, rooms: int = 6, trainees: int = 275
) -> Problem:
    rng = random.Random(seed)
    sessions = [
        (DAY.replace(hour=4), DAY.replace(hour=7, minute=30)),
        (DAY.replace(hour=8, minute=30), DAY.replace(hour=12, minute=30)),
    ]
    slots = slot_grid(sessions, 10, 3)
    department = {f"u{i}": rng.choice(DEPARTMENTS) for i in range(trainees)}
    mentor_of = {f"u{i}": f"m{i % 12}" for i in range(trainees)}
    people = [f"u{i}" for i in range(trainees)]
    teams: list[list[str]] = []
    cursor = 0
    for n in range(pitches):
        size = 1 if n < pitches * 2 - trainees else 2
        teams.append(people[cursor : cursor + size])
        cursor += size
    room_list = []
    judge_id = 0
    for r in range(rooms):
        judges = []
        for _j in range(3):
            judge_id += 1
            judges.append(
                JudgeIn(
                    id=judge_id,
                    name=f"Judge {judge_id}",
                    department=DEPARTMENTS[(judge_id * 5) % 12] if judge_id % 2 else "",
                )
            )
        room_list.append(RoomIn(id=r + 1, name=f"Room {r + 1}", capacity=12, judges=tuple(judges)))
    pitch_list = [
        PitchIn(
            id=n + 1,
            title=f"Pitch {n + 1}",
            members=frozenset(team),
            departments=frozenset(department[m] for m in team),
            mentors=frozenset({mentor_of[team[0]]}) if n % 3 == 0 else frozenset(),
            theme=department[team[0]],
        )
        for n, team in enumerate(teams)
    ]
    names = {p: p for p in people} | {f"m{i}": f"Mentor {i}" for i in range(12)}
    return Problem(slots=slots, rooms=tuple(room_list), pitches=tuple(pitch_list), names=names)
