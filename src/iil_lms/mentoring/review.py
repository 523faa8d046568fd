"""The review of a submission: its threaded feedback, rubric scores and the decision to
return or accept it; the trainee told of feedback, the mentor of new work. The mentee
overview is in mentoring.mentees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.audit.service import record
from iil_lms.cohorts.models import Cohort, Membership, Role
from iil_lms.curriculum.models import Exercise, Milestone, Module
from iil_lms.db import as_utc, clock_at, utcnow
from iil_lms.i18n import gettext as _
from iil_lms.learning import events
from iil_lms.learning.answers import CONFIDENTIAL_TYPES
from iil_lms.learning.models import Feedback, Submission, SubmissionStatus
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.mentoring.service import MentoringError, current_mentor_id
from iil_lms.notifications.service import notify

MAX_FEEDBACK = 10_000


# --- review of one submission ----------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    name: str
    levels: tuple[str, ...]
    description: str = ""


def rubric_of(exercise: Exercise) -> list[Criterion]:
    """The exercise's rubric from `spec["rubric"]`: a list of criteria, each a mapping
    with `criterion` (or `name`/`title`), `levels` (texts, or mappings with a `label`)
    and an optional `description`; or a mapping of criterion to its levels."""
    raw = (exercise.spec or {}).get("rubric")
    items: list[Any]
    if isinstance(raw, dict):
        items = [{"criterion": k, "levels": v} for k, v in raw.items()]
    elif isinstance(raw, list):
        items = raw
    else:
        return []
    criteria = []
    for item in items:
        if isinstance(item, str):
            criteria.append(Criterion(item, ()))
            continue
        if not isinstance(item, dict):
            continue
        name = str(item.get("criterion") or item.get("name") or item.get("title") or "").strip()
        if not name:
            continue
        levels = []
        for level in item.get("levels") or []:
            if isinstance(level, dict):
                level = level.get("label") or level.get("name") or level.get("title")
            if level:
                levels.append(str(level))
        criteria.append(Criterion(name, tuple(levels), str(item.get("description") or "")))
    return criteria


@dataclass
class ThreadNode:
    feedback: Feedback
    author_name: str
    children: list[ThreadNode] = field(default_factory=list)


def feedback_thread(session: Session, submission_id: int) -> list[ThreadNode]:
    """The submission's feedback as a tree (replies under what they answer), oldest
    first at every level (one query)."""
    rows = session.exec(
        select(Feedback, User.display_name)
        .join(User, col(User.id) == Feedback.author_id)
        .where(Feedback.submission_id == submission_id)
        .order_by(col(Feedback.created_at), col(Feedback.id))
    ).all()
    nodes = {fb.id: ThreadNode(fb, name) for fb, name in rows}
    roots: list[ThreadNode] = []
    for node in nodes.values():
        parent = nodes.get(node.feedback.parent_id) if node.feedback.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


@dataclass
class ReviewContext:
    submission: Submission
    exercise: Exercise
    module_title: str
    milestone_title: str
    trainee: User
    cohort: Cohort
    role: str  # mentor | trainer | owner
    versions: list[tuple[int, int, str, datetime]]  # id, version, status, submitted_at

    @property
    def is_latest(self) -> bool:
        return not self.versions or self.submission.version == max(
            v for _i, v, _s, _a in self.versions
        )

    @property
    def can_decide(self) -> bool:
        return (
            self.role in ("mentor", "trainer")
            and self.is_latest
            and self.submission.status == SubmissionStatus.SUBMITTED
        )


def review_context(
    session: Session, submission_id: int, *, user_id: int, trainer_cohorts: set[int], is_admin: bool
) -> ReviewContext | None:
    """The submission with what its review page shows, if the person may see it: the
    trainee's current mentor, a trainer of the cohort (or a site admin), or the trainee
    themselves (to read and answer feedback); a survey answer only by the trainee. None
    otherwise, so the page is a 404."""
    found = session.execute(
        sa_select(Submission, Exercise, col(Module.title), col(Milestone.title), User, Cohort)
        .join(Exercise, col(Exercise.id) == Submission.exercise_id)
        .join(Module, col(Module.id) == Exercise.module_id)
        .join(Milestone, col(Milestone.id) == Module.milestone_id)
        .join(User, col(User.id) == Submission.user_id)
        .join(Cohort, col(Cohort.id) == Submission.cohort_id)
        .where(col(Submission.id) == submission_id)
    ).first()
    if found is None:
        return None
    submission, exercise, module_title, milestone_title, trainee, cohort = found
    if submission.user_id == user_id:
        role = "owner"
    elif exercise.type in CONFIDENTIAL_TYPES:
        # Survey answers are confidential: only their author opens them one by one;
        # trainers read them together, without names (reports.surveys).
        return None
    elif is_admin or submission.cohort_id in trainer_cohorts:
        role = "trainer"
    elif current_mentor_id(session, submission.cohort_id, submission.user_id) == user_id:
        role = "mentor"
    else:
        return None
    versions = [
        (i, v, s, as_utc(a))
        for i, v, s, a in session.exec(
            select(Submission.id, Submission.version, Submission.status, Submission.submitted_at)
            .where(
                Submission.cohort_id == submission.cohort_id,
                Submission.user_id == submission.user_id,
                Submission.exercise_id == submission.exercise_id,
            )
            .order_by(col(Submission.version))
        ).all()
        if i is not None
    ]
    return ReviewContext(
        submission, exercise, module_title, milestone_title, trainee, cohort, role, versions
    )


class FeedbackInvalid(MentoringError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def add_feedback(
    session: Session,
    context: ReviewContext,
    *,
    author_id: int,
    body: str,
    parent_id: int | None = None,
    rubric_scores: dict[str, str] | None = None,
    decision: str | None = None,
) -> Feedback:
    """Add a comment to the submission's thread, optionally as a reply, with rubric
    scores and a decision. Rules: the trainee may comment and reply but not score or
    decide; a decision is taken only on the newest version while it waits for review;
    returning work needs a comment saying what to revise; scores must name the rubric's
    criteria and levels. The trainee is told of feedback (or of the return, or the
    acceptance); the author of the comment replied to, and the mentor when the trainee
    writes, are told of the reply."""
    body = body.strip()
    scores = {k: v for k, v in (rubric_scores or {}).items() if v}
    parent: Feedback | None = None
    if parent_id is not None:
        parent = session.get(Feedback, parent_id)
    _check_feedback(
        context, body=body, scores=scores, decision=decision, parent=parent, parent_id=parent_id
    )
    feedback = _write_feedback(
        session,
        context,
        author_id=author_id,
        body=body,
        parent=parent,
        scores=scores,
        decision=decision,
    )
    session.flush()
    _tell_of_feedback(session, context, author_id=author_id, decision=decision, parent=parent)
    return feedback


def _check_feedback(
    context: ReviewContext,
    *,
    body: str,
    scores: dict[str, str],
    decision: str | None,
    parent: Feedback | None = None,
    parent_id: int | None = None,
) -> None:
    """add_feedback's rules; raises FeedbackInvalid with every reason."""
    errors: dict[str, str] = {}
    reviewer = context.role in ("mentor", "trainer")
    if decision not in (None, SubmissionStatus.RETURNED, SubmissionStatus.ACCEPTED):
        errors["decision"] = _("Choose to return the work or to accept it.")
    elif decision and not context.can_decide:
        errors["decision"] = _(
            "This version is not waiting for a review any more: only a comment can be added."
        )
    if decision == SubmissionStatus.RETURNED and not body:
        errors["body"] = _("Say what to revise when returning work.")
    elif not body and not decision and not scores:
        errors["body"] = _("Write a comment.")
    elif len(body) > MAX_FEEDBACK:
        errors["body"] = _("Keep the comment under %(count)s characters.", count=MAX_FEEDBACK)
    if scores:
        if not reviewer:
            errors["rubric"] = _("Only a mentor or trainer scores against the rubric.")
        else:
            criteria = {c.name: c for c in rubric_of(context.exercise)}
            for name, level in scores.items():
                criterion = criteria.get(name)
                if criterion is None or (criterion.levels and level not in criterion.levels):
                    errors["rubric"] = _("Choose a level of the rubric for each criterion.")
    if parent_id is not None and (parent is None or parent.submission_id != context.submission.id):
        errors["parent"] = _("The comment you replied to is not part of this thread.")
    if errors:
        raise FeedbackInvalid(errors)


def _write_feedback(
    session: Session,
    context: ReviewContext,
    *,
    author_id: int,
    body: str,
    parent: Feedback | None,
    scores: dict[str, str],
    decision: str | None,
) -> Feedback:
    submission = context.submission
    now = utcnow()
    assert submission.id is not None
    feedback = Feedback(
        submission_id=submission.id,
        author_id=author_id,
        parent_id=parent.id if parent else None,
        body=body,
        rubric_scores=scores,
        decision=decision,
        created_at=now,
    )
    session.add(feedback)
    if decision:
        before, after = {"status": submission.status}, {"status": decision}
        record(
            session,
            author_id,
            f"work.{decision}",
            f"submission:{submission.id}",
            before,
            after,
            cohort_id=submission.cohort_id,
        )
        submission.status = decision
        submission.reviewed_at = now
        submission.reviewed_by_id = author_id
        session.add(submission)
    return feedback


def _tell_of_feedback(
    session: Session,
    context: ReviewContext,
    *,
    author_id: int,
    decision: str | None,
    parent: Feedback | None,
) -> None:
    submission = context.submission
    reviewer = context.role in ("mentor", "trainer")
    author = session.get(User, author_id)
    author_name = author.display_name if author else ""
    link = f"/review/{submission.id}"
    told: set[int] = set()
    if reviewer:
        if decision == SubmissionStatus.RETURNED:
            kind, message = "returned", "returned"
        elif decision == SubmissionStatus.ACCEPTED:
            kind, message = "feedback", "accepted"
        else:
            kind, message = "feedback", "feedback"
        notify(
            session,
            user_ids=[submission.user_id],
            kind=kind,
            actor_id=author_id,
            link=link,
            params={"message": message, "author": author_name, "exercise": context.exercise.title},
        )
        told.add(submission.user_id)
    else:
        mentor_id = current_mentor_id(session, submission.cohort_id, submission.user_id)
        if mentor_id is not None:
            notify(
                session,
                user_ids=[mentor_id],
                kind="reply",
                actor_id=author_id,
                link=link,
                params={
                    "message": "submission_reply",
                    "author": author_name,
                    "exercise": context.exercise.title,
                },
            )
            told.add(mentor_id)
    if parent is not None and parent.author_id not in told:
        notify(
            session,
            user_ids=[parent.author_id],
            kind="reply",
            actor_id=author_id,
            link=link,
            params={"message": "reply", "author": author_name, "where": context.exercise.title},
        )


@dataclass(frozen=True)
class MentorReview:
    """A mentor's comment and decision on their mentee's submission for `review_many`;
    `at` is when they wrote it (now by default)."""

    submission_id: int
    mentor_id: int
    body: str
    decision: str | None = None
    at: datetime | None = None


def review_many(session: Session, reviews: Sequence[MentorReview]) -> list[Feedback]:
    """Many mentors' reviews at once, with add_feedback's rules: each mentor must be the
    trainee's current mentor (else MentoringError), and a refusal of any review raises
    before anything is written. A fixed number of queries however many reviews; the
    trainees are told as by add_feedback."""
    if not reviews:
        return []
    ids = sorted({r.submission_id for r in reviews})
    submissions = {
        s.id: s for s in session.exec(select(Submission).where(col(Submission.id).in_(ids)))
    }
    # Each exercise, its titles, trainee and cohort once, not once per submission.
    exercises = {
        e.id: (e, module_title, milestone_title)
        for e, module_title, milestone_title in session.execute(
            sa_select(Exercise, col(Module.title), col(Milestone.title))
            .join(Module, col(Module.id) == Exercise.module_id)
            .join(Milestone, col(Milestone.id) == Module.milestone_id)
            .where(col(Exercise.id).in_({s.exercise_id for s in submissions.values()}))
        ).all()
    }
    users = {
        u.id: u
        for u in session.exec(
            select(User).where(col(User.id).in_({s.user_id for s in submissions.values()}))
        )
    }
    cohorts = {
        c.id: c
        for c in session.exec(
            select(Cohort).where(col(Cohort.id).in_({s.cohort_id for s in submissions.values()}))
        )
    }
    found = {
        i: (s, *exercises[s.exercise_id], users[s.user_id], cohorts[s.cohort_id])
        for i, s in submissions.items()
    }
    trainees = {row[0].user_id for row in found.values()}
    mentors = {
        (cohort_id, trainee_id): mentor_id
        for cohort_id, trainee_id, mentor_id in session.execute(
            sa_select(
                col(MentorAssignment.cohort_id),
                col(MentorAssignment.trainee_id),
                col(MentorAssignment.mentor_id),
            ).where(
                col(MentorAssignment.trainee_id).in_(trainees),
                col(MentorAssignment.ended_at).is_(None),
            )
        ).all()
    }
    versions: dict[tuple[int, int, int], list[tuple[int, int, str, datetime]]] = {}
    for i, c, u, e, v, st, at in session.execute(
        sa_select(
            col(Submission.id),
            col(Submission.cohort_id),
            col(Submission.user_id),
            col(Submission.exercise_id),
            col(Submission.version),
            col(Submission.status),
            col(Submission.submitted_at),
        )
        .where(col(Submission.user_id).in_(trainees))
        .order_by(col(Submission.version))
    ).all():
        versions.setdefault((c, u, e), []).append((i, v, st, as_utc(at)))
    contexts: list[ReviewContext] = []
    for review in reviews:
        row = found.get(review.submission_id)
        if row is None:
            raise MentoringError(_("This submission does not exist."))
        submission, exercise, module_title, milestone_title, trainee, cohort = row
        mentor = mentors.get((submission.cohort_id, submission.user_id))
        if exercise.type in CONFIDENTIAL_TYPES or mentor != review.mentor_id:
            raise MentoringError(_("Only the trainee's current mentor reviews their work."))
        context = ReviewContext(
            submission,
            exercise,
            module_title,
            milestone_title,
            trainee,
            cohort,
            "mentor",
            versions.get((submission.cohort_id, submission.user_id, submission.exercise_id), []),
        )
        _check_feedback(context, body=review.body.strip(), scores={}, decision=review.decision)
        contexts.append(context)
    written = []
    for review, context in zip(reviews, contexts, strict=True):
        with clock_at(review.at or utcnow()):
            written.append(
                _write_feedback(
                    session,
                    context,
                    author_id=review.mentor_id,
                    body=review.body.strip(),
                    parent=None,
                    scores={},
                    decision=review.decision,
                )
            )
    session.flush()
    for review, context in zip(reviews, contexts, strict=True):
        _tell_of_feedback(
            session, context, author_id=review.mentor_id, decision=review.decision, parent=None
        )
    return written


@events.on_submitted
def tell_mentor_of_submission(session: Session, submission: Submission) -> int:
    """Tell the trainee's current mentor that a version waits for their review (heard
    from learning's `submit` through `learning.events`; deduplicated, so a double click
    tells no one twice). Auto-scored work (quizzes, surveys) needs
    no review and tells nobody; nor does a trainee without a mentor. Returns how many
    people were told (0 or 1)."""
    if submission.status != SubmissionStatus.SUBMITTED or submission.id is None:
        return 0
    mentor_id = current_mentor_id(session, submission.cohort_id, submission.user_id)
    if mentor_id is None:
        return 0
    trainee = session.get(User, submission.user_id)
    exercise = session.get(Exercise, submission.exercise_id)
    return notify(
        session,
        user_ids=[mentor_id],
        kind="review",
        actor_id=submission.user_id,
        link=f"/review/{submission.id}",
        params={
            "trainee": trainee.display_name if trainee else "",
            "exercise": exercise.title if exercise else "",
        },
        dedupe_key=f"review:{submission.id}",
    )


def has_unread_feedback(session: Session, submission_id: int, trainee_id: int) -> bool:
    """Whether the trainee's submission carries comments by others they have not opened
    (one query): only then does opening it record anything."""
    found = session.exec(
        select(Feedback.id)
        .where(
            Feedback.submission_id == submission_id,
            col(Feedback.read_by_trainee_at).is_(None),
            Feedback.author_id != trainee_id,
        )
        .limit(1)
    ).first()
    return found is not None


def mark_feedback_read(session: Session, submission_id: int, trainee_id: int) -> None:
    """The trainee has seen every comment on their submission."""
    submission = session.get(Submission, submission_id)
    if submission is None or submission.user_id != trainee_id:
        return
    unread = session.exec(
        select(Feedback).where(
            Feedback.submission_id == submission_id,
            col(Feedback.read_by_trainee_at).is_(None),
            Feedback.author_id != trainee_id,
        )
    ).all()
    now = utcnow()
    for feedback in unread:
        feedback.read_by_trainee_at = now
        session.add(feedback)
    if unread:
        session.flush()


def mark_read_many(session: Session, reads: Sequence[tuple[int, int, datetime]]) -> None:
    """Trainees have seen every comment on their submissions: (submission id, trainee id,
    when) each, as mark_feedback_read (two statements however many)."""
    when = {(submission_id, trainee_id): at for submission_id, trainee_id, at in reads}
    if not when:
        return
    unread = session.execute(
        sa_select(Feedback, col(Submission.user_id))
        .join(Submission, col(Submission.id) == Feedback.submission_id)
        .where(
            col(Feedback.submission_id).in_({s for s, _t in when}),
            col(Feedback.read_by_trainee_at).is_(None),
            col(Feedback.author_id) != col(Submission.user_id),
        )
    ).all()
    for feedback, trainee_id in unread:
        at = when.get((feedback.submission_id, trainee_id))
        if at is not None:
            feedback.read_by_trainee_at = at
            session.add(feedback)
    session.flush()


def mentee_cohort(
    session: Session,
    *,
    viewer_id: int,
    trainee_id: int,
    trainer_cohorts: set[int],
    is_admin: bool,
    prefer: int | None,
) -> tuple[int, str] | None:
    """The cohort in which the viewer may see this trainee's mentoring record, and why:
    as the trainee's current mentor, or as a trainer of a cohort the trainee is in (site
    admins count as trainers). Prefers the viewer's active cohort. None: a 404."""
    cohorts = set(
        session.exec(
            select(Membership.cohort_id).where(
                Membership.user_id == trainee_id, Membership.role == Role.TRAINEE.value
            )
        ).all()
    )
    mentored = (
        set(
            session.exec(
                select(MentorAssignment.cohort_id).where(
                    MentorAssignment.trainee_id == trainee_id,
                    MentorAssignment.mentor_id == viewer_id,
                    col(MentorAssignment.ended_at).is_(None),
                )
            ).all()
        )
        & cohorts
    )
    options = [(c, "mentor") for c in sorted(mentored)]
    options += [(c, "trainer") for c in sorted(cohorts) if is_admin or c in trainer_cohorts]
    if not options:
        return None
    for cohort_id, relation in options:
        if cohort_id == prefer:
            return cohort_id, relation
    return options[0]
