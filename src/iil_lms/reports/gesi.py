"""Gender and social inclusion (GESI) figures of a cohort: how many trainees of each
self-declared group enrolled, finished each milestone, attended a convening, met their
mentor, published outreach, pitched at the summit and won an award. Every figure counts
people and goes through the small-group suppression rule (`reports.suppression`); the
whole report takes a fixed number of queries whatever the cohort's size."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Membership, Role
from iil_lms.i18n import gettext as _
from iil_lms.learning import progress
from iil_lms.learning.journey import DONE
from iil_lms.mentoring.models import MentoringLogEntry
from iil_lms.outreach.models import OutreachItem, OutreachStatus
from iil_lms.reports.suppression import suppress_columns
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


@dataclass(frozen=True)
class GesiTable:
    dimension: str
    title: str
    rows: list[GesiRow]
    total: GesiRow


@dataclass(frozen=True)
class GesiReport:
    cohort_id: int
    columns: list[str]  # the figures' headings, in order
    tables: list[GesiTable]
    trainee_count: int


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

    measures: list[tuple[str, Callable[[int], bool]]] = [(_("Enrolled"), lambda _u: True)]
    for i, milestone in enumerate(grid.milestones):
        done = finished[i]
        measures.append(
            (
                _("Finished milestone %(number)s", number=milestone.position),
                lambda u, done=done: u in done,  # type: ignore[misc]
            )
        )
    measures += [
        (_("Attended a convening"), lambda u: u in attended),
        (_("Met their mentor"), lambda u: u in mentored),
        (_("Published outreach"), lambda u: u in published),
        (_("Pitched at the summit"), lambda u: u in pitched),
        (_("Won an award"), lambda u: u in awarded),
    ]
    titles = dimension_titles()
    tables = [_table(dimension, titles[dimension], trainees, measures) for dimension in DIMENSIONS]
    return GesiReport(
        cohort_id=cohort_id,
        columns=[label for label, _test in measures],
        tables=tables,
        trainee_count=len(trainees),
    )


def _table(
    dimension: str,
    title: str,
    trainees: Iterable[_Trainee],
    measures: list[tuple[str, Callable[[int], bool]]],
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
    # Named groups alphabetically, "Not stated" last.
    keys = sorted((k for k in groups if k), key=lambda k: labels[k].casefold())
    if "" in groups:
        keys.append("")
    counts = [[sum(1 for u in groups[k] if test(u)) for _label, test in measures] for k in keys]
    totals = [sum(1 for u in everyone if test(u)) for _label, test in measures]
    hidden = suppress_columns(counts, totals)
    rows = [
        GesiRow(
            labels[k] or _("Not stated"),
            tuple(Figure(v, h) for v, h in zip(counts[i], hidden[i], strict=True)),
            not_stated=not k,
        )
        for i, k in enumerate(keys)
    ]
    total_hidden = suppress_columns([totals], totals)[0]
    total = GesiRow(
        _("All trainees"),
        tuple(Figure(v, h) for v, h in zip(totals, total_hidden, strict=True)),
    )
    return GesiTable(dimension, title, rows, total)
