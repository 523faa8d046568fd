"""Feedback surveys read together: a cohort's surveys, each survey's results (per
statement distributions and averages, the trend across the cohort's surveys, free-text
comments without names), filtered by learning circle or GESI group, and the trainers'
"you said, we did" responses.

Anonymity is the rule every figure obeys (`MIN_GROUP`):
- nothing is shown for fewer than five respondents, not even their number;
- a filter shows one group of one dimension (circle, gender or disability) at a time,
  and a dimension can be used only when *every* group of it, "none stated" included,
  has at least five respondents. Otherwise subtracting the shown groups from the whole
  (all minus circle A minus circle B...) would reveal a small group's answers;
- comments are listed for the whole cohort only, never per group, since intersecting
  two comment lists would place a comment in a small group; they are sorted by their
  text, never by time, so the order says nothing about who wrote them.
Names never leave this module: answers are read without their authors."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Cohort, Convening, LearningCircle, Membership, Role
from iil_lms.curriculum.models import CurriculumVersion, Exercise, Milestone, Module, PlanItem
from iil_lms.i18n import N_
from iil_lms.i18n import gettext as _
from iil_lms.learning.answers import LIKERT
from iil_lms.learning.models import Submission, newest_version_only
from iil_lms.learning.survey_replies import MAX_REPLY, SurveyReply, replies_to
from iil_lms.notifications.service import notify

MIN_GROUP = 5
DIMENSIONS = ("circle", "gender", "disability")
DIMENSION_LABELS = {
    "circle": N_("Learning circle"),
    "gender": N_("Gender"),
    "disability": N_("Disability"),
}
# "circle:12", "gender:female", "disability:yes": one group of one dimension.
GROUP_PATTERN = r"^(circle|gender|disability):[^\x00-\x1f]{1,40}$"
_NOT_STATED = ""


class SurveyNotFound(LookupError):
    """Not a survey of this cohort's plan (a 404)."""


class ReplyInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class SurveyInfo:
    exercise_id: int
    title: str
    milestone_position: int
    milestone_title: str
    module_position: int
    convening_title: str
    statements: list[str]
    questions: list[str]
    respondents: int

    @property
    def shown(self) -> bool:
        return self.respondents >= MIN_GROUP


@dataclass(frozen=True)
class Group:
    dimension: str
    value: str
    label: str

    @property
    def key(self) -> str:
        return f"{self.dimension}:{self.value}"


@dataclass
class StatementResult:
    text: str
    counts: list[int]
    answered: int
    average: float | None

    @property
    def percents(self) -> list[int]:
        """Whole percents per rating that add up to 100 (largest remainder)."""
        if not self.answered:
            return [0 for _ in self.counts]
        exact = [100 * c / self.answered for c in self.counts]
        floors = [int(x) for x in exact]
        order = sorted(range(len(exact)), key=lambda i: floors[i] - exact[i])
        for i in order[: 100 - sum(floors)]:
            floors[i] += 1
        return floors


@dataclass
class TrendPoint:
    survey: SurveyInfo
    average: float | None  # None: hidden (fewer than five) or not asked
    current: bool


@dataclass
class StatementTrend:
    text: str
    points: list[TrendPoint]


@dataclass
class SurveyResults:
    cohort: Cohort
    survey: SurveyInfo
    group: Group | None
    groups: dict[str, list[Group]]
    # Why nothing is shown ("" when figures are shown).
    hidden: str = ""
    respondents: int = 0
    statements: list[StatementResult] = field(default_factory=list)
    overall_trend: list[TrendPoint] = field(default_factory=list)
    statement_trends: list[StatementTrend] = field(default_factory=list)
    # Per free-text question: its comments (text, how many wrote exactly that), or None
    # when they are not shown.
    comments: list[tuple[str, list[tuple[str, int]] | None]] = field(default_factory=list)
    replies: list[SurveyReply] = field(default_factory=list)


# --- which surveys --------------------------------------------------------------------


def survey_rows(session: Session, cohort: Cohort) -> list[tuple[Exercise, Module, Milestone]]:
    """The survey exercises in the cohort's plan (cohort-wide or for any circle), in
    curriculum order (two queries)."""
    if cohort.curriculum_version_id is None:
        return []
    planned = set(
        session.exec(
            select(PlanItem.module_id).where(
                PlanItem.cohort_id == cohort.id, col(PlanItem.removed).is_(False)
            )
        ).all()
    )
    if not planned:
        return []
    rows = session.exec(
        select(Exercise, Module, Milestone)
        .join(Module, col(Module.id) == Exercise.module_id)
        .join(Milestone, col(Milestone.id) == Module.milestone_id)
        .join(CurriculumVersion, col(CurriculumVersion.curriculum_id) == Milestone.curriculum_id)
        .where(
            col(CurriculumVersion.id) == cohort.curriculum_version_id,
            Exercise.type == "survey",
            col(Module.id).in_(planned),
        )
        .order_by(
            col(Milestone.position), col(Module.position), col(Exercise.position), col(Exercise.id)
        )
    ).all()
    return list(rows)


def _convening_by_module(session: Session, cohort_id: int) -> dict[int, str]:
    found: dict[int, str] = {}
    for title, module_ids in session.exec(
        select(Convening.title, Convening.module_ids)
        .where(Convening.cohort_id == cohort_id)
        .order_by(col(Convening.starts_on))
    ).all():
        for module_id in module_ids or []:
            found.setdefault(int(module_id), title)
    return found


def _respondent_filter(cohort_id: int) -> Any:
    """Newest versions by trainees of the cohort (withdrawn ones too: answers keep)."""
    return (
        col(Submission.cohort_id) == cohort_id,
        col(Membership.cohort_id) == cohort_id,
        col(Membership.role) == Role.TRAINEE.value,
        newest_version_only(),
    )


def cohort_surveys(session: Session, cohort: Cohort) -> list[SurveyInfo]:
    """The cohort's surveys with how many trainees answered each (four queries)."""
    assert cohort.id is not None
    rows = survey_rows(session, cohort)
    ids = [e.id for e, _m, _ms in rows if e.id is not None]
    counts: dict[int, int] = {}
    if ids:
        counts = {
            int(exercise_id): int(n)
            for exercise_id, n in session.execute(
                sa_select(
                    col(Submission.exercise_id), func.count(func.distinct(Submission.user_id))
                )
                .join(Membership, col(Membership.user_id) == Submission.user_id)
                .where(col(Submission.exercise_id).in_(ids), *_respondent_filter(cohort.id))
                .group_by(col(Submission.exercise_id))
            ).all()
        }
    convenings = _convening_by_module(session, cohort.id)
    return [_info(e, m, ms, convenings, counts.get(e.id or 0, 0)) for e, m, ms in rows]


def _info(
    exercise: Exercise,
    module: Module,
    milestone: Milestone,
    convenings: dict[int, str],
    respondents: int,
) -> SurveyInfo:
    spec = exercise.spec or {}
    return SurveyInfo(
        exercise_id=exercise.id or 0,
        title=exercise.title,
        milestone_position=milestone.position,
        milestone_title=milestone.title,
        module_position=module.position,
        convening_title=convenings.get(module.id or 0, ""),
        statements=[str(s) for s in spec.get("statements") or []],
        questions=[str(q) for q in spec.get("questions") or []],
        respondents=respondents,
    )


# --- groups and the anonymity rule ----------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    exercise_id: int
    ratings: list[int | None]
    texts: list[str]
    cells: dict[str, str]  # dimension -> group value ("" = none stated / no circle)


def parse_group(value: str | None) -> tuple[str, str] | None:
    """("circle", "12") from "circle:12"; None for no filter (an invalid value is refused
    at the edge by GROUP_PATTERN)."""
    if not value or ":" not in value:
        return None
    dimension, _sep, rest = value.partition(":")
    return (dimension, rest) if dimension in DIMENSIONS and rest else None


def _norm(value: str | None) -> str:
    return " ".join((value or "").split())[:40]


def dimension_visible(answers: list[_Answer], dimension: str) -> bool:
    """A dimension may split these answers only when every one of its groups, the
    "none stated" one included, holds at least MIN_GROUP respondents, so no union or
    difference of shown groups can isolate fewer than MIN_GROUP people."""
    sizes: dict[str, int] = {}
    for answer in answers:
        cell = answer.cells[dimension]
        sizes[cell] = sizes.get(cell, 0) + 1
    return bool(sizes) and min(sizes.values()) >= MIN_GROUP


def _visible_subset(answers: list[_Answer], group: tuple[str, str] | None) -> list[_Answer] | None:
    """The answers a figure may be drawn from, or None when it must be hidden."""
    if len(answers) < MIN_GROUP:
        return None
    if group is None:
        return answers
    dimension, value = group
    if not dimension_visible(answers, dimension):
        return None
    chosen = [a for a in answers if a.cells[dimension] == value]
    return chosen if len(chosen) >= MIN_GROUP else None


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _statement(text: str, index: int, answers: list[_Answer]) -> StatementResult:
    counts = [0 for _ in LIKERT]
    given: list[int] = []
    for answer in answers:
        rating = answer.ratings[index] if index < len(answer.ratings) else None
        if isinstance(rating, int) and rating in LIKERT:
            counts[rating - 1] += 1
            given.append(rating)
    return StatementResult(text, counts, len(given), _average(given))


def _grouped(texts: Iterable[str]) -> list[tuple[str, int]]:
    """Non-empty comments with how many wrote exactly the same, sorted by their text
    (never by time: the order must not hint at who wrote what)."""
    counts: dict[str, int] = {}
    for text in texts:
        cleaned = text.strip()
        if cleaned:
            counts[cleaned] = counts.get(cleaned, 0) + 1
    return sorted(counts.items(), key=lambda item: (item[0].casefold(), item[0]))


@functools.lru_cache(maxsize=4096)
def _same(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


# Parsed answers by database, submission id and time sent. A submission is a frozen
# version (a change is a new row), so its parse never goes stale; the cache spares the
# JSON decoding of every answer on every view of a results page (bench:
# survey_results_vs_hello). The database and time in the key keep a recreated database
# (tests) from meeting another's rows under the same ids.
_PARSED: dict[tuple[str, int, Any], tuple[list[int | None], list[str]]] = {}
_PARSED_MAX = 200_000


def _parse(content: dict[str, Any] | None) -> tuple[list[int | None], list[str]]:
    content = content or {}
    ratings = [r if isinstance(r, int) else None for r in content.get("ratings") or []]
    return ratings, [str(t) for t in content.get("answers") or []]


def _answers(session: Session, cohort_id: int, exercise_ids: list[int]) -> list[_Answer]:
    """Every respondent's newest answer to these surveys with their groups, and no name
    (two queries: who answered, then the content of answers not parsed before). GESI
    values come from the cohort's roster, else from what the person declared in their
    account."""
    if not exercise_ids:
        return []
    rows = session.execute(
        sa_select(
            col(Submission.id),
            col(Submission.submitted_at),
            col(Submission.exercise_id),
            col(Membership.circle_id),
            func.coalesce(func.nullif(col(Membership.gender), ""), col(User.gender), ""),
            func.coalesce(func.nullif(col(Membership.disability), ""), col(User.disability), ""),
        )
        .join(Membership, col(Membership.user_id) == Submission.user_id)
        .join(User, col(User.id) == Submission.user_id)
        .where(col(Submission.exercise_id).in_(exercise_ids), *_respondent_filter(cohort_id))
    ).all()
    where = str(session.get_bind().engine.url)
    missing = [int(r[0]) for r in rows if (where, r[0], r[1]) not in _PARSED]
    # Always sent (an empty list matches nothing), so the statement count stays fixed.
    parsed = {
        int(sid): _parse(content)
        for sid, content in session.execute(
            sa_select(col(Submission.id), col(Submission.content)).where(
                col(Submission.id).in_(missing)
            )
        ).all()
    }
    if len(_PARSED) + len(parsed) > _PARSED_MAX:
        _PARSED.clear()
    found: list[_Answer] = []
    for sid, sent, exercise_id, circle_id, gender, disability in rows:
        key = (where, sid, sent)
        if sid in parsed:
            _PARSED[key] = parsed[sid]
        ratings, texts = _PARSED.get(key, ([], []))
        cells = {
            "circle": str(circle_id) if circle_id is not None else _NOT_STATED,
            "gender": _norm(gender),
            "disability": _norm(disability),
        }
        found.append(_Answer(int(exercise_id), ratings, texts, cells))
    return found


def _groups(session: Session, cohort_id: int, answers: list[_Answer]) -> dict[str, list[Group]]:
    """The groups a filter can pick, per dimension: the cohort's circles, and the GESI
    values trainees declared (one query)."""
    circles = [
        Group("circle", str(cid), name)
        for cid, name in session.exec(
            select(LearningCircle.id, LearningCircle.name)
            .where(LearningCircle.cohort_id == cohort_id)
            .order_by(col(LearningCircle.name))
        ).all()
    ]
    found: dict[str, list[Group]] = {"circle": circles}
    for dimension in ("gender", "disability"):
        values = sorted({a.cells[dimension] for a in answers} - {_NOT_STATED})
        found[dimension] = [Group(dimension, v, v) for v in values]
    return found


def survey_results(
    session: Session, cohort: Cohort, exercise_id: int, group: str | None = None
) -> SurveyResults:
    """One survey's results for the cohort (or one group of it), as the anonymity rule
    allows, with the trend of its statements across the cohort's surveys and the
    "you said, we did" responses. A fixed number of queries (seven), whatever the
    number of respondents."""
    assert cohort.id is not None
    rows = survey_rows(session, cohort)
    convenings = _convening_by_module(session, cohort.id)
    ids = [e.id for e, _m, _ms in rows if e.id is not None]
    if exercise_id not in ids:
        raise SurveyNotFound(exercise_id)
    answers = _answers(session, cohort.id, ids)
    by_survey: dict[int, list[_Answer]] = {i: [] for i in ids}
    for answer in answers:
        by_survey[answer.exercise_id].append(answer)
    surveys = [_info(e, m, ms, convenings, len(by_survey[e.id or 0])) for e, m, ms in rows]
    survey = next(s for s in surveys if s.exercise_id == exercise_id)
    groups = _groups(session, cohort.id, by_survey[exercise_id])
    chosen = parse_group(group)
    picked: Group | None = None
    if chosen is not None:
        picked = next(
            (g for g in groups.get(chosen[0], []) if g.value == chosen[1]),
            Group(chosen[0], chosen[1], chosen[1]),
        )
    results = SurveyResults(
        cohort, survey, picked, groups, replies=replies_to(session, cohort.id, exercise_id)
    )
    mine = by_survey[exercise_id]
    subset = _visible_subset(mine, chosen)
    if subset is None:
        results.hidden = (
            _("Fewer than 5 answers: hidden to protect anonymity.")
            if len(mine) < MIN_GROUP or chosen is None
            else _(
                "Fewer than 5 answers in this group or in another group of the same kind: "
                "hidden to protect anonymity."
            )
        )
    else:
        results.respondents = len(subset)
        results.statements = [_statement(t, i, subset) for i, t in enumerate(survey.statements)]
        if chosen is None:
            results.comments = [
                (q, _grouped(a.texts[i] for a in subset if i < len(a.texts)))
                for i, q in enumerate(survey.questions)
            ]
    if not results.comments:
        results.comments = [(q, None) for q in survey.questions]
    for other in surveys:
        part = _visible_subset(by_survey[other.exercise_id], chosen)
        values = [r for a in part or [] for r in a.ratings if isinstance(r, int)]
        results.overall_trend.append(
            TrendPoint(other, _average(values), other.exercise_id == exercise_id)
        )
    if subset is not None:
        for text in survey.statements:
            points: list[TrendPoint] = []
            for other in surveys:
                match = next(
                    (i for i, t in enumerate(other.statements) if _same(t) == _same(text)), None
                )
                if match is None:
                    continue
                part = _visible_subset(by_survey[other.exercise_id], chosen)
                average = _statement(text, match, part).average if part is not None else None
                points.append(TrendPoint(other, average, other.exercise_id == exercise_id))
            if len(points) > 1:
                results.statement_trends.append(StatementTrend(text, points))
    return results


# --- what the results are computed from -----------------------------------------------


def _fingerprint_statement() -> Any:
    """Everything `survey_results` reads, as one row of scalar subqueries, built once:
    the cohort's newest submission (an answer, or a new version of one: submissions are
    never deleted), its trainees (count, newest, withdrawals, circles), its plan (which
    surveys), its convenings (their titles name the surveys), its circles and the
    curriculum version. Each reads an index or a few rows, whatever the number of
    answers. Edits to a person's GESI fields, a circle's or a convening's name are
    not in it: the results cache is cleared when such a row is flushed."""
    cohort_id: Any = bindparam("cohort_id")
    in_cohort = {
        Submission: col(Submission.cohort_id) == cohort_id,
        Membership: col(Membership.cohort_id) == cohort_id,
        PlanItem: col(PlanItem.cohort_id) == cohort_id,
        Convening: col(Convening.cohort_id) == cohort_id,
        LearningCircle: col(LearningCircle.cohort_id) == cohort_id,
    }
    aggregates: list[tuple[Any, Any]] = [
        (Submission, func.max(col(Submission.id))),
        (Membership, func.count()),
        (Membership, func.max(col(Membership.id))),
        (Membership, func.max(col(Membership.withdrawn_at))),
        (Membership, func.sum(func.coalesce(col(Membership.circle_id), 0) * col(Membership.id))),
        (PlanItem, func.count()),
        (PlanItem, func.max(col(PlanItem.id))),
        (PlanItem, func.sum(case((col(PlanItem.removed), col(PlanItem.id)), else_=0))),
        (Convening, func.count()),
        (Convening, func.max(col(Convening.id))),
        (LearningCircle, func.count()),
        (LearningCircle, func.max(col(LearningCircle.id))),
    ]
    columns = [
        sa_select(aggregate).where(in_cohort[model]).scalar_subquery()
        for model, aggregate in aggregates
    ]
    newest_version = sa_select(func.max(col(CurriculumVersion.id))).scalar_subquery()
    return sa_select(*columns, newest_version)


_FINGERPRINT = _fingerprint_statement()


def results_fingerprint(session: Session, cohort_id: int) -> tuple[Any, ...]:
    """A value that changes whenever the cohort's survey results may change (one query);
    the "you said, we did" replies are read apart, every time."""
    return tuple(session.connection().execute(_FINGERPRINT, {"cohort_id": cohort_id}).one())


# --- you said, we did -----------------------------------------------------------------


def add_reply(
    session: Session, cohort: Cohort, exercise_id: int, *, author_id: int, body: str
) -> SurveyReply:
    """A trainer's "you said, we did" response to a survey of the cohort's plan, shown
    beside the survey in the journey; every trainee of the cohort is told (in the app
    and by email, as each chose)."""
    assert cohort.id is not None
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise ReplyInvalid({"body": _("Write what the programme will do about it.")})
    if len(text) > MAX_REPLY:
        raise ReplyInvalid(
            {
                "body": _(
                    "Keep it under %(n)s characters (this one has %(m)s).",
                    n=MAX_REPLY,
                    m=len(text),
                )
            }
        )
    found = next((e for e, _m, _ms in survey_rows(session, cohort) if e.id == exercise_id), None)
    if found is None:
        raise SurveyNotFound(exercise_id)
    reply = SurveyReply(
        cohort_id=cohort.id, exercise_id=exercise_id, author_id=author_id, body=text
    )
    session.add(reply)
    session.flush()
    trainees = session.exec(
        select(Membership.user_id).where(
            Membership.cohort_id == cohort.id,
            Membership.role == Role.TRAINEE.value,
            col(Membership.withdrawn_at).is_(None),
        )
    ).all()
    notify(
        session,
        user_ids=list(trainees),
        kind="you_said",
        actor_id=author_id,
        link=f"/journey/exercises/{exercise_id}#you-said",
        params={"survey": found.title},
        dedupe_key=f"you_said:{reply.id}",
    )
    return reply
