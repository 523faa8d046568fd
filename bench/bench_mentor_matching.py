"""Time the balanced mentor assignment on the demo's size: 275 trainees, 12 mentors.

Run: .venv/bin/python bench/bench_mentor_matching.py
"""

from __future__ import annotations

import random
import time

from iil_lms.mentoring.matching import MatchOptions, MentorFacts, TraineeFacts, match

DEPARTMENTS = [f"Group {i}" for i in range(12)]
PROVINCES = ["Punjab", "Sindh", "Khyber Pakhtunkhwa", "Balochistan", "Gilgit-Baltistan"]


def roster(
    seed: int = 7, trainees: int = 275, mentors: int = 12
) -> tuple[list[TraineeFacts], list[MentorFacts]]:
    rng = random.Random(seed)
    mentor_list = [
        MentorFacts(
            user_id=1000 + i,
            name=f"Mentor {i}",
            department=DEPARTMENTS[i % 12],
            province=rng.choice(PROVINCES),
            gender=rng.choice(["female", "male"]),
            language=rng.choice(["en", "ur"]),
        )
        for i in range(mentors)
    ]
    trainee_list = [
        TraineeFacts(
            user_id=i + 1,
            name=f"Trainee {i + 1}",
            department=rng.choice(DEPARTMENTS),
            province=rng.choice(PROVINCES),
            gender=rng.choice(["female", "male", ""]),
            language=rng.choice(["en", "ur"]),
            circle_id=i % 23,
            circle_name=f"Circle {i % 23}",
            line_manager_id=1000 + rng.randrange(mentors) if rng.random() < 0.1 else None,
            wants_same_gender=rng.random() < 0.15,
        )
        for i in range(trainees)
    ]
    return trainee_list, mentor_list


def main() -> None:
    trainees, mentors = roster()
    for label, options in [
        (
            "department rule + preferences",
            MatchOptions(prefer_same_province=True, prefer_same_language=True),
        ),
        ("circles kept together", MatchOptions(keep_circles_together=True)),
    ]:
        started = time.perf_counter()
        result = match(trainees, mentors, options)
        elapsed = time.perf_counter() - started
        loads = sorted(result.loads.values())
        print(
            f"{label}: {elapsed * 1000:.0f} ms, loads {loads[0]}..{loads[-1]}, "
            f"unplaced {len(result.unplaced)}, problems {len(result.problems)}"
        )


if __name__ == "__main__":
    main()
