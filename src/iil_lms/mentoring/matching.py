"""Balanced mentor assignment, as a pure function of the roster (no database here).

Rules, in order of strength:

1. Never broken: a mentor is never given a trainee whose line manager they are; when the
   trainer ticks it, never a trainee from the mentor's own department.  A trainee no
   mentor may take is left out and reported, never placed against a rule.
2. Every other trainee gets exactly one mentor.
3. Loads are balanced: every mentor's load is within one of every other's whenever the
   rules allow it.  When they do not, the loads are as even as the rules allow and the
   result says so, naming the trainees with few allowed mentors.
4. Keeping a learning circle under one mentor (when ticked) never splits a circle unless
   no mentor may take all of it (reported); loads are then as even as whole circles
   allow, and a spread of more than one is reported.
5. Preferences (a same-gender mentor where the trainee asked for it, the current mentor,
   the same service group, province or language) break ties between balanced choices.

Without circles the problem is a transportation problem with convex load costs, solved
exactly by successive shortest paths on the small graph of mentors: adding trainee t
finds the cheapest chain "t goes to mentor a, a trainee of a moves to b, ... and the
last mentor takes one more" by Bellman-Ford over the mentors, where the edge a -> b is
the cheapest single move of one of a's trainees to b.  With the load weight larger than
any chain of preference costs, the optimum is balanced whenever a balanced assignment
exists, and among balanced ones it meets the most preferences.  With circles kept
together, whole circles are placed largest first on the least-loaded allowed mentor and
then improved by moves and swaps.  Both are deterministic: trainees and mentors are
taken in id order and ties go to the lower id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from iil_lms.i18n import gettext as _

# Preference weights: a same-gender request outweighs continuity, which outweighs the
# rest.  They only ever break ties between equally balanced assignments.
WEIGHT_GENDER = 16
WEIGHT_CURRENT = 8
WEIGHT_SERVICE_GROUP = 4
WEIGHT_PROVINCE = 2
WEIGHT_LANGUAGE = 1
MAX_PAIR_COST = (
    WEIGHT_GENDER + WEIGHT_CURRENT + WEIGHT_SERVICE_GROUP + WEIGHT_PROVINCE + WEIGHT_LANGUAGE
)

REASON_LINE_MANAGER = "line_manager"
REASON_DEPARTMENT = "department"


@dataclass(frozen=True)
class MentorFacts:
    user_id: int
    name: str = ""
    department: str = ""
    province: str = ""
    service_group: str = ""
    language: str = ""
    gender: str = ""


@dataclass(frozen=True)
class TraineeFacts:
    user_id: int
    name: str = ""
    department: str = ""
    province: str = ""
    service_group: str = ""
    language: str = ""
    gender: str = ""
    circle_id: int | None = None
    circle_name: str = ""
    line_manager_id: int | None = None
    wants_same_gender: bool = False
    current_mentor_id: int | None = None


@dataclass(frozen=True)
class MatchOptions:
    avoid_same_department: bool = True
    keep_circles_together: bool = False
    honour_gender_requests: bool = True
    keep_current_pairs: bool = True
    prefer_same_service_group: bool = False
    prefer_same_province: bool = False
    prefer_same_language: bool = False


@dataclass(frozen=True)
class Problem:
    """A rule or goal the result could not meet, in words a trainer can act on."""

    kind: str  # unplaced | circle_split | unbalanced | gender | no_mentors
    message: str
    trainee_ids: tuple[int, ...] = ()


@dataclass
class MatchResult:
    pairs: dict[int, int] = field(default_factory=dict)  # trainee id -> mentor id
    loads: dict[int, int] = field(default_factory=dict)  # mentor id -> trainees
    unplaced: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.loads or max(self.loads.values()) - min(self.loads.values()) <= 1


def _same(a: str, b: str) -> bool:
    """Equal after trimming and case-folding; an empty value never matches."""
    a, b = a.strip().casefold(), b.strip().casefold()
    return bool(a) and a == b


def forbidden_reason(
    trainee: TraineeFacts, mentor: MentorFacts, options: MatchOptions
) -> str | None:
    """Why this mentor may not take this trainee, or None when they may."""
    if trainee.line_manager_id is not None and trainee.line_manager_id == mentor.user_id:
        return REASON_LINE_MANAGER
    if trainee.user_id == mentor.user_id:
        return REASON_LINE_MANAGER  # nobody mentors themselves
    if options.avoid_same_department and _same(trainee.department, mentor.department):
        return REASON_DEPARTMENT
    return None


def pair_cost(trainee: TraineeFacts, mentor: MentorFacts, options: MatchOptions) -> int:
    """The weight of the preferences this pair leaves unmet (0 = all met)."""
    cost = 0
    if (
        options.honour_gender_requests
        and trainee.wants_same_gender
        and not _same(trainee.gender, mentor.gender)
    ):
        cost += WEIGHT_GENDER
    if (
        options.keep_current_pairs
        and trainee.current_mentor_id is not None
        and trainee.current_mentor_id != mentor.user_id
    ):
        cost += WEIGHT_CURRENT
    if options.prefer_same_service_group and not _same(trainee.service_group, mentor.service_group):
        cost += WEIGHT_SERVICE_GROUP
    if options.prefer_same_province and not _same(trainee.province, mentor.province):
        cost += WEIGHT_PROVINCE
    if options.prefer_same_language and not _same(trainee.language, mentor.language):
        cost += WEIGHT_LANGUAGE
    return cost


Costs = list[list[int | None]]  # per trainee, per mentor: pair cost, None = forbidden


def _flow_assign(costs: Costs, mentor_count: int) -> list[int]:
    """Assign every trainee (each has at least one allowed mentor) to a mentor index,
    minimising load_weight * sum(load*(load+1)/2) + sum(pair costs) exactly."""
    m = mentor_count
    load_weight = MAX_PAIR_COST * (m + 1) + 1
    members: list[list[int]] = [[] for _ in range(m)]
    where = [-1] * len(costs)
    # best[a][b]: the cheapest move of one of a's trainees to b, as (cost change, trainee)
    best: list[list[tuple[int, int] | None]] = [[None] * m for _ in range(m)]

    def rebuild(a: int) -> None:
        row: list[tuple[int, int] | None] = [None] * m
        for t in members[a]:
            trainee_costs = costs[t]
            base = trainee_costs[a]
            assert base is not None
            for b in range(m):
                cb = trainee_costs[b]
                if cb is None or b == a:
                    continue
                delta = cb - base
                current = row[b]
                if current is None or delta < current[0]:
                    row[b] = (delta, t)
        best[a] = row

    for t, trainee_costs in enumerate(costs):
        dist: list[int | None] = list(trainee_costs)
        pred = [-1] * m
        for _round in range(m):
            changed = False
            for a in range(m):
                da = dist[a]
                if da is None:
                    continue
                row = best[a]
                for b in range(m):
                    edge = row[b]
                    if edge is None:
                        continue
                    candidate = da + edge[0]
                    db = dist[b]
                    if db is None or candidate < db:
                        dist[b] = candidate
                        pred[b] = a
                        changed = True
            if not changed:
                break
        end, end_cost = -1, 0
        for b in range(m):
            db = dist[b]
            if db is None:
                continue
            total = db + load_weight * (len(members[b]) + 1)
            if end < 0 or total < end_cost:
                end, end_cost = b, total
        touched = {end}
        b = end
        for _step in range(m):
            if pred[b] == -1:
                break
            a = pred[b]
            edge = best[a][b]
            assert edge is not None
            moved = edge[1]
            members[a].remove(moved)
            members[b].append(moved)
            where[moved] = b
            touched.add(a)
            b = a
        members[b].append(t)
        where[t] = b
        for a in sorted(touched):
            rebuild(a)
    return where


def _unit_assign(units: list[list[int]], costs: Costs, mentor_count: int) -> list[int]:
    """Place whole units (circles) on mentors: largest first on the least-loaded allowed
    mentor, then moves and swaps while they make loads more even (sum of squares) or, at
    equal evenness, meet more preferences.  Returns the mentor index of each unit."""
    m = mentor_count
    unit_costs: list[list[int | None]] = []
    for unit in units:
        row: list[int | None] = []
        for b in range(m):
            parts = [costs[t][b] for t in unit]
            row.append(None if any(p is None for p in parts) else sum(p or 0 for p in parts))
        unit_costs.append(row)
    sizes = [len(u) for u in units]
    loads = [0] * m
    placed = [-1] * len(units)
    order = sorted(range(len(units)), key=lambda u: (-sizes[u], min(units[u])))
    for u in order:
        choices = [b for b in range(m) if unit_costs[u][b] is not None]
        b = min(choices, key=lambda b: (loads[b] + sizes[u], unit_costs[u][b] or 0, b))
        placed[u] = b
        loads[b] += sizes[u]

    def cost_of(u: int, b: int) -> int:
        value = unit_costs[u][b]
        assert value is not None
        return value

    for _pass in range(100):
        improved = False
        for u in order:
            a, s = placed[u], sizes[u]
            for b in range(m):
                if b == a or unit_costs[u][b] is None:
                    continue
                d_square = 2 * s * (loads[b] - loads[a] + s)
                d_cost = cost_of(u, b) - cost_of(u, a)
                if d_square < 0 or (d_square == 0 and d_cost < 0):
                    placed[u] = b
                    loads[a] -= s
                    loads[b] += s
                    a = b
                    improved = True
        for i, u in enumerate(order):
            for v in order[i + 1 :]:
                a, b = placed[u], placed[v]
                if a == b or unit_costs[u][b] is None or unit_costs[v][a] is None:
                    continue
                shift = sizes[u] - sizes[v]  # a loses shift, b gains it
                d_square = (
                    (loads[a] - shift) ** 2
                    + (loads[b] + shift) ** 2
                    - loads[a] ** 2
                    - loads[b] ** 2
                )
                d_cost = cost_of(u, b) + cost_of(v, a) - cost_of(u, a) - cost_of(v, b)
                if d_square < 0 or (d_square == 0 and d_cost < 0):
                    placed[u], placed[v] = b, a
                    loads[a] -= shift
                    loads[b] += shift
                    improved = True
        if not improved:
            break
    return placed


def _split_circle(members: list[int], allowed: list[set[int]]) -> list[list[int]]:
    """Split a circle that no single mentor may take into as few groups as a greedy
    cover finds, each group with a mentor allowed for all of it."""
    rest = sorted(members)
    groups: list[list[int]] = []
    while rest:
        candidates = sorted(set().union(*(allowed[t] for t in rest)))
        b = max(candidates, key=lambda b: (sum(1 for t in rest if b in allowed[t]), -b))
        group = [t for t in rest if b in allowed[t]]
        groups.append(group)
        rest = [t for t in rest if b not in allowed[t]]
    return groups


def _names(trainees: Sequence[TraineeFacts], indices: Sequence[int]) -> str:
    return ", ".join(trainees[i].name or str(trainees[i].user_id) for i in indices)


def match(
    trainees: Sequence[TraineeFacts], mentors: Sequence[MentorFacts], options: MatchOptions
) -> MatchResult:
    """Propose one mentor for every trainee under the rules in the module docstring."""
    trainees = sorted(trainees, key=lambda t: t.user_id)
    mentors = sorted(mentors, key=lambda m: m.user_id)
    result = MatchResult(loads={m.user_id: 0 for m in mentors})
    if not trainees:
        return result
    if not mentors:
        result.unplaced = [t.user_id for t in trainees]
        result.problems.append(
            Problem(
                "no_mentors",
                _("There are no mentors in this cohort yet: add mentors to the roster first."),
                tuple(result.unplaced),
            )
        )
        return result

    costs: Costs = []
    placeable: list[int] = []
    for i, trainee in enumerate(trainees):
        row: list[int | None] = []
        reasons: dict[str, int] = {}
        for mentor in mentors:
            reason = forbidden_reason(trainee, mentor, options)
            if reason is None:
                row.append(pair_cost(trainee, mentor, options))
            else:
                row.append(None)
                reasons[reason] = reasons.get(reason, 0) + 1
        costs.append(row)
        if any(c is not None for c in row):
            placeable.append(i)
            continue
        result.unplaced.append(trainee.user_id)
        if reasons.get(REASON_DEPARTMENT):
            message = _(
                "%(name)s cannot be placed: every mentor is from their department "
                "(%(department)s) or is their line manager. Untick the department rule "
                "or add a mentor from another department.",
                name=trainee.name,
                department=trainee.department,
            )
        else:
            message = _(
                "%(name)s cannot be placed: the only mentor is their line manager. "
                "Add another mentor.",
                name=trainee.name,
            )
        result.problems.append(Problem("unplaced", message, (trainee.user_id,)))

    m = len(mentors)
    allowed = [{b for b, c in enumerate(costs[i]) if c is not None} for i in range(len(trainees))]
    if options.keep_circles_together:
        by_circle: dict[int, list[int]] = {}
        units: list[list[int]] = []
        for i in placeable:
            circle_id = trainees[i].circle_id
            if circle_id is None:
                units.append([i])
            else:
                by_circle.setdefault(circle_id, []).append(i)
        for members in by_circle.values():
            if set.intersection(*(allowed[t] for t in members)):
                units.append(members)
                continue
            groups = _split_circle(members, allowed)
            units.extend(groups)
            result.problems.append(
                Problem(
                    "circle_split",
                    _(
                        "%(circle)s is split between %(count)s mentors: no mentor may take all "
                        "of its members (line managers or the department rule).",
                        circle=trainees[members[0]].circle_name,
                        count=len(groups),
                    ),
                    tuple(trainees[t].user_id for t in members),
                )
            )
        placed = _unit_assign(units, costs, m)
        where = {t: placed[u] for u, unit in enumerate(units) for t in unit}
    else:
        flow = _flow_assign([costs[i] for i in placeable], m)
        where = {i: flow[k] for k, i in enumerate(placeable)}

    for i, b in where.items():
        result.pairs[trainees[i].user_id] = mentors[b].user_id
        result.loads[mentors[b].user_id] += 1

    if not result.balanced:
        low, high = min(result.loads.values()), max(result.loads.values())
        if options.keep_circles_together:
            sizes = [len(members) for members in by_circle.values()] or [1]
            result.problems.append(
                Problem(
                    "unbalanced",
                    _(
                        "Loads range from %(low)s to %(high)s trainees because learning circles "
                        "are kept together (circles have %(smallest)s to %(largest)s members). "
                        "Untick that rule for loads within one of each other.",
                        low=low,
                        high=high,
                        smallest=min(sizes),
                        largest=max(sizes),
                    ),
                )
            )
        else:
            busiest = {b for b in range(m) if result.loads[mentors[b].user_id] == high}
            restricted = [i for i, b in where.items() if b in busiest and len(allowed[i]) < m]
            result.problems.append(
                Problem(
                    "unbalanced",
                    _(
                        "Loads range from %(low)s to %(high)s trainees: the line-manager and "
                        "department rules leave these trainees too few allowed mentors: %(names)s.",
                        low=low,
                        high=high,
                        names=_names(trainees, restricted),
                    ),
                    tuple(trainees[i].user_id for i in restricted),
                )
            )

    if options.honour_gender_requests:
        unmet = [
            i
            for i, b in where.items()
            if trainees[i].wants_same_gender and not _same(trainees[i].gender, mentors[b].gender)
        ]
        undeclared = [i for i in unmet if not trainees[i].gender.strip()]
        unmet = [i for i in unmet if i not in undeclared]
        if unmet:
            result.problems.append(
                Problem(
                    "gender",
                    _(
                        "No mentor of the same gender has room for these trainees, who asked "
                        "for one: %(names)s.",
                        names=_names(trainees, unmet),
                    ),
                    tuple(trainees[i].user_id for i in unmet),
                )
            )
        if undeclared:
            result.problems.append(
                Problem(
                    "gender",
                    _(
                        "These trainees asked for a mentor of the same gender but have not "
                        "declared a gender in their profile: %(names)s.",
                        names=_names(trainees, undeclared),
                    ),
                    tuple(trainees[i].user_id for i in undeclared),
                )
            )
    return result
