"""Judges and scores: a judge (an account or a guest) is invited to one room with a
personal, expiring link; through it they see only their room's pitches and score them
on the summit's rubric (1-5 with a note per criterion) while scoring is open. The
organisers see live results (averages, judge spread, ties by the tie-break rule picked
before scoring opened), record awards and publish the score record to the cohort."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import mean

from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.accounts.service import audit, user_by_email
from iil_lms.cohorts.models import Membership
from iil_lms.db import as_utc, utcnow
from iil_lms.i18n import gettext as _
from iil_lms.notifications.service import notify
from iil_lms.summit.models import (
    Pitch,
    PitchMember,
    PitchScore,
    PitchStatus,
    ScheduleSlot,
    ScoringState,
    Summit,
    SummitAward,
    SummitJudge,
    SummitRoom,
)
from iil_lms.summit.service import SummitError

SPREAD = "spread"  # the tie-break rule without a criterion: the smaller spread wins
LINK_DAYS_AFTER = 2  # a judge's link works until two days after the summit's last day
MAX_NOTE = 1000


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_judge(
    session: Session,
    summit: Summit,
    *,
    room_id: int,
    name: str,
    email: str = "",
    department: str = "",
    user_id: int | None = None,
) -> tuple[SummitJudge, str]:
    """A judge for one room, with a new personal link token (returned once; only its
    hash is kept). The link expires two days after the summit. A judge whose email
    belongs to an account is that account's judge: the schedule then keeps them away
    from their own mentees' pitches."""
    room = session.get(SummitRoom, room_id)
    errors: dict[str, str] = {}
    if room is None or room.summit_id != summit.id:
        errors["room_id"] = _("Choose one of the summit's rooms.")
    if not name.strip() or len(name) > 120:
        errors["judge_name"] = _("Name the judge (up to 120 characters).")
    if len(email) > 254:
        errors["email"] = _("That email address is too long.")
    if len(department) > 200:
        errors["department"] = _("Keep the department under %(count)s characters.", count=200)
    if errors:
        raise SummitError(errors)
    if user_id is None and email.strip():
        account = user_by_email(session, email.strip())
        user_id = account.id if account is not None else None
    token = secrets.token_urlsafe(24)
    judge = SummitJudge(
        summit_id=summit.id or 0,
        room_id=room_id,
        user_id=user_id,
        name=name.strip(),
        email=email.strip(),
        department=department.strip(),
        token_hash=_hash(token),
        expires_at=_link_expiry(summit),
    )
    session.add(judge)
    session.flush()
    return judge, token


def _link_expiry(summit: Summit) -> datetime:
    end = datetime.combine(summit.ends_on, datetime.min.time()).replace(tzinfo=utcnow().tzinfo)
    return end + timedelta(days=LINK_DAYS_AFTER)


def renew_link(session: Session, summit: Summit, judge_id: int) -> tuple[SummitJudge, str]:
    """A new link for a judge (the old one stops working)."""
    judge = session.get(SummitJudge, judge_id)
    if judge is None or judge.summit_id != summit.id:
        raise SummitError({"judge": _("That judge is not part of this summit.")})
    token = secrets.token_urlsafe(24)
    judge.token_hash = _hash(token)
    judge.expires_at = _link_expiry(summit)
    session.add(judge)
    return judge, token


def judge_by_token(session: Session, token: str) -> SummitJudge | None:
    """The judge of a live link; None when unknown or expired."""
    if not token or len(token) > 100:
        return None
    judge = session.exec(select(SummitJudge).where(SummitJudge.token_hash == _hash(token))).first()
    if judge is None or as_utc(judge.expires_at) <= utcnow():
        return None
    return judge


def judges_of(session: Session, summit_id: int) -> list[SummitJudge]:
    return list(
        session.exec(
            select(SummitJudge)
            .where(SummitJudge.summit_id == summit_id)
            .order_by(col(SummitJudge.room_id), col(SummitJudge.id))
        )
    )


@dataclass(frozen=True)
class RoomPitch:
    pitch: Pitch
    starts_at: datetime
    ends_at: datetime
    members: list[str]
    score: PitchScore | None


def room_pitches(session: Session, judge: SummitJudge) -> list[RoomPitch]:
    """The judge's room's scheduled pitches in time order, with their own scores."""
    rows = list(
        session.exec(
            select(Pitch, ScheduleSlot)
            .join(ScheduleSlot, col(ScheduleSlot.pitch_id) == col(Pitch.id))
            .where(ScheduleSlot.room_id == judge.room_id, Pitch.status == PitchStatus.SHORTLISTED)
            .order_by(col(ScheduleSlot.starts_at))
        )
    )
    ids = [pitch.id for pitch, _slot in rows]
    names: dict[int, list[str]] = defaultdict(list)
    for pitch_id, name in session.exec(
        select(PitchMember.pitch_id, User.display_name)
        .join(User, col(User.id) == col(PitchMember.user_id))
        .where(col(PitchMember.pitch_id).in_(ids))
        .order_by(col(PitchMember.id))
    ):
        names[pitch_id].append(name)
    scores = {
        s.pitch_id: s
        for s in session.exec(
            select(PitchScore).where(
                PitchScore.judge_id == judge.id, col(PitchScore.pitch_id).in_(ids)
            )
        )
    }
    return [
        RoomPitch(
            pitch, slot.starts_at, slot.ends_at, names[pitch.id or 0], scores.get(pitch.id or 0)
        )
        for pitch, slot in rows
    ]


def save_score(
    session: Session,
    summit: Summit,
    judge: SummitJudge,
    *,
    pitch_id: int,
    scores: dict[str, int | None],
    notes: dict[str, str],
) -> PitchScore:
    """A judge scores a pitch of their room on every criterion (1-5, a note each),
    while scoring is open; saving again replaces their scores."""
    if summit.scoring != ScoringState.OPEN:
        raise SummitError({"scores": _("Scoring is not open.")})
    in_room = session.exec(
        select(ScheduleSlot.id).where(
            ScheduleSlot.pitch_id == pitch_id, ScheduleSlot.room_id == judge.room_id
        )
    ).first()
    if in_room is None:
        raise SummitError({"scores": _("That pitch is not in your room.")})
    errors: dict[str, str] = {}
    for index, criterion in enumerate(summit.rubric):
        value = scores.get(criterion)
        if value is None or not 1 <= value <= 5:
            errors[f"score_{index}"] = _(
                "Give %(criterion)s a score from 1 to 5.", criterion=criterion
            )
        if len(notes.get(criterion, "")) > MAX_NOTE:
            errors[f"note_{index}"] = _("Keep the note under %(count)s characters.", count=MAX_NOTE)
    if errors:
        raise SummitError(errors)
    row = session.exec(
        select(PitchScore).where(PitchScore.judge_id == judge.id, PitchScore.pitch_id == pitch_id)
    ).first() or PitchScore(summit_id=summit.id or 0, judge_id=judge.id or 0, pitch_id=pitch_id)
    row.scores = {c: int(scores[c] or 0) for c in summit.rubric}
    row.notes = {c: notes.get(c, "").strip() for c in summit.rubric if notes.get(c, "").strip()}
    row.updated_at = utcnow()
    session.add(row)
    return row


def tie_break_options(summit: Summit) -> list[str]:
    return [*summit.rubric, SPREAD]


MAX_CRITERIA = 8
CRITERION_LIMIT = 80


def set_rubric(session: Session, summit: Summit, *, text: str, actor_id: int) -> None:
    """The summit's own rubric, one criterion a line (1 to 8, each up to 80 characters,
    no two alike), set before scoring opens and fixed after, since scores are kept by
    criterion. A tie-break on a criterion that is gone falls back to the spread."""
    if summit.scoring != ScoringState.NOT_OPEN:
        raise SummitError({"rubric": _("The rubric is fixed once scoring opens.")})
    criteria = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    errors: dict[str, str] = {}
    if not 1 <= len(criteria) <= MAX_CRITERIA:
        errors["rubric"] = _(
            "Give the rubric between 1 and %(count)s criteria, one a line.", count=MAX_CRITERIA
        )
    elif long := [c for c in criteria if len(c) > CRITERION_LIMIT]:
        errors["rubric"] = _(
            "Keep each criterion under %(count)s characters: %(criterion)s",
            count=CRITERION_LIMIT,
            criterion=long[0][:CRITERION_LIMIT] + "…",
        )
    elif len({c.casefold() for c in criteria}) != len(criteria) or SPREAD in criteria:
        errors["rubric"] = _("Name each criterion once.")
    if errors:
        raise SummitError(errors)
    summit.rubric = criteria
    if summit.tie_break not in tie_break_options(summit):
        summit.tie_break = SPREAD
    session.add(summit)
    audit(session, actor_id, "summit.rubric", f"summit:{summit.id}", " | ".join(criteria))


def set_tie_break(session: Session, summit: Summit, *, rule: str, actor_id: int) -> None:
    """The tie-break rule is picked before scoring opens and fixed after."""
    if summit.scoring != ScoringState.NOT_OPEN:
        raise SummitError({"tie_break": _("The tie-break rule is fixed once scoring opens.")})
    if rule not in tie_break_options(summit):
        raise SummitError({"tie_break": _("Choose a criterion or the smaller spread.")})
    summit.tie_break = rule
    session.add(summit)
    audit(session, actor_id, "summit.tie_break", f"summit:{summit.id}", rule)


def set_scoring(session: Session, summit: Summit, *, state: str, actor_id: int) -> None:
    """Open scoring (once a schedule exists) and close it; closing is final."""
    order = {ScoringState.NOT_OPEN: 0, ScoringState.OPEN: 1, ScoringState.CLOSED: 2}
    if state not in order or order[state] != order[summit.scoring] + 1:
        raise SummitError({"scoring": _("Scoring opens once and then closes.")})
    if state == ScoringState.OPEN:
        scheduled = session.exec(
            select(ScheduleSlot.id).where(ScheduleSlot.summit_id == summit.id)
        ).first()
        if scheduled is None:
            raise SummitError({"scoring": _("Build the schedule before scoring opens.")})
        if not summit.tie_break:
            raise SummitError({"scoring": _("Pick the tie-break rule first.")})
    summit.scoring = state
    session.add(summit)
    audit(session, actor_id, f"summit.scoring.{state}", f"summit:{summit.id}")


@dataclass
class ResultRow:
    pitch_id: int
    title: str
    room: str
    members: list[str]
    judges: int
    average: float | None  # mean over judges of each judge's mean over criteria
    criteria: dict[str, float]  # mean per criterion
    spread: float  # highest minus lowest judge mean
    by_judge: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: dict[str, dict[str, str]] = field(default_factory=dict)
    rank: int = 0
    tied: bool = False  # equal average with another pitch
    tie_broken: bool = True  # the rule separated them
    awards: list[str] = field(default_factory=list)


def results(session: Session, summit: Summit) -> list[ResultRow]:
    """Every scheduled pitch with its scores: ranked by average, ties flagged and broken
    by the summit's rule (a criterion's average, then the smaller spread). Five queries."""
    summit_id = summit.id or 0
    rows = list(
        session.exec(
            select(Pitch, SummitRoom.name)
            .join(ScheduleSlot, col(ScheduleSlot.pitch_id) == col(Pitch.id))
            .join(SummitRoom, col(SummitRoom.id) == col(ScheduleSlot.room_id))
            .where(Pitch.summit_id == summit_id)
            .order_by(col(SummitRoom.id), col(ScheduleSlot.starts_at))
        )
    )
    judges = {j.id: j.name for j in judges_of(session, summit_id)}
    scores: dict[int, list[PitchScore]] = defaultdict(list)
    for score in session.exec(select(PitchScore).where(PitchScore.summit_id == summit_id)):
        scores[score.pitch_id].append(score)
    names: dict[int, list[str]] = defaultdict(list)
    for pitch_id, name in session.exec(
        select(PitchMember.pitch_id, User.display_name)
        .join(User, col(User.id) == col(PitchMember.user_id))
        .join(Pitch, col(Pitch.id) == col(PitchMember.pitch_id))
        .where(Pitch.summit_id == summit_id)
        .order_by(col(PitchMember.id))
    ):
        names[pitch_id].append(name)
    awards: dict[int, list[str]] = defaultdict(list)
    for award in session.exec(select(SummitAward).where(SummitAward.summit_id == summit_id)):
        awards[award.pitch_id].append(award.name)
    out: list[ResultRow] = []
    for pitch, room in rows:
        theirs = scores.get(pitch.id or 0, [])
        judge_means = [mean(s.scores.values()) for s in theirs if s.scores]
        criteria = {
            c: round(mean(s.scores[c] for s in theirs if c in s.scores), 2)
            for c in summit.rubric
            if any(c in s.scores for s in theirs)
        }
        out.append(
            ResultRow(
                pitch_id=pitch.id or 0,
                title=pitch.title,
                room=room,
                members=names[pitch.id or 0],
                judges=len(judge_means),
                average=round(mean(judge_means), 2) if judge_means else None,
                criteria=criteria,
                spread=round(max(judge_means) - min(judge_means), 2) if judge_means else 0.0,
                by_judge={judges.get(s.judge_id, "?"): dict(s.scores) for s in theirs},
                notes={judges.get(s.judge_id, "?"): dict(s.notes) for s in theirs if s.notes},
                awards=awards[pitch.id or 0],
            )
        )
    return rank(out, summit.tie_break)


def rank(rows: list[ResultRow], rule: str) -> list[ResultRow]:
    """Order by average (unscored last); equal averages are ties, broken by the rule:
    the higher average on the named criterion, then the smaller spread. A tie the rule
    cannot break stays flagged."""

    def key(row: ResultRow) -> tuple[float, float, float]:
        criterion = row.criteria.get(rule, 0.0) if rule != SPREAD else 0.0
        return (-(row.average or -1.0), -criterion, row.spread)

    ordered = sorted(rows, key=key)
    by_average: dict[float | None, list[ResultRow]] = defaultdict(list)
    for row in ordered:
        by_average[row.average].append(row)
    for group in by_average.values():
        if len(group) > 1 and group[0].average is not None:
            keys = [key(r) for r in group]
            for row, k in zip(group, keys, strict=True):
                row.tied = True
                row.tie_broken = keys.count(k) == 1
    for position, row in enumerate(ordered, start=1):
        row.rank = position if row.average is not None else 0
    return ordered


def record_award(
    session: Session, summit: Summit, *, pitch_id: int, name: str, actor_id: int
) -> None:
    name = name.strip()
    pitch = session.get(Pitch, pitch_id)
    if pitch is None or pitch.summit_id != summit.id or pitch.status != PitchStatus.SHORTLISTED:
        raise SummitError({"award": _("Choose a pitch heard at the summit.")})
    if not name or len(name) > 120:
        raise SummitError({"award": _("Name the award (up to 120 characters).")})
    session.add(SummitAward(summit_id=summit.id or 0, pitch_id=pitch_id, name=name))
    audit(session, actor_id, "summit.award", f"pitch:{pitch_id}", name)


def publish(session: Session, summit: Summit, *, actor_id: int) -> None:
    """Publish the score record to the cohort, once scoring is closed."""
    if summit.scoring != ScoringState.CLOSED:
        raise SummitError({"publish": _("Close scoring before publishing the scores.")})
    summit.published_at = utcnow()
    session.add(summit)
    audit(session, actor_id, "summit.publish", f"summit:{summit.id}")
    notify(
        session,
        user_ids=session.exec(
            select(Membership.user_id).where(
                Membership.cohort_id == summit.cohort_id, col(Membership.withdrawn_at).is_(None)
            )
        ).all(),
        kind="summit",
        actor_id=actor_id,
        link=f"/summits/{summit.id}/record.pdf",
        params={"message": "summit_published", "summit": summit.title},
        dedupe_key=f"summit-published:{summit.id}",
    )


def score_record_csv(summit: Summit, rows: list[ResultRow]) -> str:
    """Every judge's scores per pitch, the averages and the awards, one row per judge
    and pitch (a pitch without scores has one row)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "rank",
            "pitch",
            "room",
            "team",
            "judge",
            *summit.rubric,
            "average",
            "spread",
            "tie",
            "awards",
        ]
    )
    for row in rows:
        judges = list(row.by_judge.items()) or [("", {})]
        for judge, scores in judges:
            writer.writerow(
                [
                    row.rank or "",
                    _safe(row.title),
                    _safe(row.room),
                    _safe("; ".join(row.members)),
                    _safe(judge),
                    *[scores.get(c, "") for c in summit.rubric],
                    "" if row.average is None else f"{row.average:.2f}",
                    f"{row.spread:.2f}",
                    "tie" if row.tied else "",
                    _safe("; ".join(row.awards)),
                ]
            )
    return out.getvalue()


def _safe(value: str) -> str:
    """A cell that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
