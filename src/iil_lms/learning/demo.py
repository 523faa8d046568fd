"""Demo work in the Pakistan cohort, so that on the day the demo is built the progress
page looks like a living cohort: most trainees have done everything that has fallen due
(accepted by their mentor, quizzes passed, surveys sent) and some of the open module, some
are behind (the last module that fell due not done, or work returned for revision), and a
few are ahead with the open module done too. Dates come from the cohort's plan and today.
Written only when the cohort has no submission yet, so running the demo again changes
nothing. Nobody is notified: this is set-up, not news."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Cohort, Membership, Role
from iil_lms.curriculum.models import Exercise
from iil_lms.curriculum.plans import PlannedModule, effective_plan
from iil_lms.i18n import local_today
from iil_lms.learning import uploads
from iil_lms.learning.answers import ACTION_PLAN_FIELDS, quiz_score
from iil_lms.learning.models import Feedback, Submission, SubmissionStatus
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.settings import get_settings

COHORT = "ctp-2026"
# Every BEHIND-th trainee (by email) is behind, every AHEAD-th is ahead; the rest on track.
BEHIND = 7
AHEAD = 25
# The first trainees (by email) have sent nothing of the open module, so a walk-through
# (and the browser journeys, which take trainees from the start of the list) finds its
# exercises to do and nothing of theirs waiting for the mentor.
OPEN_MODULE_UNTOUCHED = 150
# A one-pixel PNG: upload exercises in the demo carry this file.
DEMO_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a1e0d5"
    "a80000000049454e44ae426082"
)

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


def seed_demo(session: Session, today: date | None = None, uploads_dir: Path | None = None) -> int:
    """Submissions and feedback for the Pakistan demo cohort as of `today` (the academy's
    date by default); returns how many were written."""
    cohort = session.exec(select(Cohort).where(Cohort.slug == COHORT)).first()
    if cohort is None or cohort.id is None:
        return 0
    if session.exec(select(Submission.id).where(Submission.cohort_id == cohort.id)).first():
        return 0
    today = today or local_today()
    plan = [p for p in effective_plan(session, cohort.id, None) if p.opens_on <= today]
    if not plan:
        return 0
    fallen_due = [p for p in plan if p.due_on < today]
    open_now = [p for p in plan if p.due_on >= today]
    exercises: dict[int, list[Exercise]] = {}
    for exercise in session.exec(
        select(Exercise)
        .where(
            col(Exercise.module_id).in_([p.module_id for p in plan]),
            col(Exercise.retired).is_(False),
        )
        .order_by(col(Exercise.module_id), col(Exercise.position))
    ).all():
        exercises.setdefault(exercise.module_id, []).append(exercise)
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
    upload_name = _demo_upload(uploads_dir or get_settings().uploads_dir)
    now = datetime.combine(today, time(9), tzinfo=UTC)
    pending: list[tuple[Submission, int | None]] = []
    for index, trainee_id in enumerate(trainees):
        if trainee_id is None:
            continue
        mentor_id = mentors.get(trainee_id)
        for planned, exercise, outcome in _work(index, fallen_due, open_now, exercises):
            offset = 2 + (index + exercise.position) % 5
            sent = min(
                datetime.combine(planned.opens_on + timedelta(days=offset), time(10), tzinfo=UTC),
                now - timedelta(hours=2 + index % 20),
            )
            submission = _submission(cohort.id, trainee_id, exercise, index, sent, outcome)
            submission.late = sent.date() > planned.due_on
            if exercise.type == "upload":
                submission.file_name = upload_name
                submission.file_type = "image/png"
                submission.original_name = "problem-tree.png"
            if submission.status in FEEDBACK and mentor_id is not None:
                submission.reviewed_at = min(sent + timedelta(days=2), now)
                submission.reviewed_by_id = mentor_id
            elif submission.status in FEEDBACK:
                submission.status = SubmissionStatus.SUBMITTED
            pending.append((submission, mentor_id))
    session.add_all([s for s, _m in pending])
    session.flush()
    session.add_all(
        [
            Feedback(
                submission_id=s.id or 0,
                author_id=s.reviewed_by_id,
                body=FEEDBACK[s.status],
                decision=s.status,
                created_at=s.reviewed_at or s.submitted_at,
                # Read long ago: the journey's "New feedback" is for what is new.
                read_by_trainee_at=min((s.reviewed_at or now) + timedelta(days=1), now),
            )
            for s, _mentor in pending
            if s.reviewed_by_id is not None
        ]
    )
    session.flush()
    return len(pending)


def _work(
    index: int,
    fallen_due: list[PlannedModule],
    open_now: list[PlannedModule],
    exercises: dict[int, list[Exercise]],
) -> list[tuple[PlannedModule, Exercise, str]]:
    """What trainee `index` has sent: (planned module, exercise, outcome)."""
    behind = index % BEHIND == BEHIND - 2
    ahead = index % AHEAD == 3 and index >= OPEN_MODULE_UNTOUCHED
    # Half of those behind have not started the last module that fell due; the others
    # had an earlier module's first exercise returned for revision.
    returned_in = (index // 2) % max(len(fallen_due), 1)
    work: list[tuple[PlannedModule, Exercise, str]] = []
    for n, planned in enumerate(fallen_due):
        last = n == len(fallen_due) - 1
        if behind and last and index % 2 == 0:
            continue
        for k, exercise in enumerate(exercises.get(planned.module_id, [])):
            outcome = SubmissionStatus.ACCEPTED
            if behind and index % 2 == 1 and n == returned_in and k == 0:
                outcome = SubmissionStatus.RETURNED
            work.append((planned, exercise, outcome))
    for planned in open_now[:1]:
        chosen = exercises.get(planned.module_id, [])
        if not ahead:
            # On track: every third trainee after the first OPEN_MODULE_UNTOUCHED has sent
            # the open module's first exercise, waiting for the mentor; the rest to do.
            chosen = chosen[:1] if index % 3 == 0 and index >= OPEN_MODULE_UNTOUCHED else []
        for exercise in chosen:
            outcome = SubmissionStatus.ACCEPTED if ahead else SubmissionStatus.SUBMITTED
            work.append((planned, exercise, outcome))
    return work


def _demo_upload(uploads_dir: Path) -> str:
    """The demo's one stored file (written once), named as `uploads.store` names files."""
    name = f"{uploads.SUBFOLDER}/demo-problem-tree.png"
    path = uploads_dir / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(DEMO_PNG)
    return name


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
        # Right answers, except that a trainee who is behind misses the first question.
        answers = [
            [j for j, option in enumerate(q.get("options") or []) if option.get("correct")]
            for q in spec.get("questions") or []
        ]
        if answers and outcome == SubmissionStatus.RETURNED:
            answers[0] = [0] if answers[0] != [0] else [1]
        submission.content = {"answers": answers}
        submission.score = quiz_score(spec, answers)
        submission.status = SubmissionStatus.SCORED
    elif kind == "survey":
        submission.content = survey_answer(spec, f"{exercise.slug}:{trainee_id}")
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


# How strongly trainees agree, per statement (weights for ratings 1-5): mostly positive,
# each statement with its own spread, so the results pages look like a real cohort's.
AGREEMENT = ((2, 6, 18, 48, 26), (4, 12, 26, 40, 18), (1, 4, 12, 45, 38), (6, 16, 30, 34, 14))
SURVEY_COMMENTS = (
    "The case studies from district offices felt like my own workplace.",
    "More time between sessions for fieldwork, please.",
    "Mentor meetings were the most useful part.",
    "Fewer readings, more practice with real files.",
    "ضلعی دفاتر کی مثالیں بہت مفید تھیں۔",
    "Invite a senior officer to talk about transfers and postings.",
    "",
    "The learning circle helped me choose a realistic problem.",
    "",
)


def survey_answer(spec: dict[str, Any], seed: str) -> dict[str, Any]:
    """A demo trainee's answer to a feedback survey, the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not a secret
    statements = len(spec.get("statements") or [])
    return {
        "ratings": [
            rng.choices(range(1, 6), AGREEMENT[i % len(AGREEMENT)])[0] for i in range(statements)
        ],
        "answers": [rng.choice(SURVEY_COMMENTS) for _ in spec.get("questions") or []],
    }
