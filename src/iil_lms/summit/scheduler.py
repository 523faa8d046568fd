"""The summit's automatic schedule: every shortlisted pitch into one room and one slot.

Pure: plain values in, placements out (service.py reads and stores them). The day is a
grid: every room shares the same slots (the pitch sessions cut into pitch length plus
changeover), so "at the same time" means "in the same slot".

Hard constraints (never broken):
- every pitch exactly once, at most one pitch per room and slot, all inside sessions;
- no person in two places at once: a team member, the team's mentor when flagged as
  attending, and judges (who sit in their room all day);
- room capacity: presenters, the attending mentor and the room's judges fit;
- a judge never scores a pitch by someone of their own department or by their own
  mentee (the pitch cannot go to that judge's room);
- locked placements stay where they are.

Soft goals (the objective, heaviest first): move as few pitches as possible from the
previous schedule, balance the rooms, keep a theme (department or sector) in few rooms,
and fill each room from the start of the day.

OR-Tools CP-SAT solves the model. Before it runs, fast checks find the common reasons
no schedule can exist and name them; when the solver still finds none, a relaxed model
names the people who cannot be kept apart."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ortools.sat.python import cp_model

from iil_lms.i18n import gettext as _
from iil_lms.i18n import ngettext

W_MOVE = 10_000
W_BALANCE = 200
W_THEME = 50
W_EARLY = 1


@dataclass(frozen=True)
class Slot:
    index: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class JudgeIn:
    id: int
    name: str
    department: str = ""
    person: str | None = None  # "u<user id>" for an account
    mentees: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RoomIn:
    id: int
    name: str
    capacity: int
    judges: tuple[JudgeIn, ...] = ()


@dataclass(frozen=True)
class PitchIn:
    id: int
    title: str
    members: frozenset[str]
    departments: frozenset[str] = frozenset()
    mentors: frozenset[str] = frozenset()  # the team's mentors, when flagged as attending
    theme: str = ""

    @property
    def people(self) -> frozenset[str]:
        return self.members | self.mentors


@dataclass(frozen=True)
class Problem:
    slots: tuple[Slot, ...]
    rooms: tuple[RoomIn, ...]
    pitches: tuple[PitchIn, ...]
    locks: Mapping[int, tuple[int, int]] = field(default_factory=dict)  # pitch -> (room, slot)
    previous: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)  # person key -> name


@dataclass
class Outcome:
    placements: dict[int, tuple[int, int]]  # pitch -> (room id, slot index)
    moved: int = 0
    optimal: bool = False


class ScheduleInfeasible(ValueError):
    """No schedule keeps every hard constraint; `reasons` name the constraints."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def slot_grid(
    sessions: Iterable[tuple[datetime, datetime]], pitch_minutes: int, changeover_minutes: int
) -> tuple[Slot, ...]:
    """The slots of the day: each session cut into pitches, a changeover between two."""
    slots: list[Slot] = []
    pitch = timedelta(minutes=pitch_minutes)
    step = timedelta(minutes=pitch_minutes + changeover_minutes)
    if pitch_minutes <= 0:
        return ()
    for starts_at, ends_at in sorted(sessions):
        moment = starts_at
        while moment + pitch <= ends_at:
            slots.append(Slot(len(slots), moment, moment + pitch))
            moment += step
    return tuple(slots)


def _name(problem: Problem, person: str) -> str:
    return problem.names.get(person, person)


def judge_conflict(judge: JudgeIn, pitch: PitchIn) -> str | None:
    """Why `judge` may not score `pitch` (same department, their mentee, their own
    pitch), or None."""
    if judge.person is not None and judge.person in pitch.members:
        return _("their own pitch")
    if judge.mentees & pitch.members:
        return _("their mentee")
    if judge.department and judge.department.casefold() in {
        d.casefold() for d in pitch.departments if d
    }:
        return _("same department")
    return None


@dataclass(frozen=True)
class _Allowed:
    rooms: tuple[int, ...]
    reasons: tuple[str, ...]  # why each other room is refused


def _allowed_rooms(problem: Problem, pitch: PitchIn) -> _Allowed:
    allowed: list[int] = []
    reasons: list[str] = []
    judging_rooms = {
        room.id
        for room in problem.rooms
        for judge in room.judges
        if judge.person is not None and judge.person in pitch.people
    }
    for room in problem.rooms:
        heads = len(pitch.people) + len(room.judges)
        if heads > room.capacity:
            reasons.append(
                _(
                    "%(room)s holds %(capacity)s people, the pitch brings %(heads)s with "
                    "the judges (room capacity)",
                    room=room.name,
                    capacity=room.capacity,
                    heads=heads,
                )
            )
            continue
        conflicts = [
            f"{judge.name} ({why})"
            for judge in room.judges
            if (why := judge_conflict(judge, pitch)) is not None
        ]
        if conflicts:
            reasons.append(
                _(
                    "%(room)s: judge %(judges)s (conflict of interest)",
                    room=room.name,
                    judges=", ".join(conflicts),
                )
            )
            continue
        if judging_rooms and room.id not in judging_rooms:
            reasons.append(
                _(
                    "%(room)s: someone on the pitch judges in another room all day "
                    "(a person in two places)",
                    room=room.name,
                )
            )
            continue
        allowed.append(room.id)
    return _Allowed(tuple(allowed), tuple(reasons))


def _pre_checks(problem: Problem, allowed: Mapping[int, _Allowed]) -> list[str]:
    """The reasons no schedule can exist that can be seen without searching."""
    reasons: list[str] = []
    slots = len(problem.slots)
    rooms = {room.id: room for room in problem.rooms}
    pitches = {pitch.id: pitch for pitch in problem.pitches}
    if not problem.pitches:
        return reasons
    if not problem.rooms:
        return [_("The summit has no rooms: add at least one room.")]
    if slots == 0:
        return [
            _(
                "The sessions hold no pitch slot: add a session at least as long as one "
                "pitch (session times)."
            )
        ]
    for pitch in problem.pitches:
        if not allowed[pitch.id].rooms:
            reasons.append(
                _(
                    "No room can take the pitch \u201c%(title)s\u201d: %(why)s.",
                    title=pitch.title,
                    why="; ".join(allowed[pitch.id].reasons),
                )
            )
    taken: dict[tuple[int, int], int] = {}
    for pitch_id, (room_id, index) in problem.locks.items():
        locked = pitches.get(pitch_id)
        if locked is None:
            continue
        if room_id not in rooms or not 0 <= index < slots:
            reasons.append(
                _(
                    "The locked slot of \u201c%(title)s\u201d is no longer inside a session or "
                    "room: unlock it (session times).",
                    title=locked.title,
                )
            )
        elif room_id not in allowed[pitch_id].rooms:
            reasons.append(
                _(
                    "\u201c%(title)s\u201d is locked in %(room)s, which cannot take it: %(why)s.",
                    title=locked.title,
                    room=rooms[room_id].name,
                    why="; ".join(allowed[pitch_id].reasons),
                )
            )
        elif (room_id, index) in taken:
            reasons.append(
                _(
                    "Two pitches are locked in the same slot of %(room)s.",
                    room=rooms[room_id].name,
                )
            )
        taken[(room_id, index)] = pitch_id
    usable = {r for a in allowed.values() for r in a.rooms}
    capacity = len(usable) * slots
    if len(problem.pitches) > capacity:
        extra = len(problem.pitches) - capacity
        message = ngettext(
            "%(num)s pitch does not fit in room time: the sessions hold %(slots)s slots "
            "(%(rooms)s rooms x %(per_room)s slots).",
            "%(num)s pitches do not fit in room time: the sessions hold %(slots)s slots "
            "(%(rooms)s rooms x %(per_room)s slots).",
            extra,
            slots=capacity,
            rooms=len(usable),
            per_room=slots,
        )
        unusable = [room for room in problem.rooms if room.id not in usable]
        for room in unusable:
            message += " " + _(
                "%(room)s can take no pitch: its judges are conflicted with every pitch "
                "or it is too small.",
                room=room.name,
            )
        reasons.append(message)
    else:
        reasons.extend(_room_group_checks(problem, allowed, slots))
    busy: dict[str, list[PitchIn]] = defaultdict(list)
    for pitch in problem.pitches:
        for person in pitch.people:
            busy[person].append(pitch)
    for person, theirs in sorted(busy.items()):
        if len(theirs) > slots:
            reasons.append(
                _(
                    "%(name)s is in %(count)s pitches but the day has %(slots)s slots "
                    "(a person in two places).",
                    name=_name(problem, person),
                    count=len(theirs),
                    slots=slots,
                )
            )
    return reasons


def _room_group_checks(problem: Problem, allowed: Mapping[int, _Allowed], slots: int) -> list[str]:
    """Pitches that may only go to a few rooms must fit in those rooms' time."""
    names = {room.id: room.name for room in problem.rooms}
    groups = {a.rooms for a in allowed.values() if a.rooms}
    reasons = []
    for group in sorted(groups, key=len):
        if len(group) == len(problem.rooms):
            continue
        members = [p for p in problem.pitches if set(allowed[p.id].rooms) <= set(group)]
        if len(members) > len(group) * slots:
            reasons.append(
                _(
                    "%(count)s pitches can only go to %(rooms)s (the judges of the other "
                    "rooms are conflicted with them), which hold %(slots)s slots.",
                    count=len(members),
                    rooms=", ".join(names[r] for r in group),
                    slots=len(group) * slots,
                )
            )
    return reasons


def violations(
    problem: Problem, placements: Mapping[int, tuple[int, int]], *, every_pitch: bool = True
) -> list[str]:
    """Every hard constraint that `placements` break, in words (empty: all kept); with
    `every_pitch` false a pitch without a slot is not counted."""
    problems: list[str] = []
    pitches = {p.id: p for p in problem.pitches}
    rooms = {r.id: r for r in problem.rooms}
    allowed = {p.id: _allowed_rooms(problem, p) for p in problem.pitches}
    cells: dict[tuple[int, int], int] = {}
    busy: dict[tuple[str, int], int] = {}
    for pitch in problem.pitches:
        if every_pitch and pitch.id not in placements:
            problems.append(_("\u201c%(title)s\u201d has no slot.", title=pitch.title))
    for pitch_id, (room_id, index) in sorted(placements.items()):
        pitch = pitches[pitch_id]
        if room_id not in rooms or not 0 <= index < len(problem.slots):
            problems.append(
                _("\u201c%(title)s\u201d is outside the sessions or rooms.", title=pitch.title)
            )
            continue
        if room_id not in allowed[pitch_id].rooms:
            problems.append(
                _(
                    "\u201c%(title)s\u201d cannot be in %(room)s: %(why)s.",
                    title=pitch.title,
                    room=rooms[room_id].name,
                    why="; ".join(
                        r for r in allowed[pitch_id].reasons if r.startswith(rooms[room_id].name)
                    )
                    or _("someone on the pitch judges in another room"),
                )
            )
        other = cells.get((room_id, index))
        if other is not None:
            problems.append(
                _(
                    "\u201c%(title)s\u201d and \u201c%(other)s\u201d share a slot in %(room)s.",
                    title=pitch.title,
                    other=pitches[other].title,
                    room=rooms[room_id].name,
                )
            )
        cells[(room_id, index)] = pitch_id
        for person in sorted(pitch.people):
            clash = busy.get((person, index))
            if clash is not None:
                problems.append(
                    _(
                        "%(name)s would be in two places at %(time)s: \u201c%(title)s\u201d "
                        "and \u201c%(other)s\u201d.",
                        name=_name(problem, person),
                        time=problem.slots[index].starts_at.strftime("%H:%M UTC"),
                        title=pitch.title,
                        other=pitches[clash].title,
                    )
                )
            busy[(person, index)] = pitch_id
    for pitch_id, cell in problem.locks.items():
        if pitch_id in pitches and placements.get(pitch_id) != cell:
            problems.append(
                _("\u201c%(title)s\u201d is locked and was moved.", title=pitches[pitch_id].title)
            )
    return problems


def greedy_first_fit(problem: Problem) -> tuple[dict[int, tuple[int, int]], list[int]]:
    """The simple method the solver is compared with: each pitch in turn into the first
    free slot (earliest time, then room order) that keeps the hard constraints."""
    allowed = {p.id: _allowed_rooms(problem, p).rooms for p in problem.pitches}
    placements: dict[int, tuple[int, int]] = {}
    cells: set[tuple[int, int]] = set()
    busy: set[tuple[str, int]] = set()
    for pitch_id, cell in problem.locks.items():
        placements[pitch_id] = cell
        cells.add(cell)
    pitches = {p.id: p for p in problem.pitches}
    for pitch_id, (_room, index) in placements.items():
        busy.update((person, index) for person in pitches[pitch_id].people)
    unplaced: list[int] = []
    for pitch in problem.pitches:
        if pitch.id in placements:
            continue
        spot = next(
            (
                (room_id, slot.index)
                for slot in problem.slots
                for room_id in allowed[pitch.id]
                if (room_id, slot.index) not in cells
                and not any((person, slot.index) in busy for person in pitch.people)
            ),
            None,
        )
        if spot is None:
            unplaced.append(pitch.id)
            continue
        placements[pitch.id] = spot
        cells.add(spot)
        busy.update((person, spot[1]) for person in pitch.people)
    return placements, unplaced


def grouped_fit(problem: Problem) -> dict[int, tuple[int, int]]:
    """The solver's starting point when there is no previous schedule: pitches taken
    theme by theme, each into the room already holding its theme (else the least
    loaded room), earliest free slot first; locks stay. Keeps the hard constraints;
    a pitch it cannot place is left to the solver."""
    allowed = {p.id: _allowed_rooms(problem, p).rooms for p in problem.pitches}
    pitches = {p.id: p for p in problem.pitches}
    placements: dict[int, tuple[int, int]] = dict(problem.locks)
    cells = set(placements.values())
    busy = {
        (person, index)
        for pitch_id, (_room, index) in placements.items()
        if pitch_id in pitches
        for person in pitches[pitch_id].people
    }
    loads: Counter[int] = Counter(room for room, _index in placements.values())
    home: dict[str, int] = {}
    share = -(-len(problem.pitches) // max(1, len(problem.rooms)))  # rooms balanced
    for pitch in sorted(problem.pitches, key=lambda p: (p.theme.casefold(), p.id)):
        if pitch.id in placements:
            continue
        theme = pitch.theme.casefold()
        preferred = home.get(theme)
        rooms = sorted(
            allowed[pitch.id],
            key=lambda r: (not (r == preferred and loads[r] < share), loads[r], r),
        )
        spot = next(
            (
                (room_id, slot.index)
                for room_id in rooms
                for slot in problem.slots
                if (room_id, slot.index) not in cells
                and not any((person, slot.index) in busy for person in pitch.people)
            ),
            None,
        )
        if spot is None:
            continue
        placements[pitch.id] = spot
        cells.add(spot)
        loads[spot[0]] += 1
        if loads[home.get(theme, spot[0])] >= share:
            home[theme] = spot[0]
        home.setdefault(theme, spot[0])
        busy.update((person, spot[1]) for person in pitch.people)
    return placements


def solve(problem: Problem, *, time_limit: float = 2.0, workers: int = 2) -> Outcome:
    """The best schedule found within `time_limit` seconds; ScheduleInfeasible names
    the blocking constraints when none exists."""
    if not problem.pitches:
        return Outcome({}, optimal=True)
    allowed = {p.id: _allowed_rooms(problem, p) for p in problem.pitches}
    reasons = _pre_checks(problem, allowed)
    if reasons:
        raise ScheduleInfeasible(reasons)
    found = _solve_model(problem, allowed, time_limit, workers, soft_people=False)
    if found is not None:
        return found
    relaxed = _solve_model(problem, allowed, time_limit, workers, soft_people=True)
    raise ScheduleInfeasible(_people_reasons(problem, relaxed))


def _people_reasons(problem: Problem, relaxed: Outcome | None) -> list[str]:
    if relaxed is None:
        return [
            _(
                "No schedule keeps the locked slots, the judges' conflicts and the room "
                "capacities together: unlock some slots or add room time."
            )
        ]
    pitches = {p.id: p for p in problem.pitches}
    clashing: set[str] = set()
    seen: dict[tuple[str, int], int] = {}
    for pitch_id, (_room, index) in relaxed.placements.items():
        for person in pitches[pitch_id].people:
            if (person, index) in seen:
                clashing.add(person)
            seen[(person, index)] = pitch_id
    names = ", ".join(sorted(_name(problem, p) for p in clashing)) or "?"
    return [
        _(
            "No schedule keeps everyone in one place at a time (a person in two places): "
            "%(names)s. Fewer attending mentors, fewer locks or more rooms would help.",
            names=names,
        )
    ]


def _solve_model(
    problem: Problem,
    allowed: Mapping[int, _Allowed],
    time_limit: float,
    workers: int,
    *,
    soft_people: bool,
) -> Outcome | None:
    """The model: each pitch gets a room r and a slot s; its cell r * slots + s is
    different from every other pitch's cell (one pitch per room and slot), and the
    slots of a person's pitches are all different (one place at a time). Small (two
    integers a pitch), so CP-SAT solves 140 pitches in well under a second."""
    model = cp_model.CpModel()
    count = len(problem.slots)
    room_index = {room.id: i for i, room in enumerate(problem.rooms)}
    start = _start(problem, room_index)
    cells: dict[int, cp_model.IntVar] = {}
    slot: dict[int, cp_model.IntVar] = {}
    in_room: dict[tuple[int, int], cp_model.IntVar] = {}
    for pitch in problem.pitches:
        lock = problem.locks.get(pitch.id)
        rooms = [room_index[r] for r in allowed[pitch.id].rooms]
        if lock is not None:
            rooms = [room_index[lock[0]]]
        room = model.new_int_var_from_domain(cp_model.Domain.from_values(rooms), f"room{pitch.id}")
        slot[pitch.id] = model.new_int_var(0, count - 1, f"slot{pitch.id}")
        if lock is not None:
            model.add(slot[pitch.id] == lock[1])
        cells[pitch.id] = model.new_int_var(0, len(problem.rooms) * count - 1, f"cell{pitch.id}")
        model.add(cells[pitch.id] == room * count + slot[pitch.id])
        for index in rooms:
            chosen = model.new_bool_var(f"in{pitch.id}_{index}")
            model.add(room == index).only_enforce_if(chosen)
            model.add(room != index).only_enforce_if(~chosen)
            in_room[(pitch.id, index)] = chosen
        if pitch.id in start:
            room_id, index = start[pitch.id]
            model.add_hint(room, room_index[room_id])
            model.add_hint(slot[pitch.id], index)
            model.add_hint(cells[pitch.id], room_index[room_id] * count + index)
            for chosen_index in rooms:
                model.add_hint(
                    in_room[(pitch.id, chosen_index)], chosen_index == room_index[room_id]
                )
    model.add_all_different(cells.values())
    people: dict[str, list[int]] = defaultdict(list)
    for pitch in problem.pitches:
        for person in pitch.people:
            people[person].append(pitch.id)
    penalties: list[cp_model.IntVar] = []
    for person, theirs in people.items():
        if len(theirs) < 2:
            continue
        if not soft_people:
            model.add_all_different(slot[p] for p in theirs)
            continue
        for i, first in enumerate(theirs):
            for second in theirs[i + 1 :]:
                same = model.new_bool_var(f"same_{person}_{first}_{second}")
                model.add(slot[first] != slot[second]).only_enforce_if(~same)
                penalties.append(same)
    if soft_people:
        model.minimize(sum(penalties))
    else:
        model.minimize(_objective(problem, model, cells, slot, in_room, room_index, start))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.relative_gap_limit = 0.01
    solver.parameters.log_search_progress = False
    solver.parameters.symmetry_level = 0
    solver.parameters.cp_model_presolve = False
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if status == cp_model.UNKNOWN and not soft_people and not violations(problem, start):
            return _outcome(problem, start, optimal=False)  # out of time: the start holds
        return None
    rooms_by_index = [room.id for room in problem.rooms]
    placements = {
        p: (rooms_by_index[solver.value(cells[p]) // count], solver.value(slot[p])) for p in cells
    }
    return _outcome(problem, placements, optimal=status == cp_model.OPTIMAL)


def _outcome(problem: Problem, placements: dict[int, tuple[int, int]], *, optimal: bool) -> Outcome:
    moved = sum(
        1 for p, cell in problem.previous.items() if p in placements and placements[p] != cell
    )
    return Outcome(placements, moved=moved, optimal=optimal)


def _objective(
    problem: Problem,
    model: cp_model.CpModel,
    cells: Mapping[int, cp_model.IntVar],
    slot: Mapping[int, cp_model.IntVar],
    in_room: Mapping[tuple[int, int], cp_model.IntVar],
    room_index: Mapping[int, int],
    start: Mapping[int, tuple[int, int]],
) -> cp_model.LinearExprT:
    """The soft goals, each helper variable hinted from `start` so that the search
    begins from a complete solution."""
    count = len(problem.slots)
    theme_of = {p.id: p.theme.casefold() for p in problem.pitches if p.theme}
    terms: list[cp_model.LinearExprT] = []
    for pitch_id, (room_id, index) in problem.previous.items():
        if pitch_id not in cells or pitch_id in problem.locks or room_id not in room_index:
            continue
        moved = model.new_bool_var(f"moved{pitch_id}")
        model.add_hint(moved, start.get(pitch_id) != (room_id, index))
        model.add(cells[pitch_id] == room_index[room_id] * count + index).only_enforce_if(~moved)
        terms.append(W_MOVE * moved)
    size = len(problem.pitches)
    high = model.new_int_var(0, size, "most")
    low = model.new_int_var(0, size, "fewest")
    loads: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (_pitch, index), chosen in in_room.items():
        loads[index].append(chosen)
    start_loads = [0] * len(problem.rooms)
    for room_id, _slot in start.values():
        start_loads[room_index[room_id]] += 1
    for index in range(len(problem.rooms)):
        load = sum(loads.get(index, []))
        model.add(high >= load)
        model.add(low <= load)
    model.add_hint(high, max(start_loads))
    model.add_hint(low, min(start_loads))
    start_themes = {
        (room_index[room_id], theme_of[p]) for p, (room_id, _s) in start.items() if p in theme_of
    }
    terms.append(W_BALANCE * (high - low))
    used: dict[tuple[int, str], cp_model.IntVar] = {}
    for (pitch_id, index), chosen in in_room.items():
        theme = theme_of.get(pitch_id)
        if theme is None:
            continue
        key = (index, theme)
        if key not in used:
            used[key] = model.new_bool_var(f"theme{index}_{len(used)}")
            model.add_hint(used[key], key in start_themes)
            terms.append(W_THEME * used[key])
        model.add_implication(chosen, used[key])
    terms.extend(W_EARLY * var for var in slot.values())
    return sum(terms)


def _start(problem: Problem, room_index: Mapping[int, int]) -> dict[int, tuple[int, int]]:
    """Where the search starts: the previous schedule where it still holds (a first
    fit for the rest, locks always), else pitches grouped by theme, else a first fit."""
    count = len(problem.slots)
    placed, _unplaced = greedy_first_fit(
        Problem(
            slots=problem.slots,
            rooms=problem.rooms,
            pitches=problem.pitches,
            locks={
                p: cell
                for p, cell in {**problem.previous, **problem.locks}.items()
                if cell[0] in room_index and 0 <= cell[1] < count
            },
            names=problem.names,
        )
    )
    if problem.previous and not violations(problem, placed):
        return placed
    grouped = grouped_fit(problem)
    if not violations(problem, grouped):
        return grouped
    return greedy_first_fit(problem)[0]
