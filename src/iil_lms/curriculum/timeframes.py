"""Time-frame templates: when each module of a curriculum opens and falls due, for an
academy year with breaks or for quarterly convenings. Pure functions (tested with
hypothesis); curriculum.plans writes what they compute into a cohort's plan."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from iil_lms.curriculum.service import CurriculumError
from iil_lms.i18n import gettext as _

ACADEMY_YEAR = "academy-year"
QUARTERLY = "quarterly-convenings"
TIMEFRAMES = (ACADEMY_YEAR, QUARTERLY)

# Breaks of the academy-year template, as (first day, last day). Eid dates follow the
# moon and are approximate here; an academy passes its own list when it knows better.
DEFAULT_BREAKS: tuple[tuple[date, date], ...] = (
    (date(2025, 3, 29), date(2025, 4, 4)),  # Eid al-Fitr
    (date(2025, 6, 5), date(2025, 6, 11)),  # Eid al-Adha
    (date(2025, 12, 22), date(2026, 1, 4)),  # winter
    (date(2026, 3, 19), date(2026, 3, 25)),
    (date(2026, 5, 26), date(2026, 6, 1)),
    (date(2026, 12, 21), date(2027, 1, 3)),
    (date(2027, 3, 8), date(2027, 3, 14)),
    (date(2027, 5, 15), date(2027, 5, 21)),
    (date(2027, 12, 20), date(2028, 1, 2)),
    (date(2028, 2, 25), date(2028, 3, 2)),
    (date(2028, 5, 3), date(2028, 5, 9)),
)
# Quarterly template: which convening (0-3) opens the modules of milestone 1..5; the
# last convening is the Integrity Summit, held for the last milestone (see
# quarterly_slots).
SIX_MILESTONES_TO_CONVENING = (0, 0, 1, 2, 2, 3)
CONVENING_DAYS = 3
# The module of the last milestone that *is* the summit (iil-core's); a curriculum
# without it has its last milestone's last module at the summit.
SUMMIT_MODULE_SLUG = "the-summit"


@dataclass(frozen=True)
class Slot:
    module_id: int
    opens_on: date
    due_on: date


@dataclass(frozen=True)
class ModuleRef:
    id: int
    milestone_index: int  # 0-based position of its milestone
    slug: str = ""


def _overlaps(start: date, end: date, breaks: Iterable[tuple[date, date]]) -> bool:
    return any(b_start <= end and start <= b_end for b_start, b_end in breaks)


def teaching_weeks(
    starts_on: date, ends_on: date, breaks: Iterable[tuple[date, date]]
) -> list[tuple[date, date]]:
    """Seven-day weeks from the cohort's first day, clipped to its last, minus weeks
    that touch a break."""
    breaks = list(breaks)
    weeks = []
    start = starts_on
    while start <= ends_on:
        end = min(start + timedelta(days=6), ends_on)
        if not _overlaps(start, end, breaks):
            weeks.append((start, end))
        start += timedelta(days=7)
    return weeks


def academy_year_slots(
    modules: Sequence[ModuleRef],
    starts_on: date,
    ends_on: date,
    breaks: Iterable[tuple[date, date]] = DEFAULT_BREAKS,
) -> list[Slot]:
    """Modules in milestone order spread evenly over the teaching weeks: module k of n
    takes week floor(k * weeks / n), opens on its first day and is due on its last."""
    weeks = teaching_weeks(starts_on, ends_on, breaks)
    if not weeks:
        raise CurriculumError(_("The cohort's dates leave no teaching week outside the breaks."))
    count = len(modules)
    slots = []
    for k, module in enumerate(modules):
        start, end = weeks[k * len(weeks) // count]
        slots.append(Slot(module.id, start, end))
    return slots


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - some day of every month exists


def convening_windows(
    starts_on: date, ends_on: date, convenings: Sequence[tuple[date, date]]
) -> list[tuple[date, date]]:
    """Four convenings: the cohort's own (first four by date) when it has four, else
    three-day convenings three months apart from the start date (closer together when
    the cohort is shorter than that), all clipped to the cohort's dates."""
    if len(convenings) >= 4:
        chosen = sorted(convenings)[:4]
    else:
        span = (ends_on - starts_on).days
        chosen = []
        for i in range(4):
            first = add_months(starts_on, 3 * i)
            if add_months(starts_on, 9) > ends_on:
                first = starts_on + timedelta(days=i * span // 4)
            chosen.append((first, first + timedelta(days=CONVENING_DAYS - 1)))

    def clip(day: date) -> date:
        return min(max(day, starts_on), ends_on)

    return [(clip(s), clip(max(e, s))) for s, e in chosen]


def convening_of_milestone(index: int, milestone_count: int) -> int:
    """Milestones 1-2 at convening 1, 3 at 2, 4-5 at 3 and the last (the summit's) at 4;
    other counts spread evenly over the first three convenings, the last milestone at
    the fourth."""
    if index >= milestone_count - 1:
        return 3
    if milestone_count == len(SIX_MILESTONES_TO_CONVENING):
        return SIX_MILESTONES_TO_CONVENING[index]
    return min(2, index * 3 // max(milestone_count - 1, 1))


def _summit_module(modules: Sequence[ModuleRef], last_milestone: int) -> int | None:
    """The id of the module held at the summit: SUMMIT_MODULE_SLUG in the last
    milestone, else that milestone's last module."""
    last = [m for m in modules if m.milestone_index == last_milestone]
    named = [m for m in last if m.slug == SUMMIT_MODULE_SLUG]
    chosen = named or last[-1:]
    return chosen[0].id if chosen else None


def quarterly_slots(
    modules: Sequence[ModuleRef],
    starts_on: date,
    ends_on: date,
    convenings: Sequence[tuple[date, date]] = (),
) -> list[Slot]:
    """Each milestone's modules open on the first day of its convening; their due dates
    are spread over the district work until the day before the next convening, in
    module order. The fourth convening is the Integrity Summit: the summit module (see
    `_summit_module`) opens on its first day and is due on its last; the modules of the
    last milestone before it prepare for it, so they open at the third convening and
    are due before the summit; those after it run from the summit to the cohort's
    end."""
    windows = convening_windows(starts_on, ends_on, convenings)
    milestone_count = max((m.milestone_index for m in modules), default=0) + 1
    summit_id = _summit_module(modules, milestone_count - 1)
    before_summit = True
    groups: dict[int, list[ModuleRef]] = {}
    summit: list[Slot] = []
    for module in modules:
        c_index = convening_of_milestone(module.milestone_index, milestone_count)
        if module.id == summit_id:
            before_summit = False
            summit.append(Slot(module.id, windows[3][0], windows[3][1]))
            continue
        if c_index == 3 and before_summit:
            c_index = 2  # preparing for the summit
        groups.setdefault(c_index, []).append(module)
    slots = []
    for c_index, group in sorted(groups.items()):
        opens = windows[c_index][0]
        if c_index + 1 < len(windows):
            last = max(opens, windows[c_index + 1][0] - timedelta(days=1))
        else:
            last = ends_on
        span = (last - opens).days
        for k, module in enumerate(group):
            due = opens + timedelta(days=-(-(k + 1) * span // len(group)))
            slots.append(Slot(module.id, opens, min(max(due, opens), last)))
        if c_index == 2:
            slots.extend(summit)
            summit = []
    return slots + summit
