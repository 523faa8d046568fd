"""Demo work in the Pakistan cohort, so that on the day the demo is built the progress
page looks like a living cohort: most trainees have done everything that has fallen due
(accepted by their mentor, quizzes passed, surveys sent) and some of the open module, some
are behind (the last module that fell due not done, or work returned for revision), and a
few are ahead with the open module done too. Dates come from the cohort's plan and today;
the shape (who is behind or ahead) from cohorts.yaml. Every submission goes through
`submit` and every review through `add_feedback`, so the demo keeps the app's rules.
Written only when the cohort has no submission yet, so running the demo again changes
nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Cohort, Membership, Role
from iil_lms.curriculum.models import Exercise
from iil_lms.curriculum.plans import PlannedModule, effective_plan
from iil_lms.demo.people import cohort_spec
from iil_lms.i18n import local_today
from iil_lms.learning import service, uploads
from iil_lms.learning.answers import ACTION_PLAN_FIELDS, AUTO_SCORED
from iil_lms.learning.models import Submission, SubmissionStatus
from iil_lms.mentoring import review
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.settings import Settings, get_settings

COHORT = "ctp-2026"
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


def seed_demo(session: Session, today: date | None = None, settings: Settings | None = None) -> int:
    """Submissions and feedback for the Pakistan demo cohort as of `today` (the academy's
    date by default), each written through `learning.service.submit` and the mentor's
    `mentoring.review.add_feedback` at the hour it happened; returns how many
    submissions were written."""
    cohort = session.exec(select(Cohort).where(Cohort.slug == COHORT)).first()
    if cohort is None or cohort.id is None:
        return 0
    if session.exec(select(Submission.id).where(Submission.cohort_id == cohort.id)).first():
        return 0
    today = today or local_today()
    plan = [p for p in effective_plan(session, cohort.id, None) if p.opens_on <= today]
    if not plan:
        return 0
    shape = Shape.of(cohort_spec(COHORT))
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
    uploads_dir = (settings or get_settings()).uploads_dir
    now = datetime.combine(today, time(9), tzinfo=UTC)
    work: list[service.NewWork] = []
    outcomes: list[tuple[str, int | None, datetime]] = []
    for index, trainee_id in enumerate(trainees):
        if trainee_id is None:
            continue
        for planned, exercise, outcome in shape.work(index, fallen_due, open_now, exercises):
            offset = 2 + (index + exercise.position) % 5
            sent = min(
                datetime.combine(planned.opens_on + timedelta(days=offset), time(10), tzinfo=UTC),
                now - timedelta(hours=2 + index % 20),
            )
            upload = None
            if exercise.type == "upload":
                upload = uploads.Upload(DEMO_PNG, "problem-tree.png", uploads_dir, len(DEMO_PNG))
            work.append(
                service.NewWork(
                    trainee_id,
                    exercise.id or 0,
                    answer(exercise, trainee_id, index, outcome),
                    upload,
                    sent,
                )
            )
            reviewer = mentors.get(trainee_id) if exercise.type not in AUTO_SCORED else None
            outcomes.append((outcome, reviewer, sent))
    submissions = service.submit_many(session, cohort_id=cohort.id, work=work)
    # The mentors decide two days after the work came in; the trainee reads it a day later
    # (the journey's "New feedback" is for what is new).
    reviewed = [
        (submission, outcome, mentor_id, min(sent + timedelta(days=2), now))
        for submission, (outcome, mentor_id, sent) in zip(submissions, outcomes, strict=True)
        if outcome in FEEDBACK and mentor_id is not None
    ]
    review.review_many(
        session,
        [
            review.MentorReview(s.id or 0, mentor_id, FEEDBACK[outcome], outcome, at)
            for s, outcome, mentor_id, at in reviewed
        ],
    )
    review.mark_read_many(
        session,
        [(s.id or 0, s.user_id, min(at + timedelta(days=1), now)) for s, _o, _m, at in reviewed],
    )
    return len(submissions)


@dataclass(frozen=True)
class Shape:
    """Who is behind, ahead or on track (cohorts.yaml's `work`), by index in email order."""

    behind_every: int
    ahead_every: int
    untouched: int

    @classmethod
    def of(cls, spec: dict[str, Any]) -> Shape:
        return cls(**spec["work"])

    def work(
        self,
        index: int,
        fallen_due: list[PlannedModule],
        open_now: list[PlannedModule],
        exercises: dict[int, list[Exercise]],
    ) -> list[tuple[PlannedModule, Exercise, str]]:
        """What trainee `index` has sent: (planned module, exercise, outcome)."""
        behind = index % self.behind_every == self.behind_every - 2
        ahead = index % self.ahead_every == 3 and index >= self.untouched
        # Half of those behind have not started the last module that fell due; the
        # others had an earlier module's first exercise returned for revision.
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
                # On track: every third trainee after the untouched ones has sent the open
                # module's first exercise, waiting for the mentor; the rest to do.
                chosen = chosen[:1] if index % 3 == 0 and index >= self.untouched else []
            for exercise in chosen:
                outcome = SubmissionStatus.ACCEPTED if ahead else SubmissionStatus.SUBMITTED
                work.append((planned, exercise, outcome))
        return work


def answer(exercise: Exercise, trainee_id: int, index: int, outcome: str) -> dict[str, Any]:
    """A complete answer to `exercise` that fits its type: a quiz answered right, except
    that work to be returned misses the first question."""
    spec: dict[str, Any] = exercise.spec or {}
    kind = exercise.type
    if kind == "quiz":
        answers = [
            [j for j, option in enumerate(q.get("options") or []) if option.get("correct")]
            for q in spec.get("questions") or []
        ]
        if answers and outcome == SubmissionStatus.RETURNED:
            answers[0] = [0] if answers[0] != [0] else [1]
        return {"answers": answers}
    if kind == "survey":
        return survey_answer(spec, f"{exercise.slug}:{trainee_id}")
    if kind == "case_study":
        questions = spec.get("questions") or []
        return {"answers": [CASE_ANSWERS[i % len(CASE_ANSWERS)] for i in range(len(questions))]}
    if kind == "action_plan":
        return {name: REFLECTIONS[index % 3] for name, _label in ACTION_PLAN_FIELDS}
    return {"answer": REFLECTIONS[index % len(REFLECTIONS)]}


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
