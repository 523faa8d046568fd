"""The scheduler on generated summits: whatever the summit, a schedule it returns keeps
every hard constraint (no overlaps, every pitch once, inside the sessions, locks kept),
and when it returns none it names the blocking constraint."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iil_lms.summit.scheduler import (
    JudgeIn,
    PitchIn,
    Problem,
    RoomIn,
    ScheduleInfeasible,
    greedy_first_fit,
    slot_grid,
    solve,
    violations,
)

DAY = datetime(2027, 6, 15, tzinfo=UTC)


def _slots(count: int) -> tuple:
    return slot_grid([(DAY.replace(hour=9), DAY.replace(hour=9 + count))], 45, 15)


@st.composite
def summits(draw: st.DrawFn) -> Problem:
    slots = _slots(draw(st.integers(1, 5)))
    room_count = draw(st.integers(1, 4))
    departments = ["Health", "Police", "Education", "Revenue"]
    rooms = tuple(
        RoomIn(
            id=r + 1,
            name=f"Room {r + 1}",
            capacity=draw(st.integers(4, 10)),
            judges=tuple(
                JudgeIn(
                    id=r * 10 + j,
                    name=f"Judge {r}-{j}",
                    department=draw(st.sampled_from(["", *departments])),
                )
                for j in range(draw(st.integers(0, 2)))
            ),
        )
        for r in range(room_count)
    )
    people = [f"u{i}" for i in range(draw(st.integers(1, 14)))]
    pitch_count = draw(st.integers(0, len(slots) * room_count + 2))
    pitches = tuple(
        PitchIn(
            id=p + 1,
            title=f"Pitch {p + 1}",
            members=frozenset(draw(st.lists(st.sampled_from(people), min_size=1, max_size=3))),
            departments=frozenset(draw(st.lists(st.sampled_from(departments), max_size=2))),
            mentors=frozenset(draw(st.lists(st.sampled_from(["m1", "m2"]), max_size=1))),
            theme=draw(st.sampled_from(departments)),
        )
        for p in range(pitch_count)
    )
    return Problem(slots=slots, rooms=rooms, pitches=pitches)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summits())
def test_every_schedule_keeps_every_hard_constraint_or_names_why_not(problem: Problem):
    try:
        outcome = solve(problem, time_limit=5.0, workers=1)
    except ScheduleInfeasible as blocked:
        assert blocked.reasons and all(reason.strip() for reason in blocked.reasons)
        # a first fit that places everything would prove a schedule existed
        placed, unplaced = greedy_first_fit(problem)
        assert unplaced or violations(problem, placed)
        return
    assert sorted(outcome.placements) == sorted(p.id for p in problem.pitches)
    assert violations(problem, outcome.placements) == []
    cells = list(outcome.placements.values())
    assert len(cells) == len(set(cells)), "two pitches share a room and slot"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summits(), st.data())
def test_locked_slots_stay_where_they_are_on_a_rerun(problem: Problem, data: st.DataObject):
    try:
        first = solve(problem, time_limit=5.0, workers=1)
    except ScheduleInfeasible:
        return
    if not first.placements:
        return
    chosen = data.draw(st.sets(st.sampled_from(sorted(first.placements))))
    locks = {p: first.placements[p] for p in chosen}
    again = solve(
        Problem(problem.slots, problem.rooms, problem.pitches, locks=locks), time_limit=5.0
    )
    for pitch_id, cell in locks.items():
        assert again.placements[pitch_id] == cell
    assert violations(problem, again.placements) == []


def _pitch(n: int, *members: str, departments: tuple[str, ...] = ()) -> PitchIn:
    return PitchIn(
        id=n, title=f"Pitch {n}", members=frozenset(members), departments=frozenset(departments)
    )


def test_too_many_pitches_for_the_room_time_says_how_many_do_not_fit():
    rooms = (RoomIn(1, "Hall A", 20), RoomIn(2, "Hall B", 20))
    problem = Problem(
        slots=_slots(3), rooms=rooms, pitches=tuple(_pitch(n, f"u{n}") for n in range(1, 10))
    )
    with pytest.raises(ScheduleInfeasible) as blocked:
        solve(problem)
    assert (
        "3 pitches do not fit in room time: the sessions hold 6 slots" in blocked.value.reasons[0]
    )


def test_a_room_whose_judge_is_conflicted_with_every_pitch_is_named():
    rooms = (
        RoomIn(1, "Hall A", 20, (JudgeIn(1, "Dr Rubina", department="Health"),)),
        RoomIn(2, "Hall B", 20),
    )
    pitches = tuple(_pitch(n, f"u{n}", departments=("Health",)) for n in range(1, 5))
    with pytest.raises(ScheduleInfeasible) as blocked:
        solve(Problem(slots=_slots(3), rooms=rooms, pitches=pitches))
    text = " ".join(blocked.value.reasons)
    assert "1 pitch does not fit in room time" in text
    assert "Hall A can take no pitch: its judges are conflicted with every pitch" in text


def test_a_pitch_no_room_can_take_names_the_judge_and_the_conflict():
    rooms = (RoomIn(1, "Hall A", 20, (JudgeIn(1, "Mr Tariq", mentees=frozenset({"u1"})),)),)
    with pytest.raises(ScheduleInfeasible) as blocked:
        solve(Problem(slots=_slots(2), rooms=rooms, pitches=(_pitch(1, "u1"),)))
    assert "Mr Tariq (their mentee)" in blocked.value.reasons[0]


def test_room_capacity_is_a_hard_constraint():
    rooms = (RoomIn(1, "Small room", 2, (JudgeIn(1, "J"),)),)
    with pytest.raises(ScheduleInfeasible) as blocked:
        solve(Problem(slots=_slots(2), rooms=rooms, pitches=(_pitch(1, "u1", "u2"),)))
    assert "room capacity" in blocked.value.reasons[0]


def test_a_person_in_more_pitches_than_slots_is_named():
    rooms = (RoomIn(1, "A", 20), RoomIn(2, "B", 20))
    pitches = tuple(_pitch(n, "u1", f"u{n + 10}") for n in range(1, 4))
    names = {"u1": "Ayesha Khan"}
    with pytest.raises(ScheduleInfeasible) as blocked:
        solve(Problem(slots=_slots(2), rooms=rooms, pitches=pitches, names=names))
    assert "Ayesha Khan is in 3 pitches but the day has 2 slots" in " ".join(blocked.value.reasons)


def test_team_members_and_attending_mentors_are_never_in_two_places():
    rooms = (RoomIn(1, "A", 20), RoomIn(2, "B", 20))
    pitches = (
        _pitch(1, "u1", "u2"),
        _pitch(2, "u2", "u3"),
        PitchIn(3, "Pitch 3", frozenset({"u4"}), mentors=frozenset({"m1"})),
        PitchIn(4, "Pitch 4", frozenset({"u5"}), mentors=frozenset({"m1"})),
    )
    outcome = solve(Problem(slots=_slots(2), rooms=rooms, pitches=pitches))
    assert outcome.placements[1][1] != outcome.placements[2][1]
    assert outcome.placements[3][1] != outcome.placements[4][1]


def test_when_a_pitch_drops_out_the_rerun_moves_no_other_pitch():
    rooms = (RoomIn(1, "A", 20), RoomIn(2, "B", 20), RoomIn(3, "C", 20))
    pitches = tuple(_pitch(n, f"u{n}", f"u{n + 1}") for n in range(1, 13))
    problem = Problem(slots=_slots(5), rooms=rooms, pitches=pitches)
    first = solve(problem)
    remaining = tuple(p for p in pitches if p.id != 5)
    previous = {p: c for p, c in first.placements.items() if p != 5}
    again = solve(Problem(problem.slots, rooms, remaining, previous=previous))
    assert again.moved == 0
    assert again.placements == previous


def test_rooms_are_balanced_and_themes_kept_together():
    rooms = (RoomIn(1, "A", 20), RoomIn(2, "B", 20))
    pitches = tuple(
        PitchIn(n, f"P{n}", frozenset({f"u{n}"}), theme="Health" if n <= 4 else "Police")
        for n in range(1, 9)
    )
    outcome = solve(Problem(slots=_slots(6), rooms=rooms, pitches=pitches))
    loads = [sum(1 for r, _s in outcome.placements.values() if r == room.id) for room in rooms]
    assert loads == [4, 4]
    health_rooms = {outcome.placements[n][0] for n in range(1, 5)}
    assert len(health_rooms) == 1
