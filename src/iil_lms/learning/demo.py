"""Demo work in the Pakistan cohort, so that a mentor has submissions to review, a trainer
sees who submitted and how far the cohort is, and the journey maps differ: trainees 101 to
275 have worked through the first modules of the plan in five patterns (nothing yet,
waiting for review, accepted, returned with feedback, the whole module done). Trainees 001
to 100 start fresh, so a demo walk-through starts from an empty journey. Written only when
the cohort has no submission yet, so running the demo again changes nothing. Nobody is
notified: this is set-up, not news."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Cohort, Membership, Role
from iil_lms.curriculum.models import Exercise, PlanItem
from iil_lms.learning.answers import ACTION_PLAN_FIELDS, quiz_score
from iil_lms.learning.models import Feedback, Submission, SubmissionStatus
from iil_lms.mentoring.models import MentorAssignment

COHORT = "ctp-2026"
FIRST_ACTIVE_TRAINEE = 100  # trainees after the first hundred (by email) have done work
MODULES_WORKED = 2  # the first modules of the plan, by opening date

REFLECTIONS = (
    "At the district accounts office a pensioner was told to come back next week unless he "
    "'helped the file along'. A junior clerk took the file to the superintendent instead. "
    "The rules test and the fairness test were passed only because one person refused.",
    "In my training posting I saw land record copies issued the same day to people who knew "
    "the patwari and after weeks to everyone else. Publishing the queue would pass the "
    "openness test; today the office fails it.",
    "A school head asked me to sign an attendance sheet for a teacher who was absent. I "
    "said no, but I did not report it. Next time I would explain the rule to both of them "
    "and write it down.",
)
CASE_ANSWERS = (
    "Register the FIR tonight: the law requires it and the delay only moves the cost to "
    "the citizen.",
    "The station gains better figures for a month; citizens lose trust and stop reporting.",
    "Write down the instruction, register the case and tell the senior why.",
)
FEEDBACK = {
    SubmissionStatus.ACCEPTED: "Clear and honest. You used the four tests well.",
    SubmissionStatus.RETURNED: "A good start. Say who is affected and what you would do "
    "differently; then send it again.",
}


def seed_demo(session: Session) -> int:
    """Submissions and feedback for the Pakistan demo cohort; returns how many were written."""
    cohort = session.exec(select(Cohort).where(Cohort.slug == COHORT)).first()
    if cohort is None or cohort.id is None:
        return 0
    if session.exec(select(Submission.id).where(Submission.cohort_id == cohort.id)).first():
        return 0
    modules = _first_planned_modules(session, cohort.id)
    if not modules:
        return 0
    exercises = session.exec(
        select(Exercise)
        .where(col(Exercise.module_id).in_(list(modules)), col(Exercise.retired).is_(False))
        .order_by(col(Exercise.module_id), col(Exercise.position))
    ).all()
    mentors = dict(
        session.execute(
            sa_select(col(MentorAssignment.trainee_id), col(MentorAssignment.mentor_id)).where(
                col(MentorAssignment.cohort_id) == cohort.id,
                col(MentorAssignment.ended_at).is_(None),
            )
        ).all()
    )
    trainees = session.exec(
        select(User.id)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.cohort_id == cohort.id, Membership.role == Role.TRAINEE)
        .order_by(col(User.email))
    ).all()
    written = 0
    for index, trainee_id in enumerate(trainees[FIRST_ACTIVE_TRAINEE:], FIRST_ACTIVE_TRAINEE):
        pattern = index % 5
        if pattern == 0 or trainee_id is None:
            continue
        # Patterns 1-3 have done the first exercise only; pattern 4 everything listed.
        chosen = exercises if pattern == 4 else exercises[:1]
        for offset, exercise in enumerate(chosen):
            if exercise.type == "upload":
                continue  # a demo has no files to show
            opens_on, due_on = modules[exercise.module_id]
            sent = datetime.combine(
                opens_on + timedelta(days=3 + (index + offset) % 12), time(10), tzinfo=UTC
            )
            outcome = {1: SubmissionStatus.SUBMITTED, 2: SubmissionStatus.ACCEPTED}.get(
                pattern, SubmissionStatus.RETURNED if pattern == 3 else SubmissionStatus.ACCEPTED
            )
            submission = _submission(cohort.id, trainee_id, exercise, index, sent, outcome)
            submission.late = sent.date() > due_on
            mentor_id = mentors.get(trainee_id)
            if submission.status in FEEDBACK and mentor_id is not None:
                submission.reviewed_at = sent + timedelta(days=2)
                submission.reviewed_by_id = mentor_id
            session.add(submission)
            session.flush()
            if submission.reviewed_by_id is not None:
                session.add(
                    Feedback(
                        submission_id=submission.id or 0,
                        author_id=submission.reviewed_by_id,
                        body=FEEDBACK[submission.status],
                        decision=submission.status,
                        created_at=submission.reviewed_at or sent,
                    )
                )
            written += 1
    session.flush()
    return written


def _first_planned_modules(session: Session, cohort_id: int) -> dict[int, tuple[date, date]]:
    """module id -> (opens on, due on) for the cohort-wide plan's first modules."""
    rows = session.execute(
        sa_select(col(PlanItem.module_id), col(PlanItem.opens_on), col(PlanItem.due_on))
        .where(
            col(PlanItem.cohort_id) == cohort_id,
            col(PlanItem.circle_id).is_(None),
            col(PlanItem.removed).is_(False),
        )
        .order_by(col(PlanItem.opens_on), col(PlanItem.module_id))
        .limit(MODULES_WORKED)
    ).all()
    return {module_id: (opens_on, due_on) for module_id, opens_on, due_on in rows}


def _submission(
    cohort_id: int, trainee_id: int, exercise: Exercise, index: int, sent: datetime, outcome: str
) -> Submission:
    """A first version of `exercise` answered in a way that fits its type."""
    spec: dict[str, Any] = exercise.spec or {}
    submission = Submission(
        cohort_id=cohort_id,
        user_id=trainee_id,
        exercise_id=exercise.id or 0,
        submitted_at=sent,
        status=outcome,
    )
    kind = exercise.type
    if kind == "quiz":
        # Right answers, except that every third trainee misses the first question.
        answers = [
            [j for j, option in enumerate(q.get("options") or []) if option.get("correct")]
            for q in spec.get("questions") or []
        ]
        if answers and index % 3 == 0:
            answers[0] = [0] if answers[0] != [0] else [1]
        submission.content = {"answers": answers}
        submission.score = quiz_score(spec, answers)
        submission.status = SubmissionStatus.SCORED
    elif kind == "survey":
        submission.content = {
            "ratings": [3 + (index + i) % 3 for i in range(len(spec.get("statements") or []))],
            "answers": ["The case studies." for _ in spec.get("questions") or []],
        }
        submission.status = SubmissionStatus.SCORED
    elif kind == "case_study":
        questions = spec.get("questions") or []
        submission.content = {
            "answers": [CASE_ANSWERS[i % len(CASE_ANSWERS)] for i in range(len(questions))]
        }
    elif kind == "action_plan":
        submission.content = {name: REFLECTIONS[index % 3] for name, _label in ACTION_PLAN_FIELDS}
    else:
        submission.content = {"answer": REFLECTIONS[index % len(REFLECTIONS)]}
    return submission
