"""Mentor assignment by hand and its history, mentees' preferences and feedback on their
mentors. Plain functions over a Session; routes stay thin. Balanced assignment is in
mentoring.proposals, the mentoring log in mentoring.log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.accounts.service import audit
from iil_lms.cohorts.models import LearningCircle, Membership, Role
from iil_lms.db import utcnow
from iil_lms.i18n import gettext as _
from iil_lms.mentoring.models import (
    MenteePreference,
    MentorAssignment,
    MentorFeedback,
)
from iil_lms.notifications.service import notify

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
            names = display_names(session, reporting)
            raise MentoringError(
                _(
                    "%(mentor)s is the line manager of %(names)s and cannot mentor them.",
                    mentor=mentor_name,
                    names=", ".join(names[t] for t in reporting),
                )
            )
    return write_pairs(
        session,
        cohort_id=cohort_id,
        pairs={t: mentor_id for t in wanted},
        actor_id=actor_id,
        method="hand",
        mentor_names={mentor_id: mentor_name} if mentor_id else {},
    )


def display_names(session: Session, user_ids: list[int]) -> dict[int, str]:
    return dict(
        session.exec(select(User.id, User.display_name).where(col(User.id).in_(user_ids))).all()  # type: ignore[arg-type]
    )


def write_pairs(
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
        display_names(session, list(changed) + [m for m in changed.values() if m])
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
            before={"trainee_id": trainee_id, "mentor_id": old.mentor_id if old else None},
            after={"trainee_id": trainee_id, "mentor_id": mentor_id, "method": method},
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
    names = display_names(session, sorted(people)) if people else {}
    return [
        (
            a,
            names.get(a.trainee_id, ""),
            names.get(a.mentor_id, ""),
            names.get(a.assigned_by_id, "") if a.assigned_by_id else "",
        )
        for a in rows
    ]


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
    names = display_names(session, people) if people else {}
    return [
        MentorFeedbackRow(r, names.get(r.mentor_id, ""), names.get(r.trainee_id, "")) for r in rows
    ]
