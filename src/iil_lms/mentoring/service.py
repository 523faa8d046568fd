"""Mentor assignment (by hand and balanced), mentees' preferences and feedback on their
mentors, and the mentoring log. Plain functions over a Session; routes stay thin."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.accounts.service import audit
from iil_lms.cohorts.models import LearningCircle, Membership, Role
from iil_lms.db import utcnow
from iil_lms.mentoring.matching import (
    MatchOptions,
    MatchResult,
    MentorFacts,
    TraineeFacts,
    match,
)
from iil_lms.mentoring.models import (
    LogMode,
    MenteePreference,
    MentorAssignment,
    MentorFeedback,
    MentoringLogEntry,
)
from iil_lms.notifications.service import notify
from iil_lms.web.i18n import gettext as _
from iil_lms.web.i18n import local_today

MAX_TEXT = 4000


class MentoringError(ValueError):
    """A user-facing reason a mentoring action was refused."""


# --- who mentors whom ------------------------------------------------------------------


def current_mentor_id(session: Session, cohort_id: int, trainee_id: int) -> int | None:
    return session.exec(
        select(MentorAssignment.mentor_id).where(
            MentorAssignment.cohort_id == cohort_id,
            MentorAssignment.trainee_id == trainee_id,
            col(MentorAssignment.ended_at).is_(None),
        )
    ).first()


def is_current_mentor(session: Session, cohort_id: int, mentor_id: int, trainee_id: int) -> bool:
    return current_mentor_id(session, cohort_id, trainee_id) == mentor_id


def mentee_ids(session: Session, cohort_id: int, mentor_id: int) -> list[int]:
    return list(
        session.exec(
            select(MentorAssignment.trainee_id).where(
                MentorAssignment.cohort_id == cohort_id,
                MentorAssignment.mentor_id == mentor_id,
                col(MentorAssignment.ended_at).is_(None),
            )
        ).all()
    )


@dataclass(frozen=True)
class RosterRow:
    trainee_id: int
    trainee_name: str
    circle_name: str
    department: str
    mentor_id: int | None
    mentor_name: str
    since: datetime | None


@dataclass(frozen=True)
class MentorRow:
    mentor_id: int
    name: str
    department: str
    load: int


@dataclass
class MentorRoster:
    trainees: list[RosterRow]
    mentors: list[MentorRow]

    @property
    def without_mentor(self) -> int:
        return sum(1 for row in self.trainees if row.mentor_id is None)


def mentor_roster(session: Session, cohort_id: int) -> MentorRoster:
    """The cohort's trainees with their circle, department and current mentor, and its
    mentors with their loads (three queries, whatever the cohort's size)."""
    trainees = session.exec(
        select(Membership.user_id, User.display_name, LearningCircle.name, Membership.department)
        .join(User, col(User.id) == Membership.user_id)
        .outerjoin(LearningCircle, col(LearningCircle.id) == Membership.circle_id)
        .where(Membership.cohort_id == cohort_id, Membership.role == Role.TRAINEE.value)
        .order_by(col(User.display_name), col(User.id))
    ).all()
    mentors = session.exec(
        select(Membership.user_id, User.display_name, Membership.department)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.cohort_id == cohort_id, Membership.role == Role.MENTOR.value)
        .order_by(col(User.display_name), col(User.id))
    ).all()
    open_rows = session.exec(
        select(
            MentorAssignment.trainee_id, MentorAssignment.mentor_id, MentorAssignment.assigned_at
        ).where(MentorAssignment.cohort_id == cohort_id, col(MentorAssignment.ended_at).is_(None))
    ).all()
    names = {user_id: name for user_id, name, _dept in mentors}
    current = {trainee_id: (mentor_id, since) for trainee_id, mentor_id, since in open_rows}
    loads: dict[int, int] = {}
    rows = []
    for user_id, name, circle, department in trainees:
        mentor_id, since = current.get(user_id, (None, None))
        if mentor_id is not None:
            loads[mentor_id] = loads.get(mentor_id, 0) + 1
        rows.append(
            RosterRow(
                trainee_id=user_id,
                trainee_name=name,
                circle_name=circle or "",
                department=department,
                mentor_id=mentor_id,
                mentor_name=names.get(mentor_id, "") if mentor_id is not None else "",
                since=since,
            )
        )
    return MentorRoster(
        trainees=rows,
        mentors=[
            MentorRow(mentor_id=u, name=n, department=d, load=loads.get(u, 0))
            for u, n, d in mentors
        ],
    )


def _role_members(
    session: Session, cohort_id: int, role: Role, user_ids: list[int]
) -> dict[int, Membership]:
    return {
        m.user_id: m
        for m in session.exec(
            select(Membership).where(
                Membership.cohort_id == cohort_id,
                Membership.role == role.value,
                col(Membership.user_id).in_(user_ids),
            )
        )
    }


def assign_mentor(
    session: Session,
    *,
    cohort_id: int,
    trainee_ids: list[int],
    mentor_id: int | None,
    actor_id: int,
) -> int:
    """Give each listed trainee `mentor_id`, or no mentor when it is None. Every trainee
    must be a trainee of the cohort and the mentor a mentor of it; a mentor is never
    given a trainee who reports to them (line manager on the roster). The previous
    assignment is ended, not deleted, so the history stays. Returns how many trainees
    changed; each change is in the audit log and told to the people concerned."""
    wanted = sorted(set(trainee_ids))
    if not wanted:
        raise MentoringError(_("Tick at least one trainee."))
    trainees = _role_members(session, cohort_id, Role.TRAINEE, wanted)
    if len(trainees) != len(wanted):
        raise MentoringError(_("Some of the people chosen are not trainees of this cohort."))
    mentor_name = ""
    if mentor_id is not None:
        if not _role_members(session, cohort_id, Role.MENTOR, [mentor_id]):
            raise MentoringError(_("Choose a mentor of this cohort."))
        mentor = session.get(User, mentor_id)
        mentor_name = mentor.display_name if mentor else ""
        reporting = [
            t for t in wanted if trainees[t].line_manager_id == mentor_id or t == mentor_id
        ]
        if reporting:
            names = _display_names(session, reporting)
            raise MentoringError(
                _(
                    "%(mentor)s is the line manager of %(names)s and cannot mentor them.",
                    mentor=mentor_name,
                    names=", ".join(names[t] for t in reporting),
                )
            )
    return _write_pairs(
        session,
        cohort_id=cohort_id,
        pairs={t: mentor_id for t in wanted},
        actor_id=actor_id,
        method="hand",
        mentor_names={mentor_id: mentor_name} if mentor_id else {},
    )


def _display_names(session: Session, user_ids: list[int]) -> dict[int, str]:
    return dict(
        session.exec(select(User.id, User.display_name).where(col(User.id).in_(user_ids))).all()  # type: ignore[arg-type]
    )


def _write_pairs(
    session: Session,
    *,
    cohort_id: int,
    pairs: dict[int, int | None],
    actor_id: int,
    method: str,
    mentor_names: dict[int, str],
) -> int:
    """End changed assignments, open the new ones, audit and notify (fixed queries)."""
    now = utcnow()
    open_rows = {
        a.trainee_id: a
        for a in session.exec(
            select(MentorAssignment).where(
                MentorAssignment.cohort_id == cohort_id,
                col(MentorAssignment.trainee_id).in_(list(pairs)),
                col(MentorAssignment.ended_at).is_(None),
            )
        )
    }
    changed: dict[int, int | None] = {}
    for trainee_id, mentor_id in sorted(pairs.items()):
        old = open_rows.get(trainee_id)
        if (old.mentor_id if old else None) == mentor_id:
            continue
        if old is not None:
            old.ended_at = now
            session.add(old)
        changed[trainee_id] = mentor_id
    session.flush()  # the ended rows first: one open row per trainee at any moment
    names = (
        _display_names(session, list(changed) + [m for m in changed.values() if m])
        if changed
        else {}
    )
    names.update({k: v for k, v in mentor_names.items() if v})
    for trainee_id, mentor_id in changed.items():
        old = open_rows.get(trainee_id)
        if mentor_id is not None:
            session.add(
                MentorAssignment(
                    cohort_id=cohort_id,
                    mentor_id=mentor_id,
                    trainee_id=trainee_id,
                    assigned_at=now,
                    assigned_by_id=actor_id,
                    method=method,
                )
            )
        audit(
            session,
            actor_id=actor_id,
            action="mentor.assign" if mentor_id is not None else "mentor.unassign",
            subject=f"cohort:{cohort_id} trainee:{trainee_id}",
            detail=(
                f"{names.get(trainee_id, trainee_id)}: "
                f"{names.get(old.mentor_id, old.mentor_id) if old else '-'} -> "
                f"{names.get(mentor_id, mentor_id) if mentor_id else '-'} ({method})"
            ),
        )
    session.flush()
    by_mentor: dict[int, list[int]] = {}
    for trainee_id, mentor_id in changed.items():
        if mentor_id is not None:
            by_mentor.setdefault(mentor_id, []).append(trainee_id)
    for mentor_id, trainee_list in sorted(by_mentor.items()):
        notify(
            session,
            user_ids=trainee_list,
            kind="mentoring",
            actor_id=actor_id,
            params={"message": "mentor_assigned", "mentor": names.get(mentor_id, "")},
            link="/mentoring",
        )
        params: dict[str, object]
        if len(trainee_list) == 1:
            params = {"message": "mentee_assigned", "trainee": names.get(trainee_list[0], "")}
        else:
            params = {"message": "mentees_assigned", "count": len(trainee_list)}
        notify(
            session,
            user_ids=[mentor_id],
            kind="mentoring",
            actor_id=actor_id,
            params=params,
            link="/mentees",
        )
    return len(changed)


def assignment_history(
    session: Session, cohort_id: int, limit: int = 500
) -> list[tuple[MentorAssignment, str, str, str]]:
    """Assignments of the cohort, newest first, with trainee, mentor and assigner names."""
    rows = list(
        session.exec(
            select(MentorAssignment)
            .where(MentorAssignment.cohort_id == cohort_id)
            .order_by(col(MentorAssignment.assigned_at).desc(), col(MentorAssignment.id).desc())
            .limit(limit)
        )
    )
    people = {a.trainee_id for a in rows} | {a.mentor_id for a in rows}
    people |= {a.assigned_by_id for a in rows if a.assigned_by_id}
    names = _display_names(session, sorted(people)) if people else {}
    return [
        (
            a,
            names.get(a.trainee_id, ""),
            names.get(a.mentor_id, ""),
            names.get(a.assigned_by_id, "") if a.assigned_by_id else "",
        )
        for a in rows
    ]


# --- balanced assignment ---------------------------------------------------------------


def match_input(session: Session, cohort_id: int) -> tuple[list[TraineeFacts], list[MentorFacts]]:
    """The roster facts matching uses (four queries)."""
    trainee_rows = session.exec(
        select(Membership, User, LearningCircle.name)
        .join(User, col(User.id) == Membership.user_id)
        .outerjoin(LearningCircle, col(LearningCircle.id) == Membership.circle_id)
        .where(Membership.cohort_id == cohort_id, Membership.role == Role.TRAINEE.value)
    ).all()
    mentor_rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.cohort_id == cohort_id, Membership.role == Role.MENTOR.value)
    ).all()
    current = dict(
        session.exec(
            select(MentorAssignment.trainee_id, MentorAssignment.mentor_id).where(
                MentorAssignment.cohort_id == cohort_id, col(MentorAssignment.ended_at).is_(None)
            )
        ).all()
    )
    same_gender = set(
        session.exec(
            select(MenteePreference.trainee_id).where(
                MenteePreference.cohort_id == cohort_id,
                col(MenteePreference.wants_same_gender_mentor).is_(True),
            )
        ).all()
    )
    trainees = [
        TraineeFacts(
            user_id=m.user_id,
            name=u.display_name,
            department=m.department,
            province=m.province,
            service_group=u.service_group or "",
            language=u.language,
            gender=u.gender or "",
            circle_id=m.circle_id,
            circle_name=circle or "",
            line_manager_id=m.line_manager_id,
            wants_same_gender=m.user_id in same_gender,
            current_mentor_id=current.get(m.user_id),
        )
        for m, u, circle in trainee_rows
    ]
    mentors = [
        MentorFacts(
            user_id=m.user_id,
            name=u.display_name,
            department=m.department,
            province=m.province,
            service_group=u.service_group or "",
            language=u.language,
            gender=u.gender or "",
        )
        for m, u in mentor_rows
    ]
    return trainees, mentors


@dataclass(frozen=True)
class ProposalRow:
    trainee_id: int
    trainee_name: str
    circle_name: str
    department: str
    old_mentor: str
    new_mentor: str
    change: str  # new | moved | same | unplaced


@dataclass(frozen=True)
class MentorLoad:
    mentor_id: int
    name: str
    before: int
    after: int


@dataclass
class Proposal:
    options: MatchOptions
    result: MatchResult
    rows: list[ProposalRow]
    loads: list[MentorLoad]
    fingerprint: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changes(self) -> list[ProposalRow]:
        return [r for r in self.rows if r.change in ("new", "moved")]


def propose(session: Session, cohort_id: int, options: MatchOptions) -> Proposal:
    """The balanced assignment for the cohort as it stands, with what would change;
    nothing is written."""
    trainees, mentors = match_input(session, cohort_id)
    result = match(trainees, mentors, options)
    mentor_names = {m.user_id: m.name for m in mentors}
    rows = []
    for trainee in sorted(trainees, key=lambda t: (t.name, t.user_id)):
        new = result.pairs.get(trainee.user_id)
        old = trainee.current_mentor_id
        if new is None:
            change = "unplaced"
        elif old is None:
            change = "new"
        else:
            change = "same" if old == new else "moved"
        rows.append(
            ProposalRow(
                trainee_id=trainee.user_id,
                trainee_name=trainee.name,
                circle_name=trainee.circle_name,
                department=trainee.department,
                old_mentor=mentor_names.get(old, "") if old is not None else "",
                new_mentor=mentor_names.get(new, "") if new is not None else "",
                change=change,
            )
        )
    before: dict[int, int] = {}
    for trainee in trainees:
        if trainee.current_mentor_id is not None:
            before[trainee.current_mentor_id] = before.get(trainee.current_mentor_id, 0) + 1
    loads = [
        MentorLoad(m.user_id, m.name, before.get(m.user_id, 0), result.loads.get(m.user_id, 0))
        for m in sorted(mentors, key=lambda m: (m.name, m.user_id))
    ]
    # What the trainer saw: every trainee's mentor now and proposed.
    seen = sorted(
        (t.user_id, t.current_mentor_id or 0, result.pairs.get(t.user_id, 0)) for t in trainees
    )
    digest = hashlib.sha256(json.dumps(seen).encode()).hexdigest()[:20]
    counts = {
        kind: sum(1 for r in rows if r.change == kind)
        for kind in ("new", "moved", "same", "unplaced")
    }
    return Proposal(options, result, rows, loads, digest, counts)


def apply_proposal(
    session: Session, *, cohort_id: int, options: MatchOptions, fingerprint: str, actor_id: int
) -> int:
    """Write the balanced assignment the trainer previewed, all in the caller's one
    transaction. When the roster or the assignments changed since the preview (the
    proposal's fingerprint differs), nothing is written. Trainees no mentor may take keep
    what they have. Returns how many trainees changed mentor."""
    proposal = propose(session, cohort_id, options)
    if proposal.fingerprint != fingerprint:
        raise MentoringError(
            _(
                "The roster or the assignments changed since this proposal was made. "
                "Review the new proposal below before applying it."
            )
        )
    pairs: dict[int, int | None] = dict(proposal.result.pairs.items())
    changed = _write_pairs(
        session,
        cohort_id=cohort_id,
        pairs=pairs,
        actor_id=actor_id,
        method="auto",
        mentor_names={m.mentor_id: m.name for m in proposal.loads},
    )
    audit(
        session,
        actor_id=actor_id,
        action="mentor.auto_assign",
        subject=f"cohort:{cohort_id}",
        detail=json.dumps(
            {
                "changed": changed,
                "unplaced": len(proposal.result.unplaced),
                "options": options.__dict__,
            }
        ),
    )
    return changed


# --- the trainee's side ----------------------------------------------------------------


def wants_same_gender(session: Session, cohort_id: int, trainee_id: int) -> bool:
    row = session.exec(
        select(MenteePreference).where(
            MenteePreference.cohort_id == cohort_id, MenteePreference.trainee_id == trainee_id
        )
    ).first()
    return bool(row and row.wants_same_gender_mentor)


def set_same_gender_preference(
    session: Session, *, cohort_id: int, trainee_id: int, wanted: bool
) -> None:
    """A trainee asks (or stops asking) for a mentor of their own gender; balanced
    assignment honours it where it can, and says when it cannot."""
    row = session.exec(
        select(MenteePreference).where(
            MenteePreference.cohort_id == cohort_id, MenteePreference.trainee_id == trainee_id
        )
    ).first() or MenteePreference(cohort_id=cohort_id, trainee_id=trainee_id)
    row.wants_same_gender_mentor = wanted
    row.updated_at = utcnow()
    session.add(row)
    session.flush()


def give_mentor_feedback(
    session: Session, *, cohort_id: int, trainee_id: int, rating: int | None, body: str
) -> MentorFeedback:
    """A mentee tells the programme how their current mentor is doing. Only trainers
    read it; the mentor never sees it. A rating (1-5) or a comment is needed."""
    mentor_id = current_mentor_id(session, cohort_id, trainee_id)
    if mentor_id is None:
        raise MentoringError(
            _("You do not have a mentor yet, so there is no one to give feedback on.")
        )
    body = body.strip()
    if rating is not None and not 1 <= rating <= 5:
        raise MentoringError(_("Choose a rating from 1 to 5."))
    if rating is None and not body:
        raise MentoringError(_("Choose a rating or write a comment."))
    if len(body) > MAX_TEXT:
        raise MentoringError(_("Keep the comment under %(count)s characters.", count=MAX_TEXT))
    feedback = MentorFeedback(
        cohort_id=cohort_id, mentor_id=mentor_id, trainee_id=trainee_id, rating=rating, body=body
    )
    session.add(feedback)
    session.flush()
    return feedback


@dataclass(frozen=True)
class MentorFeedbackRow:
    feedback: MentorFeedback
    mentor_name: str
    trainee_name: str


def mentor_feedback_for_cohort(session: Session, cohort_id: int) -> list[MentorFeedbackRow]:
    """All mentees' feedback on mentors in the cohort, newest first (two queries)."""
    rows = list(
        session.exec(
            select(MentorFeedback)
            .where(MentorFeedback.cohort_id == cohort_id)
            .order_by(col(MentorFeedback.created_at).desc(), col(MentorFeedback.id).desc())
        )
    )
    people = sorted({r.mentor_id for r in rows} | {r.trainee_id for r in rows})
    names = _display_names(session, people) if people else {}
    return [
        MentorFeedbackRow(r, names.get(r.mentor_id, ""), names.get(r.trainee_id, "")) for r in rows
    ]


# --- the mentoring log -----------------------------------------------------------------


def add_log_entry(
    session: Session,
    *,
    cohort_id: int,
    mentor_id: int,
    trainee_id: int,
    held_on: date | None,
    mode: str,
    topics: str,
    next_steps: str,
    today: date | None = None,
) -> MentoringLogEntry:
    """Record a mentoring conversation. Only the trainee's current mentor writes the
    log; the date cannot be in the future; topics are needed. The trainee is told."""
    errors: dict[str, str] = {}
    today = today or local_today()
    if held_on is None:
        errors["held_on"] = _("Enter the date of the conversation.")
    elif held_on > today:
        errors["held_on"] = _("The date cannot be in the future.")
    if mode not in LogMode.ALL:
        errors["mode"] = _("Choose how you met: in person, by phone or online.")
    topics, next_steps = topics.strip(), next_steps.strip()
    if not topics:
        errors["topics"] = _("Write what you talked about.")
    elif len(topics) > MAX_TEXT:
        errors["topics"] = _("Keep this under %(count)s characters.", count=MAX_TEXT)
    if len(next_steps) > MAX_TEXT:
        errors["next_steps"] = _("Keep this under %(count)s characters.", count=MAX_TEXT)
    if errors:
        raise LogEntryInvalid(errors)
    if not is_current_mentor(session, cohort_id, mentor_id, trainee_id):
        raise MentoringError(_("Only the trainee's current mentor can add to their log."))
    assert held_on is not None
    entry = MentoringLogEntry(
        cohort_id=cohort_id,
        mentor_id=mentor_id,
        trainee_id=trainee_id,
        held_on=held_on,
        mode=mode,
        topics=topics,
        next_steps=next_steps,
    )
    session.add(entry)
    session.flush()
    mentor = session.get(User, mentor_id)
    notify(
        session,
        user_ids=[trainee_id],
        kind="mentoring",
        actor_id=mentor_id,
        params={
            "message": "log_entry",
            "mentor": mentor.display_name if mentor else "",
            "held_on": held_on.isoformat(),
        },
        link="/mentoring/log",
    )
    return entry


class LogEntryInvalid(MentoringError):
    """Field-by-field reasons a log entry was refused."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def log_entries(
    session: Session, cohort_id: int, trainee_id: int
) -> list[tuple[MentoringLogEntry, str]]:
    """A trainee's mentoring log, newest first, with each entry's mentor (one query)."""
    return [
        (entry, name)
        for entry, name in session.exec(
            select(MentoringLogEntry, User.display_name)
            .join(User, col(User.id) == MentoringLogEntry.mentor_id)
            .where(
                MentoringLogEntry.cohort_id == cohort_id, MentoringLogEntry.trainee_id == trainee_id
            )
            .order_by(col(MentoringLogEntry.held_on).desc(), col(MentoringLogEntry.id).desc())
        ).all()
    ]
