"""Gender and social inclusion (GESI) figures of a cohort: how many trainees of each
self-declared group enrolled, finished each milestone, attended a convening, met their
mentor, published outreach, pitched at the summit and won an award. Every figure counts
people and goes through the small-group suppression rule (`reports.suppression`); the
whole report takes a fixed number of queries whatever the cohort's size."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Cohort, Membership, Role
from iil_lms.i18n import gettext as _
from iil_lms.learning import progress
from iil_lms.learning.journey import DONE
from iil_lms.mentoring.models import MentoringLogEntry
from iil_lms.outreach.models import OutreachItem, OutreachStatus
from iil_lms.reports.suppression import suppress_columns, too_small
from iil_lms.summit.models import Pitch, PitchMember, PitchStatus, Summit, SummitAward

# The self-declared or roster facts the figures are split by, in the page's order.
DIMENSIONS = ("gender", "disability", "province", "district")


def dimension_titles() -> dict[str, str]:
    return {
        "gender": _("By gender"),
        "disability": _("By disability"),
        "province": _("By province"),
        "district": _("By district"),
    }


@dataclass(frozen=True)
class Figure:
    """A count of people; `hidden` when the suppression rule keeps it off the page."""

    value: int
    hidden: bool

    def shown(self) -> str:
        return "<5" if self.hidden else str(self.value)


@dataclass(frozen=True)
class GesiRow:
    label: str
    figures: tuple[Figure, ...]
    not_stated: bool = False
    key: str = ""  # the group's answer, letter case folded ("" for "Not stated")


@dataclass(frozen=True)
class GesiTable:
    dimension: str
    title: str
    rows: list[GesiRow]
    total: GesiRow


@dataclass(frozen=True)
class GesiReport:
    cohort_id: int | None  # None for an academy's figures
    columns: list[str]  # the figures' headings, in order
    tables: list[GesiTable]
    trainee_count: int
    column_keys: tuple[str, ...] = ()  # what each column counts, the same in every language
    academy_id: int | None = None


@dataclass(frozen=True)
class _Trainee:
    user_id: int
    groups: Mapping[str, str]


def _people_with_mentoring(session: Session, cohort_id: int) -> set[int]:
    return {
        int(r[0])
        for r in session.execute(
            sa_select(col(MentoringLogEntry.trainee_id))
            .where(col(MentoringLogEntry.cohort_id) == cohort_id)
            .distinct()
        ).all()
    }


def _people_with_outreach(session: Session, cohort_id: int) -> set[int]:
    return {
        int(r[0])
        for r in session.execute(
            sa_select(col(OutreachItem.author_id))
            .where(
                col(OutreachItem.cohort_id) == cohort_id,
                col(OutreachItem.status) == OutreachStatus.APPROVED,
            )
            .distinct()
        ).all()
    }


def _summit_people(session: Session, cohort_id: int) -> tuple[set[int], set[int]]:
    """Who is on a pitch submitted to one of the cohort's summits (its owner, or a
    confirmed team member), and who is on an awarded pitch."""
    rows = session.execute(
        sa_select(col(Pitch.id), col(Pitch.owner_id), col(PitchMember.user_id))
        .join(Summit, col(Summit.id) == Pitch.summit_id)
        .outerjoin(
            PitchMember,
            and_(
                col(PitchMember.pitch_id) == Pitch.id,
                col(PitchMember.confirmed_at).is_not(None),
            ),
        )
        .where(
            col(Summit.cohort_id) == cohort_id,
            col(Pitch.version) > 0,
            col(Pitch.status) != PitchStatus.WITHDRAWN,
        )
    ).all()
    awarded_pitches = {
        int(r[0])
        for r in session.execute(
            sa_select(col(SummitAward.pitch_id))
            .join(Summit, col(Summit.id) == SummitAward.summit_id)
            .where(col(Summit.cohort_id) == cohort_id)
        ).all()
    }
    pitched: set[int] = set()
    awarded: set[int] = set()
    for pitch_id, owner_id, member_id in rows:
        people = {int(owner_id)} | ({int(member_id)} if member_id is not None else set())
        pitched |= people
        if int(pitch_id) in awarded_pitches:
            awarded |= people
    return pitched, awarded


def _trainees(session: Session, cohort_id: int) -> list[_Trainee]:
    """The cohort's enrolled trainees (withdrawn ones left out) with their groups: the
    roster's answers, or the person's own profile answers where the roster has none."""
    found = session.execute(
        sa_select(
            col(Membership.user_id),
            col(Membership.gender),
            col(Membership.disability),
            col(Membership.province),
            col(Membership.district),
            col(User.gender),
            col(User.disability),
        )
        .join(User, col(User.id) == Membership.user_id)
        .where(
            col(Membership.cohort_id) == cohort_id,
            col(Membership.role) == Role.TRAINEE.value,
            col(Membership.withdrawn_at).is_(None),
        )
    ).all()
    trainees = []
    for user_id, gender, disability, province, district, own_gender, own_disability in found:
        answers = (
            (gender or "").strip() or (own_gender or "").strip(),
            (disability or "").strip() or (own_disability or "").strip(),
            (province or "").strip(),
            (district or "").strip(),
        )
        trainees.append(_Trainee(int(user_id), dict(zip(DIMENSIONS, answers, strict=True))))
    return trainees


# A figure's key, heading, and who it counts.
_Measure = tuple[str, str, Callable[[int], bool]]


def cohort_gesi(
    session: Session, cohort_id: int, *, today: date | None = None, language: str | None = None
) -> GesiReport:
    """The cohort's figures split by each dimension. Groups are the answers as written
    (letter case ignored); no answer is its own group, "Not stated". A milestone counts
    as finished by the journey map's rule (`learning.progress`); attendance is being
    present on at least one convening day; mentoring, at least one logged session;
    outreach, at least one item approved for the showcase; a pitch, one submitted and
    not withdrawn (its owner and confirmed team)."""
    grid = progress.cohort_progress(session, cohort_id, today=today, language=language)
    trainees = _trainees(session, cohort_id)
    finished: list[set[int]] = [
        {r.user_id for r in grid.rows if r.cells[i].status == DONE}
        for i in range(len(grid.milestones))
    ]
    attended = {r.user_id for r in grid.rows if r.attendance.present > 0}
    mentored = _people_with_mentoring(session, cohort_id)
    published = _people_with_outreach(session, cohort_id)
    pitched, awarded = _summit_people(session, cohort_id)

    measures: list[_Measure] = [("enrolled", _("Enrolled"), lambda _u: True)]
    for i, milestone in enumerate(grid.milestones):
        done = finished[i]
        measures.append(
            (
                f"milestone-{milestone.position}",
                _("Finished milestone %(number)s", number=milestone.position),
                lambda u, done=done: u in done,  # type: ignore[misc]
            )
        )
    measures += [
        ("attended", _("Attended a convening"), lambda u: u in attended),
        ("mentored", _("Met their mentor"), lambda u: u in mentored),
        ("outreach", _("Published outreach"), lambda u: u in published),
        ("pitched", _("Pitched at the summit"), lambda u: u in pitched),
        ("awarded", _("Won an award"), lambda u: u in awarded),
    ]
    titles = dimension_titles()
    tables = [_table(dimension, titles[dimension], trainees, measures) for dimension in DIMENSIONS]
    return GesiReport(
        cohort_id=cohort_id,
        columns=[label for _key, label, _test in measures],
        tables=tables,
        trainee_count=len(trainees),
        column_keys=tuple(key for key, _label, _test in measures),
    )


def _table(
    dimension: str, title: str, trainees: Iterable[_Trainee], measures: list[_Measure]
) -> GesiTable:
    groups: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    everyone: list[int] = []
    for trainee in trainees:
        answer = trainee.groups[dimension]
        key = answer.casefold()
        labels.setdefault(key, answer)
        groups.setdefault(key, []).append(trainee.user_id)
        everyone.append(trainee.user_id)
    counts = {
        k: [sum(1 for u in people if test(u)) for _k, _l, test in measures]
        for k, people in groups.items()
    }
    totals = [sum(1 for u in everyone if test(u)) for _k, _l, test in measures]
    return _suppressed_table(dimension, title, labels, counts, totals)


def _suppressed_table(
    dimension: str,
    title: str,
    labels: Mapping[str, str],
    counts: Mapping[str, Sequence[int]],
    totals: Sequence[int],
    hidden_parts: Mapping[str, Sequence[bool]] | None = None,
    hidden_total_parts: Sequence[bool] | None = None,
) -> GesiTable:
    """One table's rows (named groups alphabetically, "Not stated" last) with the
    suppression rule applied; `hidden_parts` marks figures that must be hidden whatever
    their size (an academy's sum with a part hidden on a cohort's page)."""
    keys = sorted((k for k in counts if k), key=lambda k: (labels[k].casefold(), k))
    if "" in counts:
        keys.append("")
    cells = [list(counts[k]) for k in keys]
    forced = [list(hidden_parts[k]) for k in keys] if hidden_parts is not None else None
    total_forced = list(hidden_total_parts) if hidden_total_parts is not None else None
    hidden = suppress_columns(
        cells, totals, also_hidden=forced, hidden_totals=_total_hidden(totals, total_forced)
    )
    rows = [
        GesiRow(
            labels[k] or _("Not stated"),
            tuple(Figure(v, h) for v, h in zip(cells[i], hidden[i], strict=True)),
            not_stated=not k,
            key=k,
        )
        for i, k in enumerate(keys)
    ]
    total = GesiRow(
        _("All trainees"),
        tuple(
            Figure(v, h) for v, h in zip(totals, _total_hidden(totals, total_forced), strict=True)
        ),
    )
    return GesiTable(dimension, title, rows, total)


def _total_hidden(totals: Sequence[int], forced: Sequence[bool] | None) -> list[bool]:
    return [too_small(v) or bool(forced and forced[i]) for i, v in enumerate(totals)]


# --- an academy: the sum of its cohorts ------------------------------------------------
#
# What the rule guarantees. An academy's figure is the sum of the same figure on its
# cohorts' pages, so a naive sum would undo their suppression: with cohort A's hidden 3
# and cohort B's shown 10, an academy figure of 13 minus B's page gives A's 3 back. So an
# academy figure is shown only when every one of its parts is shown on its cohort's page
# (a group a cohort does not have is no part), and is hidden ("<5") otherwise; the same
# holds for the "All trainees" row. Then the small-group rule runs on the academy table
# itself (under 5 hidden, and one more figure in a column where a single hidden figure
# sits under a shown total). Hence:
#   1. every figure the academy page shows is a sum of figures the cohort pages show, and
#      which figures it hides follows from those pages alone; so the academy page tells
#      someone who can read its cohorts' pages nothing they could not work out from those
#      pages, whose own rule keeps each hidden figure from being worked out; and in
#      particular academy minus the other cohorts never gives back a hidden cohort figure;
#   2. read alone (a donor's PDF), the academy page keeps the cohort page's promise: no
#      figure under 5 is shown, and no column has a single hidden figure under a shown
#      total.
# The price: small groups that would reach 5 only when pooled across cohorts (3 + 3
# trainees with a disability) stay hidden on the academy page too. Only people who may
# read every cohort's page may read the academy's (see gesi_routes), so the academy page
# never shows anyone figures of a cohort they hold no role in.


def academy_cohorts(session: Session, academy_id: int) -> list[Cohort]:
    """Every cohort of the academy, archived ones included (their figures still count),
    oldest first."""
    return list(
        session.exec(
            select(Cohort)
            .where(col(Cohort.academy_id) == academy_id)
            .order_by(col(Cohort.starts_on), col(Cohort.id))
        ).all()
    )


def academy_gesi(
    session: Session,
    academy_id: int,
    cohort_ids: Sequence[int] | None = None,
    *,
    today: date | None = None,
    language: str | None = None,
) -> GesiReport:
    """The academy's figures: each cohort's figures (`cohort_gesi`, the same rules) summed,
    then suppressed as described above. A person enrolled in two of its cohorts counts
    once in each. `cohort_ids` are the academy's cohorts when the caller has them."""
    if cohort_ids is None:
        cohort_ids = [c.id or 0 for c in academy_cohorts(session, academy_id)]
    reports = [
        cohort_gesi(session, cohort_id, today=today, language=language) for cohort_id in cohort_ids
    ]
    return combine(reports, academy_id=academy_id)


def combine(reports: Sequence[GesiReport], *, academy_id: int | None = None) -> GesiReport:
    """Cohort reports summed into one, suppressed so that no hidden cohort figure can be
    worked out from the sum (see the comment above)."""
    reports = [r for r in reports if r.trainee_count]  # an empty cohort has no figures
    headings: dict[str, str] = {}
    for report in reports:
        for key, heading in zip(report.column_keys, report.columns, strict=True):
            headings.setdefault(key, heading)
    keys = sorted(headings, key=_column_order)
    titles = dimension_titles()
    tables = []
    for dimension in DIMENSIONS:
        labels: dict[str, str] = {}
        counts: dict[str, list[int]] = {}
        hidden: dict[str, list[bool]] = {}
        totals = [0] * len(keys)
        hidden_totals = [False] * len(keys)
        for report in reports:
            where = {key: i for i, key in enumerate(report.column_keys)}
            table = next(t for t in report.tables if t.dimension == dimension)
            for row in table.rows:
                labels.setdefault(row.key, "" if row.not_stated else row.label)
                sums = counts.setdefault(row.key, [0] * len(keys))
                forced = hidden.setdefault(row.key, [False] * len(keys))
                for c, key in enumerate(keys):
                    if key in where:
                        figure = row.figures[where[key]]
                        sums[c] += figure.value
                        forced[c] = forced[c] or figure.hidden
            for c, key in enumerate(keys):
                if key in where:
                    figure = table.total.figures[where[key]]
                    totals[c] += figure.value
                    hidden_totals[c] = hidden_totals[c] or figure.hidden
        tables.append(
            _suppressed_table(
                dimension, titles[dimension], labels, counts, totals, hidden, hidden_totals
            )
        )
    return GesiReport(
        cohort_id=None,
        columns=[headings[k] for k in keys],
        tables=tables,
        trainee_count=sum(r.trainee_count for r in reports),
        column_keys=tuple(keys),
        academy_id=academy_id,
    )


_FIRST = ("enrolled",)
_LAST = ("attended", "mentored", "outreach", "pitched", "awarded")


def _column_order(key: str) -> tuple[int, int]:
    """Enrolled, the milestones in order, then the rest in the cohort page's order."""
    if key in _FIRST:
        return (0, 0)
    if key.startswith("milestone-"):
        return (1, int(key.removeprefix("milestone-")))
    return (2, _LAST.index(key) if key in _LAST else len(_LAST))
