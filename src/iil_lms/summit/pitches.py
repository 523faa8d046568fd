"""Pitches: written alone or by a team of the cohort's trainees (each member confirms),
autosaved while drafted, versioned on every submission, commented on by the team's
mentors before the deadline, and shortlisted, declined or sent back by the organisers.
An action plan the trainee submitted can start a pitch, keeping the link to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.accounts.service import audit
from iil_lms.cohorts.models import Membership, Role
from iil_lms.curriculum.models import Exercise
from iil_lms.db import as_utc, utcnow
from iil_lms.i18n import N_
from iil_lms.i18n import gettext as _
from iil_lms.learning.models import Feedback, Submission
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.notifications.service import notify
from iil_lms.summit.models import (
    Pitch,
    PitchComment,
    PitchMember,
    PitchStatus,
    PitchVersion,
    ScheduleSlot,
    ScoringState,
    Summit,
)
from iil_lms.summit.service import SummitError

# The pitch's fields in form order, with their labels and limits.
FIELDS: tuple[tuple[str, str, int], ...] = (
    ("title", N_("Title"), 200),
    ("summary", N_("One-line summary for the programme"), 300),
    ("problem", N_("The problem"), 4000),
    ("who_is_affected", N_("Who is affected"), 4000),
    ("evidence", N_("Evidence"), 4000),
    ("idea", N_("The idea"), 4000),
    ("needs_from_government", N_("What it needs from government"), 4000),
    ("first_90_days", N_("The first 90 days"), 4000),
)
FIELD_NAMES = tuple(name for name, _label, _limit in FIELDS)
MAX_TEAM = 6


def _trainee_ids(session: Session, cohort_id: int, user_ids: list[int]) -> set[int]:
    return set(
        session.exec(
            select(Membership.user_id).where(
                Membership.cohort_id == cohort_id,
                Membership.role == Role.TRAINEE.value,
                col(Membership.user_id).in_(user_ids),
            )
        )
    )


def pitch_of_person(session: Session, summit_id: int, user_id: int) -> Pitch | None:
    """The live pitch (not withdrawn) a person is on in this summit, if any."""
    return session.exec(
        select(Pitch)
        .join(PitchMember, col(PitchMember.pitch_id) == col(Pitch.id))
        .where(
            Pitch.summit_id == summit_id,
            PitchMember.user_id == user_id,
            Pitch.status != PitchStatus.WITHDRAWN,
        )
    ).first()


def start_pitch(session: Session, summit: Summit, *, owner_id: int) -> Pitch:
    """A trainee of the summit's cohort starts a draft (one live pitch per person)."""
    if not _trainee_ids(session, summit.cohort_id, [owner_id]):
        raise SummitError({"pitch": _("Only trainees of the cohort write pitches.")})
    if pitch_of_person(session, summit.id or 0, owner_id) is not None:
        raise SummitError({"pitch": _("You are already on a pitch for this summit.")})
    if is_past_deadline(summit):
        raise SummitError({"pitch": _("The pitch deadline has passed.")})
    pitch = Pitch(
        summit_id=summit.id or 0, owner_id=owner_id, theme=_department(session, summit, owner_id)
    )
    session.add(pitch)
    session.flush()
    session.add(PitchMember(pitch_id=pitch.id or 0, user_id=owner_id, confirmed_at=utcnow()))
    return pitch


def _department(session: Session, summit: Summit, user_id: int) -> str:
    return (
        session.exec(
            select(Membership.department).where(
                Membership.cohort_id == summit.cohort_id,
                Membership.user_id == user_id,
                Membership.role == Role.TRAINEE.value,
            )
        ).first()
        or ""
    )


def action_plans(session: Session, cohort_id: int, user_id: int) -> list[tuple[Submission, str]]:
    """The trainee's submitted action plans (newest version of each) with exercise titles."""
    rows = session.exec(
        select(Submission, Exercise.title)
        .join(Exercise, col(Exercise.id) == col(Submission.exercise_id))
        .where(
            Submission.cohort_id == cohort_id,
            Submission.user_id == user_id,
            Exercise.type == "action_plan",
        )
        .order_by(col(Submission.version).desc())
    )
    seen: set[int] = set()
    plans = []
    for submission, title in rows:
        if submission.exercise_id in seen:
            continue
        seen.add(submission.exercise_id)
        plans.append((submission, title))
    return plans


def promote_action_plan(
    session: Session, summit: Summit, *, owner_id: int, submission_id: int
) -> Pitch:
    """Start a pitch from the trainee's action plan: its problem, who is affected, idea
    and first steps become the pitch's, and the pitch keeps a link to the plan (and so to
    the mentor's feedback on it)."""
    submission = session.get(Submission, submission_id)
    exercise = session.get(Exercise, submission.exercise_id) if submission else None
    if (
        submission is None
        or exercise is None
        or submission.user_id != owner_id
        or submission.cohort_id != summit.cohort_id
        or exercise.type != "action_plan"
    ):
        raise SummitError({"plan": _("Choose one of your own action plans.")})
    pitch = pitch_of_person(session, summit.id or 0, owner_id)
    if pitch is None:
        pitch = start_pitch(session, summit, owner_id=owner_id)
    elif pitch.status not in PitchStatus.EDITABLE:
        raise SummitError({"plan": _("Your pitch has been sent; it can no longer change.")})
    content: dict[str, Any] = submission.content or {}
    steps = str(content.get("first_steps", ""))
    measures = str(content.get("measures_of_success", ""))
    pitch.problem = str(content.get("problem", ""))[:4000]
    pitch.who_is_affected = str(content.get("who_is_affected", ""))[:4000]
    pitch.idea = str(content.get("idea", ""))[:4000]
    pitch.first_90_days = (steps + ("\n\n" + measures if measures else ""))[:4000]
    pitch.source_submission_id = submission.id
    pitch.revision += 1
    pitch.updated_at = utcnow()
    session.add(pitch)
    return pitch


def plan_feedback(session: Session, pitch: Pitch) -> list[tuple[Feedback, str]]:
    """The comments on the action plan this pitch came from, with their authors."""
    if pitch.source_submission_id is None:
        return []
    return list(
        session.exec(
            select(Feedback, User.display_name)
            .join(User, col(User.id) == col(Feedback.author_id))
            .where(Feedback.submission_id == pitch.source_submission_id)
            .order_by(col(Feedback.created_at))
        )
    )


def is_past_deadline(summit: Summit, now: datetime | None = None) -> bool:
    return summit.pitch_deadline is not None and (now or utcnow()) > as_utc(summit.pitch_deadline)


def _is_confirmed_member(session: Session, pitch: Pitch, user_id: int) -> bool:
    return (
        session.exec(
            select(PitchMember.id).where(
                PitchMember.pitch_id == pitch.id,
                PitchMember.user_id == user_id,
                col(PitchMember.confirmed_at).is_not(None),
            )
        ).first()
        is not None
    )


def clean_fields(values: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The fields trimmed to their limits' check: (values, errors)."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, _label, limit in FIELDS:
        value = (values.get(name) or "").replace("\r\n", "\n")
        if len(value) > limit:
            errors[name] = _("Keep this under %(count)s characters.", count=limit)
        cleaned[name] = value
    return cleaned, errors


def save_draft(
    session: Session, pitch: Pitch, *, user_id: int, values: dict[str, str], mentor_attends: bool
) -> Pitch:
    """Autosave: a confirmed team member changes the pitch while it is a draft or sent
    back for changes."""
    if not _is_confirmed_member(session, pitch, user_id):
        raise SummitError({"pitch": _("Only the pitch's confirmed team changes it.")})
    if pitch.status not in PitchStatus.EDITABLE:
        raise SummitError({"pitch": _("This pitch has been sent; it can no longer change.")})
    cleaned, errors = clean_fields(values)
    if errors:
        raise SummitError(errors)
    for name, value in cleaned.items():
        setattr(pitch, name, value)
    pitch.mentor_attends = mentor_attends
    pitch.revision += 1
    pitch.updated_at = utcnow()
    session.add(pitch)
    return pitch


def members_of(session: Session, pitch_id: int) -> list[tuple[PitchMember, User]]:
    return list(
        session.exec(
            select(PitchMember, User)
            .join(User, col(User.id) == col(PitchMember.user_id))
            .where(PitchMember.pitch_id == pitch_id)
            .order_by(col(PitchMember.id))
        )
    )


def invite_member(
    session: Session, summit: Summit, pitch: Pitch, *, by_id: int, email: str
) -> User:
    """The owner adds a trainee of the same cohort to the team; they confirm themselves."""
    if pitch.owner_id != by_id:
        raise SummitError({"email": _("Only the pitch's owner adds team members.")})
    if pitch.status not in PitchStatus.EDITABLE:
        raise SummitError({"email": _("This pitch has been sent; its team is fixed.")})
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not _trainee_ids(session, summit.cohort_id, [user.id or 0]):
        raise SummitError({"email": _("No trainee of this cohort has that email address.")})
    if pitch_of_person(session, summit.id or 0, user.id or 0) is not None:
        raise SummitError(
            {"email": _("%(name)s is already on a pitch for this summit.", name=user.display_name)}
        )
    if len(members_of(session, pitch.id or 0)) >= MAX_TEAM:
        raise SummitError({"email": _("A team has at most %(count)s people.", count=MAX_TEAM)})
    session.add(PitchMember(pitch_id=pitch.id or 0, user_id=user.id or 0))
    owner = session.get(User, by_id)
    notify(
        session,
        user_ids=[user.id or 0],
        kind="summit",
        actor_id=by_id,
        link=f"/pitches/{pitch.id}#invite-h",
        params={
            "message": "pitch_invited",
            "author": owner.display_name if owner else "",
            "title": pitch.title or summit.title,
        },
    )
    return user


def confirm_membership(session: Session, pitch: Pitch, *, user_id: int) -> None:
    member = session.exec(
        select(PitchMember).where(PitchMember.pitch_id == pitch.id, PitchMember.user_id == user_id)
    ).first()
    if member is None:
        raise SummitError({"pitch": _("You were not asked to join this pitch.")})
    if member.confirmed_at is None:
        member.confirmed_at = utcnow()
        session.add(member)


def leave_pitch(session: Session, pitch: Pitch, *, user_id: int) -> None:
    """A member (not the owner) leaves, or declines the invitation, while it is a draft."""
    member = session.exec(
        select(PitchMember).where(PitchMember.pitch_id == pitch.id, PitchMember.user_id == user_id)
    ).first()
    if member is None or pitch.owner_id == user_id:
        raise SummitError({"pitch": _("The owner cannot leave their own pitch.")})
    if pitch.status not in PitchStatus.EDITABLE:
        raise SummitError({"pitch": _("This pitch has been sent; its team is fixed.")})
    session.delete(member)


def submit_pitch(session: Session, summit: Summit, pitch: Pitch, *, user_id: int) -> PitchVersion:
    """Send the pitch to the organisers: every field filled, every member confirmed,
    before the deadline. Each submission freezes a new version."""
    if not _is_confirmed_member(session, pitch, user_id):
        raise SummitError({"pitch": _("Only the pitch's confirmed team sends it.")})
    if pitch.status not in PitchStatus.EDITABLE:
        raise SummitError({"pitch": _("This pitch has already been sent.")})
    errors: dict[str, str] = {}
    for name, _label, _limit in FIELDS:
        if not str(getattr(pitch, name)).strip():
            errors[name] = _("Fill this in before sending.")
    waiting = [
        user.display_name
        for member, user in members_of(session, pitch.id or 0)
        if member.confirmed_at is None
    ]
    if waiting:
        errors["team"] = _("Waiting for %(names)s to confirm.", names=", ".join(waiting))
    if is_past_deadline(summit):
        errors["pitch"] = _("The pitch deadline has passed.")
    if errors:
        raise SummitError(errors)
    pitch.version += 1
    pitch.status = PitchStatus.SUBMITTED
    pitch.updated_at = utcnow()
    version = PitchVersion(
        pitch_id=pitch.id or 0,
        version=pitch.version,
        content={name: getattr(pitch, name) for name in FIELD_NAMES},
        submitted_by_id=user_id,
    )
    session.add_all([pitch, version])
    trainee = session.get(User, user_id)
    notify(
        session,
        user_ids=mentor_ids_of(session, summit, pitch.id or 0),
        kind="summit",
        actor_id=user_id,
        link=f"/pitches/{pitch.id}",
        params={
            "message": "pitch_sent",
            "trainee": trainee.display_name if trainee else "",
            "title": pitch.title,
            "summit": summit.title,
        },
        dedupe_key=f"pitch-sent:{pitch.id}:{pitch.version}",
    )
    return version


def versions_of(session: Session, pitch_id: int) -> list[PitchVersion]:
    return list(
        session.exec(
            select(PitchVersion)
            .where(PitchVersion.pitch_id == pitch_id)
            .order_by(col(PitchVersion.version).desc())
        )
    )


def mentor_ids_of(session: Session, summit: Summit, pitch_id: int) -> set[int]:
    """The current mentors of the pitch's members."""
    return set(
        session.exec(
            select(MentorAssignment.mentor_id)
            .join(PitchMember, col(PitchMember.user_id) == col(MentorAssignment.trainee_id))
            .where(
                PitchMember.pitch_id == pitch_id,
                MentorAssignment.cohort_id == summit.cohort_id,
                col(MentorAssignment.ended_at).is_(None),
            )
        )
    )


def comment(session: Session, summit: Summit, pitch: Pitch, *, author_id: int, body: str) -> None:
    """A mentor of the team comments on the pitch, before the deadline; the team hears
    of it."""
    body = body.strip()
    if author_id not in mentor_ids_of(session, summit, pitch.id or 0):
        raise SummitError({"body": _("Only the team's mentors comment on a pitch.")})
    if is_past_deadline(summit):
        raise SummitError({"body": _("The pitch deadline has passed; comments are closed.")})
    if not body or len(body) > 4000:
        raise SummitError({"body": _("Write the comment (up to 4000 characters).")})
    session.add(PitchComment(pitch_id=pitch.id or 0, author_id=author_id, body=body))
    author = session.get(User, author_id)
    notify(
        session,
        user_ids=[member.user_id for member, _user in members_of(session, pitch.id or 0)],
        kind="summit",
        actor_id=author_id,
        link=f"/pitches/{pitch.id}#comments-h",
        params={
            "message": "pitch_comment",
            "author": author.display_name if author else "",
            "title": pitch.title or summit.title,
        },
    )


@dataclass(frozen=True)
class MenteePitchRow:
    pitch: Pitch
    summit: Summit
    members: list[str]
    comments: int
    open_for_comments: bool


def pitches_of_mentees(session: Session, cohort_id: int, mentor_id: int) -> list[MenteePitchRow]:
    """The pitches of the cohort's summits that have one of the mentor's current mentees
    on the team (withdrawn ones too, so nothing vanishes), newest summit first; with
    each team's names and how many comments it has (three queries)."""
    rows = list(
        session.exec(
            select(Pitch, Summit)
            .join(Summit, col(Summit.id) == col(Pitch.summit_id))
            .where(
                Summit.cohort_id == cohort_id,
                col(Pitch.id).in_(
                    select(PitchMember.pitch_id)
                    .join(
                        MentorAssignment,
                        col(MentorAssignment.trainee_id) == col(PitchMember.user_id),
                    )
                    .where(
                        MentorAssignment.cohort_id == cohort_id,
                        MentorAssignment.mentor_id == mentor_id,
                        col(MentorAssignment.ended_at).is_(None),
                    )
                ),
            )
            .order_by(col(Summit.starts_on).desc(), col(Pitch.updated_at).desc())
        )
    )
    ids = [pitch.id or 0 for pitch, _summit in rows]
    names: dict[int, list[str]] = {pitch_id: [] for pitch_id in ids}
    counts: dict[int, int] = {}
    if ids:
        for pitch_id, name in session.exec(
            select(PitchMember.pitch_id, User.display_name)
            .join(User, col(User.id) == col(PitchMember.user_id))
            .where(col(PitchMember.pitch_id).in_(ids))
            .order_by(col(PitchMember.id))
        ):
            names[pitch_id].append(name)
        counts = dict(
            session.exec(
                select(PitchComment.pitch_id, func.count())
                .where(col(PitchComment.pitch_id).in_(ids))
                .group_by(col(PitchComment.pitch_id))
            ).all()
        )
    now = utcnow()
    return [
        MenteePitchRow(
            pitch,
            summit,
            names[pitch.id or 0],
            counts.get(pitch.id or 0, 0),
            not is_past_deadline(summit, now) and pitch.status != PitchStatus.WITHDRAWN,
        )
        for pitch, summit in rows
    ]


def comments_of(session: Session, pitch_id: int) -> list[tuple[PitchComment, str]]:
    return list(
        session.exec(
            select(PitchComment, User.display_name)
            .join(User, col(User.id) == col(PitchComment.author_id))
            .where(PitchComment.pitch_id == pitch_id)
            .order_by(col(PitchComment.created_at))
        )
    )


DECISIONS = {
    "shortlist": PitchStatus.SHORTLISTED,
    "decline": PitchStatus.DECLINED,
    "changes": PitchStatus.CHANGES,
    "withdraw": PitchStatus.WITHDRAWN,
}


def decide(
    session: Session, summit: Summit, pitch: Pitch, *, actor_id: int, decision: str, note: str = ""
) -> None:
    """The organisers shortlist, decline or send back a submitted pitch, or withdraw a
    pitch that drops out (its slot is freed; re-running the schedule moves as few
    others as possible)."""
    status = DECISIONS.get(decision)
    note = note.strip()
    if status is None:
        raise SummitError(
            {"decision": _("Choose shortlist, decline, ask for changes or withdraw.")}
        )
    allowed_from = {
        PitchStatus.SHORTLISTED: (PitchStatus.SUBMITTED, PitchStatus.DECLINED),
        PitchStatus.DECLINED: (PitchStatus.SUBMITTED, PitchStatus.SHORTLISTED),
        PitchStatus.CHANGES: (PitchStatus.SUBMITTED, PitchStatus.SHORTLISTED),
        PitchStatus.WITHDRAWN: (
            PitchStatus.DRAFT,
            PitchStatus.SUBMITTED,
            PitchStatus.CHANGES,
            PitchStatus.SHORTLISTED,
        ),
    }[status]
    if pitch.status not in allowed_from:
        raise SummitError({"decision": _("That decision does not apply to this pitch now.")})
    if status == PitchStatus.CHANGES and not note:
        raise SummitError({"note": _("Say what should change.")})
    if len(note) > 2000:
        raise SummitError({"note": _("Keep the note under %(count)s characters.", count=2000)})
    if status != PitchStatus.SHORTLISTED:
        slot = session.exec(select(ScheduleSlot).where(ScheduleSlot.pitch_id == pitch.id)).first()
        if slot is not None:
            session.delete(slot)
    if status == PitchStatus.CHANGES:
        pitch.changes_note = note
        session.add(
            PitchComment(pitch_id=pitch.id or 0, author_id=actor_id, body=note, kind="changes")
        )
    elif note and status in (PitchStatus.SHORTLISTED, PitchStatus.DECLINED):
        # The note to the team stays on the pitch's page, not only in their notification.
        session.add(
            PitchComment(pitch_id=pitch.id or 0, author_id=actor_id, body=note, kind="decision")
        )
    pitch.status = status
    pitch.updated_at = utcnow()
    session.add(pitch)
    audit(session, actor_id, f"pitch.{decision}", f"pitch:{pitch.id}", note)
    _tell_team_of_decision(session, summit, pitch, actor_id=actor_id, status=status, note=note)


def _tell_team_of_decision(
    session: Session, summit: Summit, pitch: Pitch, *, actor_id: int, status: str, note: str
) -> None:
    """The team hears of a shortlist, a decline or a request for changes, with the
    organisers' note (a withdrawal is the team's own news or already known to it)."""
    message = {
        PitchStatus.SHORTLISTED: "pitch_shortlisted",
        PitchStatus.DECLINED: "pitch_declined",
        PitchStatus.CHANGES: "pitch_changes",
    }.get(status)
    if message is None:
        return
    if note and status != PitchStatus.CHANGES:
        message += "_note"
    notify(
        session,
        user_ids=[member.user_id for member, _user in members_of(session, pitch.id or 0)],
        kind="summit",
        actor_id=actor_id,
        link=f"/pitches/{pitch.id}",
        params={"message": message, "title": pitch.title, "summit": summit.title, "note": note},
    )


@dataclass(frozen=True)
class PitchRow:
    pitch: Pitch
    members: list[str]
    confirmed: bool


def pitches_of_summit(
    session: Session, summit_id: int, statuses: tuple[str, ...] | None = None
) -> list[PitchRow]:
    """The summit's pitches with their members' names (two queries)."""
    query = select(Pitch).where(Pitch.summit_id == summit_id).order_by(col(Pitch.id))
    if statuses:
        query = query.where(col(Pitch.status).in_(statuses))
    pitches = list(session.exec(query))
    names: dict[int, list[str]] = {p.id or 0: [] for p in pitches}
    confirmed: dict[int, bool] = {p.id or 0: True for p in pitches}
    if pitches:
        for member, name in session.exec(
            select(PitchMember, User.display_name)
            .join(User, col(User.id) == col(PitchMember.user_id))
            .where(col(PitchMember.pitch_id).in_(list(names)))
            .order_by(col(PitchMember.id))
        ):
            names[member.pitch_id].append(name)
            if member.confirmed_at is None:
                confirmed[member.pitch_id] = False
    return [PitchRow(p, names[p.id or 0], confirmed[p.id or 0]) for p in pitches]


def pitched(session: Session, cohort_id: int) -> set[int]:
    """People who pitched at an Integrity Summit of the cohort: the confirmed members of
    every shortlisted pitch that held a slot in the schedule once the summit's scoring
    was closed (the day took place and the judges scored it)."""
    rows = session.execute(
        sa_select(col(PitchMember.user_id))
        .join(Pitch, col(Pitch.id) == PitchMember.pitch_id)
        .join(ScheduleSlot, col(ScheduleSlot.pitch_id) == Pitch.id)
        .join(Summit, col(Summit.id) == Pitch.summit_id)
        .where(
            col(Summit.cohort_id) == cohort_id,
            col(Summit.scoring) == ScoringState.CLOSED,
            col(Pitch.status) == PitchStatus.SHORTLISTED,
            col(PitchMember.confirmed_at).is_not(None),
        )
    )
    return {int(user_id) for (user_id,) in rows}
