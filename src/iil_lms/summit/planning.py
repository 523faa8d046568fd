"""The stored schedule: the scheduler's problem read from the database, the solver's
placements written back, and the organisers' moves, swaps and locks, each checked
against the hard constraints before anything changes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.audit.service import record
from iil_lms.cohorts.models import Membership, Role
from iil_lms.db import as_utc, utcnow
from iil_lms.i18n import gettext as _
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.summit import scheduler
from iil_lms.summit.models import (
    Pitch,
    PitchMember,
    PitchStatus,
    ScheduleSlot,
    Summit,
    SummitJudge,
)
from iil_lms.summit.scheduler import JudgeIn, PitchIn, Problem, RoomIn
from iil_lms.summit.service import SummitError, rooms_of, sessions_of


def _person(user_id: int) -> str:
    return f"u{user_id}"


@dataclass(frozen=True)
class Board:
    """The problem and what is stored now: placements by pitch, the stored rows."""

    problem: Problem
    placements: dict[int, tuple[int, int]]
    rows: dict[int, ScheduleSlot]
    titles: dict[int, str]


def load_board(session: Session, summit: Summit) -> Board:
    """Everything the scheduler needs, in a fixed number of queries: the slot grid,
    rooms with their judges (department, mentees), the shortlisted pitches with their
    members, departments and attending mentors, and the stored schedule."""
    summit_id = summit.id or 0
    slots = scheduler.slot_grid(
        [
            (as_utc(s.starts_at), as_utc(s.ends_at))
            for s in sessions_of(session, summit_id)
            if not s.is_break
        ],
        summit.pitch_minutes,
        summit.changeover_minutes,
    )
    rooms = rooms_of(session, summit_id)
    judges = list(session.exec(select(SummitJudge).where(SummitJudge.summit_id == summit_id)))
    pitches = list(
        session.exec(
            select(Pitch)
            .where(Pitch.summit_id == summit_id, Pitch.status == PitchStatus.SHORTLISTED)
            .order_by(col(Pitch.id))
        )
    )
    pitch_ids = [p.id or 0 for p in pitches]
    members: dict[int, list[int]] = defaultdict(list)
    for pitch_id, user_id in session.exec(
        select(PitchMember.pitch_id, PitchMember.user_id).where(
            col(PitchMember.pitch_id).in_(pitch_ids)
        )
    ):
        members[pitch_id].append(user_id)
    departments = dict(
        session.exec(
            select(Membership.user_id, Membership.department).where(
                Membership.cohort_id == summit.cohort_id, Membership.role == Role.TRAINEE.value
            )
        ).all()
    )
    mentor_of: dict[int, int] = {}
    mentees: dict[int, set[str]] = defaultdict(set)
    for trainee_id, mentor_id in session.exec(
        select(MentorAssignment.trainee_id, MentorAssignment.mentor_id).where(
            MentorAssignment.cohort_id == summit.cohort_id,
            col(MentorAssignment.ended_at).is_(None),
        )
    ):
        mentor_of[trainee_id] = mentor_id
        mentees[mentor_id].add(_person(trainee_id))
    people_ids = {u for ids in members.values() for u in ids} | set(mentor_of.values())
    people_ids |= {j.user_id for j in judges if j.user_id}
    names = {
        _person(user_id): name
        for user_id, name in session.exec(
            select(User.id, User.display_name).where(col(User.id).in_(people_ids))
        )
        if user_id is not None
    }
    staff_departments = dict(
        session.exec(
            select(Membership.user_id, Membership.department).where(
                Membership.cohort_id == summit.cohort_id,
                col(Membership.user_id).in_([j.user_id for j in judges if j.user_id]),
            )
        ).all()
    )
    by_room: dict[int, list[JudgeIn]] = defaultdict(list)
    for judge in judges:
        by_room[judge.room_id].append(
            JudgeIn(
                id=judge.id or 0,
                name=judge.name,
                department=judge.department
                or (staff_departments.get(judge.user_id, "") if judge.user_id else ""),
                person=_person(judge.user_id) if judge.user_id else None,
                mentees=frozenset(mentees.get(judge.user_id, set()))
                if judge.user_id
                else frozenset(),
            )
        )
    stored = {
        row.pitch_id: row
        for row in session.exec(select(ScheduleSlot).where(ScheduleSlot.summit_id == summit_id))
    }
    index_of = {slot.starts_at: slot.index for slot in slots}
    placements: dict[int, tuple[int, int]] = {}
    locks: dict[int, tuple[int, int]] = {}
    room_ids = {room.id for room in rooms}
    for pitch_id, row in stored.items():
        index = index_of.get(as_utc(row.starts_at), -1)
        cell = (row.room_id if row.room_id in room_ids else -1, index)
        placements[pitch_id] = cell
        if row.locked:
            locks[pitch_id] = cell
    problem = Problem(
        slots=slots,
        rooms=tuple(
            RoomIn(room.id or 0, room.name, room.capacity, tuple(by_room.get(room.id or 0, [])))
            for room in rooms
        ),
        pitches=tuple(
            PitchIn(
                id=pitch.id or 0,
                title=pitch.title,
                members=frozenset(_person(u) for u in members[pitch.id or 0]),
                departments=frozenset(
                    departments.get(u, "") for u in members[pitch.id or 0] if departments.get(u)
                ),
                mentors=frozenset(
                    _person(mentor_of[u]) for u in members[pitch.id or 0] if u in mentor_of
                )
                if pitch.mentor_attends
                else frozenset(),
                theme=pitch.theme,
            )
            for pitch in pitches
        ),
        locks=locks,
        previous={p: cell for p, cell in placements.items() if cell[0] != -1 and cell[1] != -1},
        names=names,
    )
    return Board(problem, placements, stored, {p.id or 0: p.title for p in pitches})


@dataclass(frozen=True)
class RunResult:
    placed: int
    moved: int
    optimal: bool


def run_schedule(
    session: Session, summit: Summit, *, actor_id: int | None, time_limit: float = 2.0
) -> RunResult:
    """Schedule every shortlisted pitch (locked slots stay; the others move as little as
    possible from where they were) and store the result. ScheduleInfeasible names the
    blocking constraints; nothing is stored then."""
    board = load_board(session, summit)
    outcome = scheduler.solve(board.problem, time_limit=time_limit)
    store(session, summit, board, outcome.placements)
    _record(
        session, summit, actor_id, "summit.schedule.solve", board.placements, outcome.placements
    )
    summit.scheduled_at = utcnow()
    session.add(summit)
    return RunResult(len(outcome.placements), outcome.moved, outcome.optimal)


def store(
    session: Session, summit: Summit, board: Board, placements: dict[int, tuple[int, int]]
) -> None:
    """Write `placements` over the stored schedule: rows that move are updated, rows of
    pitches no longer shortlisted go, new ones are added (in bulk)."""
    slots = board.problem.slots
    summit_id = summit.id or 0
    keep = set(placements)
    gone = [row.id for pitch_id, row in board.rows.items() if pitch_id not in keep]
    changed = {
        pitch_id: cell
        for pitch_id, cell in placements.items()
        if pitch_id in board.rows and board.placements.get(pitch_id) != cell
    }
    if gone or changed:
        # moved rows leave their cells first, so no two rows ever share one
        session.execute(
            delete(ScheduleSlot).where(
                col(ScheduleSlot.id).in_(gone + [board.rows[p].id for p in changed])
            )
        )
    fresh = [
        {
            "summit_id": summit_id,
            "pitch_id": pitch_id,
            "room_id": room_id,
            "starts_at": slots[index].starts_at,
            "ends_at": slots[index].ends_at,
            "locked": bool(board.rows[pitch_id].locked) if pitch_id in board.rows else False,
        }
        for pitch_id, (room_id, index) in placements.items()
        if pitch_id not in board.rows or pitch_id in changed
    ]
    if fresh:
        session.execute(ScheduleSlot.__table__.insert(), fresh)  # type: ignore[attr-defined]


def check_move(
    board: Board, pitch_id: int, room_id: int, index: int
) -> tuple[dict[int, tuple[int, int]], list[str]]:
    """The placements after moving `pitch_id` to (room, slot) (swapping with a pitch
    already there) and the hard constraints they would break."""
    if pitch_id not in board.placements:
        return board.placements, [_("That pitch is not in the schedule.")]
    placements = dict(board.placements)
    source = placements[pitch_id]
    target = (room_id, index)
    other = next((p for p, cell in placements.items() if cell == target and p != pitch_id), None)
    locks = dict(board.problem.locks)
    problems: list[str] = []
    if pitch_id in locks:
        problems.append(_("This pitch is locked: unlock it to move it."))
    if other is not None and other in locks:
        problems.append(
            _("\u201c%(title)s\u201d is locked in that slot.", title=board.titles.get(other, ""))
        )
    placements[pitch_id] = target
    if other is not None:
        placements[other] = source
    locks.pop(pitch_id, None)
    if other is not None:
        locks.pop(other, None)
    problem = Problem(
        slots=board.problem.slots,
        rooms=board.problem.rooms,
        pitches=board.problem.pitches,
        locks=locks,
        names=board.problem.names,
    )
    placed = {p: c for p, c in placements.items() if p in {x.id for x in problem.pitches}}
    problems.extend(scheduler.violations(problem, placed, every_pitch=False))
    return placements, problems


def _record(
    session: Session,
    summit: Summit,
    actor_id: int | None,
    action: str,
    old: dict[int, tuple[int, int]],
    new: dict[int, tuple[int, int]],
) -> None:
    """Log the pitches whose (room, slot) changed, before and after."""
    moved = sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p))
    before, after = {p: old.get(p) for p in moved}, {p: new.get(p) for p in moved}
    record(
        session, actor_id, action, f"summit:{summit.id}", before, after, cohort_id=summit.cohort_id
    )


def move_pitch(
    session: Session,
    summit: Summit,
    *,
    pitch_id: int,
    room_id: int,
    index: int,
    actor_id: int | None = None,
) -> None:
    """Move a pitch by hand (swapping with the pitch in the target slot); refused with
    the broken constraints named when it breaks any."""
    board = load_board(session, summit)
    placements, problems = check_move(board, pitch_id, room_id, index)
    if problems:
        raise SummitError({"move": " ".join(problems)})
    store(session, summit, board, placements)
    swapped = sum(board.placements.get(p) != cell for p, cell in placements.items()) > 1
    action = "summit.schedule.swap" if swapped else "summit.schedule.move"
    _record(session, summit, actor_id, action, board.placements, placements)


def set_lock(
    session: Session, summit: Summit, *, pitch_id: int, locked: bool, actor_id: int | None = None
) -> None:
    result = session.execute(
        update(ScheduleSlot)
        .where(col(ScheduleSlot.summit_id) == summit.id, col(ScheduleSlot.pitch_id) == pitch_id)
        .values(locked=locked)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise SummitError({"move": _("That pitch is not in the schedule.")})
    action = "summit.schedule.lock" if locked else "summit.schedule.unlock"
    after = {"pitch_id": pitch_id, "locked": locked}
    record(
        session,
        actor_id,
        action,
        f"summit:{summit.id}",
        {**after, "locked": not locked},
        after,
        cohort_id=summit.cohort_id,
    )


def clear_schedule(session: Session, summit: Summit, actor_id: int | None = None) -> None:
    _record(
        session,
        summit,
        actor_id,
        "summit.schedule.clear",
        load_board(session, summit).placements,
        {},
    )
    session.execute(delete(ScheduleSlot).where(col(ScheduleSlot.summit_id) == summit.id))
    summit.scheduled_at = None
    session.add(summit)


@dataclass(frozen=True)
class GridCell:
    pitch_id: int
    title: str
    members: list[str]
    locked: bool


@dataclass(frozen=True)
class Grid:
    rooms: list[tuple[int, str]]
    times: list[tuple[int, datetime, datetime]]
    cells: dict[tuple[int, int], GridCell]
    unplaced: list[tuple[int, str]]
    problems: list[str]


def grid(session: Session, summit: Summit, board: Board | None = None) -> Grid:
    """The schedule as a table: slot times down, rooms across, and what breaks a hard
    constraint now (e.g. after a session or judge changed)."""
    board = board or load_board(session, summit)
    names: dict[int, list[str]] = defaultdict(list)
    ids = list(board.titles)
    for pitch_id, name in session.exec(
        select(PitchMember.pitch_id, User.display_name)
        .join(User, col(User.id) == col(PitchMember.user_id))
        .where(col(PitchMember.pitch_id).in_(ids))
        .order_by(col(PitchMember.id))
    ):
        names[pitch_id].append(name)
    cells = {
        cell: GridCell(
            pitch_id, board.titles[pitch_id], names[pitch_id], board.rows[pitch_id].locked
        )
        for pitch_id, cell in board.placements.items()
        if pitch_id in board.titles
    }
    placed = {p: c for p, c in board.placements.items() if p in board.titles}
    problems = scheduler.violations(board.problem, placed, every_pitch=False)
    return Grid(
        rooms=[(room.id, room.name) for room in board.problem.rooms],
        times=[(s.index, s.starts_at, s.ends_at) for s in board.problem.slots],
        cells=cells,
        unplaced=[(p, board.titles[p]) for p in board.titles if p not in placed],
        problems=problems,
    )
