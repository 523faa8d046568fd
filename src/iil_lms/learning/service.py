"""A trainee's work on an exercise: which exercises they may open, drafts that autosave,
and frozen, versioned submissions (quizzes scored on submit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Membership, Role
from iil_lms.curriculum.models import Exercise, Module
from iil_lms.curriculum.plans import PlannedModule, effective_plan, plan_for_cohort
from iil_lms.db import clock_at, utcnow
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.learning import drafts, events, uploads
from iil_lms.learning.answers import (
    AUTO_SCORED,
    answer_errors,
    attempts_allowed,
    quiz_score,
)
from iil_lms.learning.models import Draft, DraftVersion, Feedback, Submission, SubmissionStatus


class LearningError(ValueError):
    """A refusal with a message for the trainee."""


class ExerciseUnavailable(LearningError):
    """Not assigned to this trainee, not open yet, retired or in another cohort: answered
    with 404, so nothing about it leaks."""


class SubmissionRefused(LearningError):
    """The exercise is visible but cannot take a new submission now."""


class SubmissionInvalid(LearningError):
    """The answer is incomplete; `errors` maps each form field to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Some answers need attention."))
        self.errors = errors


@dataclass(frozen=True)
class Assigned:
    exercise: Exercise
    module: Module
    planned: PlannedModule
    circle_id: int | None


@dataclass(frozen=True)
class DraftSaved:
    revision: int
    saved_at: datetime
    # Another tab (or device) had saved newer text than this save was based on.
    overwrote_newer: bool
    # That text, kept so that it can be restored.
    overwritten: DraftVersion | None = None


class DraftVersionMissing(LearningError):
    """Not an earlier version of this trainee's draft of this exercise: answered with
    404."""


# --- what a trainee may open ------------------------------------------------------------


def trainee_circle(session: Session, cohort_id: int, user_id: int) -> int | None:
    """The trainee's learning circle; raises ExerciseUnavailable when they are not a
    trainee of the cohort."""
    row = session.exec(
        select(Membership.id, Membership.circle_id).where(
            Membership.cohort_id == cohort_id,
            Membership.user_id == user_id,
            Membership.role == Role.TRAINEE.value,
        )
    ).first()
    if row is None:
        raise ExerciseUnavailable(_("This exercise is not part of your plan."))
    return row[1]


def assigned_exercise(
    session: Session,
    *,
    cohort_id: int,
    user_id: int,
    exercise_id: int,
    today: date | None = None,
) -> Assigned:
    """An exercise the trainee may work on: in their effective plan (the cohort's, with
    their circle's overrides, not removed), not retired, and open (opens_on <= today).
    Anything else raises ExerciseUnavailable."""
    today = today or local_today()
    circle_id = trainee_circle(session, cohort_id, user_id)
    exercise = session.get(Exercise, exercise_id)
    if exercise is None or exercise.retired:
        raise ExerciseUnavailable(_("This exercise is not part of your plan."))
    planned = next(
        (
            p
            for p in effective_plan(session, cohort_id, circle_id)
            if p.module_id == exercise.module_id
        ),
        None,
    )
    module = session.get(Module, exercise.module_id)
    if planned is None or module is None or module.retired or planned.opens_on > today:
        raise ExerciseUnavailable(_("This exercise is not part of your plan."))
    return Assigned(exercise, module, planned, circle_id)


# --- drafts -----------------------------------------------------------------------------


def get_draft(session: Session, *, cohort_id: int, user_id: int, exercise_id: int) -> Draft | None:
    return session.exec(
        select(Draft).where(
            Draft.cohort_id == cohort_id,
            Draft.user_id == user_id,
            Draft.exercise_id == exercise_id,
        )
    ).first()


def save_draft(
    session: Session,
    *,
    cohort_id: int,
    user_id: int,
    exercise_id: int,
    content: dict[str, Any],
    base_revision: int | None,
    today: date | None = None,
) -> DraftSaved:
    """Keep what the trainee typed. Every save is kept (the later save wins) and bumps
    the revision; a save based on an older revision than the stored one is reported as
    having overwritten newer text, so the tab that sent it can tell the trainee, and
    that text is kept as an earlier version they can restore (learning/drafts.py)."""
    assigned_exercise(
        session, cohort_id=cohort_id, user_id=user_id, exercise_id=exercise_id, today=today
    )
    draft = get_draft(session, cohort_id=cohort_id, user_id=user_id, exercise_id=exercise_id)
    if draft is None:
        draft = Draft(cohort_id=cohort_id, user_id=user_id, exercise_id=exercise_id)
    stale = base_revision is not None and base_revision < draft.revision
    kept = drafts.keep_replaced(session, draft, content, overwritten=stale)
    draft.content = content
    draft.revision += 1
    draft.updated_at = utcnow()
    session.add(draft)
    session.flush()
    return DraftSaved(draft.revision, draft.updated_at, stale, kept if stale else None)


def restore_draft(
    session: Session,
    *,
    cohort_id: int,
    user_id: int,
    exercise_id: int,
    version_id: int,
    today: date | None = None,
) -> DraftVersion:
    """Put an earlier version of the trainee's draft back (it leaves the list of earlier
    versions). The text it replaces is kept as a version in turn, so a restore can
    itself be undone. Raises DraftVersionMissing for a version of another draft."""
    assigned_exercise(
        session, cohort_id=cohort_id, user_id=user_id, exercise_id=exercise_id, today=today
    )
    draft = get_draft(session, cohort_id=cohort_id, user_id=user_id, exercise_id=exercise_id)
    version = session.get(DraftVersion, version_id)
    if draft is None or version is None or version.draft_id != draft.id:
        raise DraftVersionMissing(_("That earlier version of your draft does not exist."))
    restored = dict(version.content)
    # The restored text is the draft again, so it leaves the list of earlier versions.
    session.delete(version)
    session.flush()
    drafts.keep_replaced(session, draft, restored, overwritten=False, restoring=True)
    draft.content = restored
    draft.revision += 1
    draft.updated_at = utcnow()
    session.add(draft)
    session.flush()
    return version


# --- submissions ------------------------------------------------------------------------


def modules_with_work(session: Session, cohort_id: int) -> set[int]:
    """Modules on which someone in the cohort has a draft or a submission: their dates
    stay when the cohort's plan is regenerated (`plans.generate_plan(worked_modules=...)`)."""
    worked: set[int] = set()
    for table in (Draft, Submission):
        worked.update(
            session.exec(
                select(Exercise.module_id)
                .join(table, col(table.exercise_id) == Exercise.id)
                .where(table.cohort_id == cohort_id)
                .distinct()
            ).all()
        )
    return worked


def submissions_of(
    session: Session, *, cohort_id: int, user_id: int, exercise_id: int
) -> list[Submission]:
    """Every version, oldest first."""
    return list(
        session.exec(
            select(Submission)
            .where(
                Submission.cohort_id == cohort_id,
                Submission.user_id == user_id,
                Submission.exercise_id == exercise_id,
            )
            .order_by(col(Submission.version))
        ).all()
    )


def can_submit(exercise: Exercise, earlier: Sequence[Submission]) -> str | None:
    """Why a new version cannot be submitted now, or None when it can: the first time;
    after the last version was returned for revision; for a quiz, while attempts are
    left. A survey is answered once; accepted work is final."""
    if not earlier:
        return None
    last = earlier[-1]
    if exercise.type == "quiz":
        limit = attempts_allowed(exercise)
        if limit is not None and len(earlier) >= limit:
            return _("You have used all %(n)s attempts at this quiz.", n=limit)
        return None
    if exercise.type == "survey":
        return _("You have already answered this survey. Thank you.")
    if last.status == SubmissionStatus.RETURNED:
        return None
    if last.status == SubmissionStatus.ACCEPTED:
        return _("This exercise has been accepted; there is nothing more to submit.")
    return _("Your submission is waiting for review; you can submit again if it is returned.")


def submission_by_key(session: Session, *, user_id: int, key: str) -> Submission | None:
    """The submission a submit form with this one-time token already created."""
    return session.exec(
        select(Submission).where(Submission.user_id == user_id, Submission.idempotency_key == key)
    ).first()


def submit(
    session: Session,
    *,
    cohort_id: int,
    user_id: int,
    exercise_id: int,
    content: dict[str, Any],
    upload: uploads.Upload | None = None,
    entered_by_id: int | None = None,
    idempotency_key: str | None = None,
    today: date | None = None,
) -> Submission:
    """Freeze the trainee's answer as a new version (n+1) and clear their draft.

    Rules: the exercise must be assigned to the trainee and open (else
    ExerciseUnavailable, answered with 404); a new version is allowed first, after a
    return for revision, or for a quiz while attempts are left (else SubmissionRefused);
    the answer must be complete (SubmissionInvalid) and an upload the right type and
    size (uploads.UploadRefused) - all checked before anything is written. Quizzes are
    scored and surveys complete on submit; work after the plan's due date is accepted
    and marked late. The same `idempotency_key` twice (a double click) returns the first
    submission instead of adding another. `entered_by_id` is the trainer who typed in or
    uploaded work done on paper. The new submission is announced through `events`
    (the trainee's mentor is told that work waits for review)."""
    today = today or local_today()
    if idempotency_key:
        earlier_same = submission_by_key(session, user_id=user_id, key=idempotency_key)
        if earlier_same is not None and earlier_same.exercise_id == exercise_id:
            return earlier_same
        if earlier_same is not None:
            idempotency_key = None
    assigned = assigned_exercise(
        session, cohort_id=cohort_id, user_id=user_id, exercise_id=exercise_id, today=today
    )
    earlier = submissions_of(session, cohort_id=cohort_id, user_id=user_id, exercise_id=exercise_id)
    submission = _new_version(
        assigned,
        earlier,
        cohort_id=cohort_id,
        user_id=user_id,
        content=content,
        upload=upload,
        entered_by_id=entered_by_id,
        idempotency_key=idempotency_key,
        today=today,
    )
    session.add(submission)
    draft = get_draft(session, cohort_id=cohort_id, user_id=user_id, exercise_id=exercise_id)
    if draft is not None:
        draft.content = {}
        draft.revision += 1
        draft.updated_at = utcnow()
        session.add(draft)
    try:
        session.flush()
    except Exception:
        if submission.file_name and upload is not None:
            (upload.uploads_dir / submission.file_name).unlink(missing_ok=True)
        raise
    # Whoever listens hears of it in this transaction (mentoring tells the mentor, once).
    events.submitted(session, submission)
    return submission


def _new_version(
    assigned: Assigned,
    earlier: Sequence[Submission],
    *,
    cohort_id: int,
    user_id: int,
    content: dict[str, Any],
    upload: uploads.Upload | None,
    entered_by_id: int | None,
    idempotency_key: str | None,
    today: date,
) -> Submission:
    """The next version of an assigned exercise, unsaved, if the rules allow it (see
    `submit`); an upload is stored once everything else has been checked."""
    exercise = assigned.exercise
    refusal = can_submit(exercise, earlier)
    if refusal:
        raise SubmissionRefused(refusal)
    errors = answer_errors(exercise, content)
    if errors:
        raise SubmissionInvalid(errors)
    checked: uploads.CheckedUpload | None = None
    if exercise.type == "upload":
        if upload is None or not upload.data:
            raise SubmissionInvalid({"file": _("Choose a file to upload.")})
        try:
            checked = uploads.check_upload(upload, (exercise.spec or {}).get("accept"))
        except uploads.UploadRefused as refused:
            raise SubmissionInvalid({"file": str(refused)}) from refused
    submission = Submission(
        cohort_id=cohort_id,
        user_id=user_id,
        exercise_id=exercise.id or 0,
        version=(earlier[-1].version + 1) if earlier else 1,
        content=content,
        status=SubmissionStatus.SCORED
        if exercise.type in AUTO_SCORED
        else SubmissionStatus.SUBMITTED,
        late=today > assigned.planned.due_on,
        entered_by_id=entered_by_id,
        idempotency_key=idempotency_key or None,
        submitted_at=utcnow(),
    )
    if exercise.type == "quiz":
        submission.score = quiz_score(exercise.spec or {}, content.get("answers") or [])
    if checked is not None:
        submission.file_name = uploads.store(checked)
        submission.file_type = checked.content_type
        submission.original_name = checked.original_name
    return submission


@dataclass(frozen=True)
class NewWork:
    """One trainee's answer for `submit_many`; `at` is when it was handed in (work done
    on paper and entered later, or the demo's past weeks), now by default."""

    user_id: int
    exercise_id: int
    content: dict[str, Any]
    upload: uploads.Upload | None = None
    at: datetime | None = None


def submit_many(
    session: Session, *, cohort_id: int, work: Sequence[NewWork], entered_by_id: int | None = None
) -> list[Submission]:
    """Submit many trainees' answers at once with `submit`'s rules, each judged on the
    day it was handed in; a refusal of any of them raises before anything is written
    (uploads already stored are removed). A fixed number of queries however many
    answers; drafts are left alone. Nobody is told (no `events`): this enters past work
    in bulk, as the demo does, where one message per answer would be noise."""
    if not work:
        return []
    user_ids = sorted({w.user_id for w in work})
    circle_of: dict[int, int | None] = dict(
        session.exec(
            select(Membership.user_id, Membership.circle_id).where(
                Membership.cohort_id == cohort_id,
                col(Membership.user_id).in_(user_ids),
                Membership.role == Role.TRAINEE.value,
            )
        ).all()
    )
    plans = plan_for_cohort(session, cohort_id)
    exercise_ids = sorted({w.exercise_id for w in work})
    exercises = {
        e.id: e for e in session.exec(select(Exercise).where(col(Exercise.id).in_(exercise_ids)))
    }
    modules = {
        m.id: m
        for m in session.exec(
            select(Module).where(col(Module.id).in_({e.module_id for e in exercises.values()}))
        )
    }
    earlier: dict[tuple[int, int], list[Submission]] = {}
    for found in session.exec(
        select(Submission)
        .where(
            Submission.cohort_id == cohort_id,
            col(Submission.user_id).in_(user_ids),
            col(Submission.exercise_id).in_(exercise_ids),
        )
        .order_by(col(Submission.version))
    ):
        earlier.setdefault((found.user_id, found.exercise_id), []).append(found)
    made: list[Submission] = []
    try:
        for item in work:
            at = item.at or utcnow()
            today = at.date() if item.at else local_today()
            exercise = exercises.get(item.exercise_id)
            module = modules.get(exercise.module_id) if exercise else None
            if item.user_id not in circle_of or exercise is None or module is None:
                raise ExerciseUnavailable(_("This exercise is not part of your plan."))
            circle_id = circle_of[item.user_id]
            planned = next(
                (p for p in plans.for_circle(circle_id) if p.module_id == exercise.module_id),
                None,
            )
            if exercise.retired or module.retired or planned is None or planned.opens_on > today:
                raise ExerciseUnavailable(_("This exercise is not part of your plan."))
            versions = earlier.setdefault((item.user_id, item.exercise_id), [])
            with clock_at(at):
                submission = _new_version(
                    Assigned(exercise, module, planned, circle_id),
                    versions,
                    cohort_id=cohort_id,
                    user_id=item.user_id,
                    content=item.content,
                    upload=item.upload,
                    entered_by_id=entered_by_id,
                    idempotency_key=None,
                    today=today,
                )
            versions.append(submission)
            made.append(submission)
        session.add_all(made)
        session.flush()
    except Exception:
        for submission, sent in zip(made, work, strict=False):
            if submission.file_name and sent.upload is not None:
                (sent.upload.uploads_dir / submission.file_name).unlink(missing_ok=True)
        raise
    return made


def best_score(submissions: Sequence[Submission]) -> float | None:
    return max((s.score for s in submissions if s.score is not None), default=None)


# --- what the exercise page shows -------------------------------------------------------


@dataclass(frozen=True)
class FeedbackLine:
    id: int
    submission_id: int
    author_name: str
    author_is_trainee: bool
    body: str
    decision: str | None
    rubric_scores: dict[str, str]
    created_at: datetime
    unread: bool


@dataclass
class ExerciseState:
    draft: Draft | None
    submissions: list[Submission]  # oldest first
    feedback: dict[int, list[FeedbackLine]]
    refusal: str | None
    prefill: dict[str, Any]
    # Earlier versions of the draft, newest first.
    draft_versions: list[DraftVersion]

    @property
    def revision(self) -> int:
        return self.draft.revision if self.draft else 0

    @property
    def latest(self) -> Submission | None:
        return self.submissions[-1] if self.submissions else None

    @property
    def best_score(self) -> float | None:
        return best_score(self.submissions)

    @property
    def history(self) -> list[Submission]:
        return list(reversed(self.submissions))

    @property
    def has_unread_feedback(self) -> bool:
        """Whether the page shows comments by others that the trainee has not opened:
        only then does opening it record anything."""
        return any(line.unread for lines in self.feedback.values() for line in lines)


def exercise_state(
    session: Session, *, cohort_id: int, user_id: int, exercise: Exercise
) -> ExerciseState:
    """The trainee's draft with its earlier versions, every submitted version with its
    feedback thread (four queries), whether a new version may be submitted, and what
    the form starts with: the draft, else - after a return for revision - the last
    version's answer."""
    exercise_id = exercise.id or 0
    draft = get_draft(session, cohort_id=cohort_id, user_id=user_id, exercise_id=exercise_id)
    versions = submissions_of(
        session, cohort_id=cohort_id, user_id=user_id, exercise_id=exercise_id
    )
    feedback: dict[int, list[FeedbackLine]] = {}
    ids = [s.id for s in versions if s.id is not None]
    if ids:
        rows = session.exec(
            select(Feedback, User.display_name)
            .join(User, col(User.id) == Feedback.author_id)
            .where(col(Feedback.submission_id).in_(ids))
            .order_by(col(Feedback.created_at), col(Feedback.id))
        ).all()
        for item, name in rows:
            feedback.setdefault(item.submission_id, []).append(
                FeedbackLine(
                    id=item.id or 0,
                    submission_id=item.submission_id,
                    author_name=name,
                    author_is_trainee=item.author_id == user_id,
                    body=item.body,
                    decision=item.decision,
                    rubric_scores=item.rubric_scores or {},
                    created_at=item.created_at,
                    unread=item.read_by_trainee_at is None and item.author_id != user_id,
                )
            )
    refusal = can_submit(exercise, versions)
    prefill: dict[str, Any] = dict(draft.content) if draft and draft.content else {}
    last = versions[-1] if versions else None
    if (
        not prefill
        and last is not None
        and last.status == SubmissionStatus.RETURNED
        and exercise.type not in AUTO_SCORED
    ):
        prefill = dict(last.content or {})
    kept = drafts.versions_of(session, draft.id) if draft else []
    return ExerciseState(draft, versions, feedback, refusal, prefill, kept)


def mark_feedback_read(session: Session, *, cohort_id: int, user_id: int, exercise_id: int) -> None:
    """The trainee has opened the exercise page, which shows every comment on their
    versions: others' comments there count as read (one statement)."""
    submission_ids = select(Submission.id).where(
        Submission.cohort_id == cohort_id,
        Submission.user_id == user_id,
        Submission.exercise_id == exercise_id,
    )
    session.execute(
        update(Feedback)
        .where(
            col(Feedback.submission_id).in_(submission_ids),
            col(Feedback.read_by_trainee_at).is_(None),
            col(Feedback.author_id) != user_id,
        )
        .values(read_by_trainee_at=utcnow())
    )
