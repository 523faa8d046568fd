"""Balanced mentor assignment for a cohort: the roster facts matching needs, a proposal
to review (who gets, moves to or keeps which mentor) and applying it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.accounts.service import audit
from iil_lms.cohorts.models import LearningCircle, Membership, Role
from iil_lms.i18n import gettext as _
from iil_lms.mentoring.matching import (
    MatchOptions,
    MatchResult,
    MentorFacts,
    TraineeFacts,
    match,
)
from iil_lms.mentoring.models import (
    MenteePreference,
    MentorAssignment,
)
from iil_lms.mentoring.service import MentoringError, write_pairs


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
            language=u.language or "",
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
            language=u.language or "",
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
    changed = write_pairs(
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
