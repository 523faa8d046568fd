"""The trainer's side of submissions, tested on the service: who submitted what, the
overview counts, the fixed number of queries, and paper entry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from iil_lms.accounts.models import AuditEntry
from iil_lms.curriculum.models import PlanItem
from iil_lms.learning import trainer_service as ts
from iil_lms.learning.models import Draft, Submission, SubmissionStatus
from tests.conftest import Factory
from tests.learning.trainer_factories import planned_module


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def submit(
    session: Session,
    cohort_id: int,
    user_id: int,
    exercise_id: int,
    *,
    version: int = 1,
    status: str = SubmissionStatus.SUBMITTED,
    late: bool = False,
) -> Submission:
    submission = Submission(
        cohort_id=cohort_id,
        user_id=user_id,
        exercise_id=exercise_id,
        version=version,
        status=status,
        late=late,
        content={"text": "mine"},
    )
    session.add(submission)
    session.commit()
    return submission


def test_exercise_page_shows_each_trainees_latest_version_and_status(
    session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=4, circles=2)
    cohort = made.cohort
    plan = planned_module(session, cohort)
    reflection = plan.exercises["reflection"].id or 0
    a, b, c, d = made.trainees
    submit(session, cohort.id or 0, a.id or 0, reflection, status=SubmissionStatus.RETURNED)
    submit(session, cohort.id or 0, a.id or 0, reflection, version=2, late=True)
    submit(session, cohort.id or 0, b.id or 0, reflection, status=SubmissionStatus.ACCEPTED)
    session.add(Draft(cohort_id=cohort.id or 0, user_id=c.id or 0, exercise_id=reflection))
    session.commit()

    page = ts.exercise_submissions(session, cohort, reflection)
    assert page is not None
    rows = {r.trainee_id: r for r in page.rows}
    assert rows[a.id or 0].status == SubmissionStatus.SUBMITTED
    assert (rows[a.id or 0].version, rows[a.id or 0].versions, rows[a.id or 0].late) == (2, 2, True)
    assert rows[b.id or 0].status == SubmissionStatus.ACCEPTED
    assert rows[c.id or 0].status == ts.DRAFT
    assert rows[d.id or 0].status == ts.NOT_STARTED
    assert rows[d.id or 0].due_on == date(2026, 10, 9)

    circle = made.circles[0].id
    filtered = ts.exercise_submissions(session, cohort, reflection, circle_id=circle)
    assert filtered is not None
    assert {r.trainee_id for r in filtered.rows} == {a.id, c.id}  # trainees 1 and 3


def test_exercise_outside_the_plan_is_not_found(session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=1)
    other = factory.cohort(trainees=1)
    plan = planned_module(session, other.cohort, slug="elsewhere")
    assert ts.exercise_submissions(session, made.cohort, plan.exercises["quiz"].id or 0) is None
    assert ts.exercise_submissions(session, made.cohort, 987654) is None


def test_overview_counts_per_exercise(session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=5)
    cohort_id = made.cohort.id or 0
    plan = planned_module(session, made.cohort)
    reflection = plan.exercises["reflection"].id or 0
    quiz = plan.exercises["quiz"].id or 0
    t = [u.id or 0 for u in made.trainees]
    submit(session, cohort_id, t[0], reflection)
    submit(session, cohort_id, t[1], reflection, status=SubmissionStatus.RETURNED)
    submit(session, cohort_id, t[2], reflection, status=SubmissionStatus.RETURNED)
    submit(session, cohort_id, t[2], reflection, version=2, status=SubmissionStatus.ACCEPTED)
    submit(session, cohort_id, t[0], quiz, status=SubmissionStatus.SCORED)
    session.add(Draft(cohort_id=cohort_id, user_id=t[3], exercise_id=reflection))
    session.add(Draft(cohort_id=cohort_id, user_id=t[0], exercise_id=reflection))  # submitted
    session.commit()

    overview = ts.submissions_overview(session, made.cohort)
    assert overview.trainee_count == 5
    [module] = overview.modules
    counts = {e.exercise_id: e for e in module.exercises}
    r = counts[reflection]
    assert (r.submitted, r.awaiting, r.returned, r.accepted, r.drafting, r.not_started) == (
        3,
        1,
        1,
        1,
        1,
        1,
    )
    q = counts[quiz]
    assert (q.submitted, q.accepted, q.not_started) == (1, 1, 4)
    assert overview.awaiting == 1


def test_removed_module_leaves_the_overview(session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=1)
    plan = planned_module(session, made.cohort)
    item = session.exec(select(PlanItem).where(PlanItem.id == plan.plan_item.id)).one()  # type: ignore[union-attr]
    item.removed = True
    session.add(item)
    session.commit()
    assert ts.submissions_overview(session, made.cohort).modules == []


@pytest.mark.parametrize("page", ["overview", "exercise"])
def test_pages_issue_the_same_statements_for_5_and_50_trainees(
    session: Session, factory: Factory, engine: Engine, page: str
) -> None:
    counts = []
    for size in (5, 50):
        made = factory.cohort(trainees=size, circles=3)
        plan = planned_module(session, made.cohort, slug=f"module-{size}")
        reflection = plan.exercises["reflection"].id or 0
        for i, trainee in enumerate(made.trainees):
            if i % 2:
                submit(session, made.cohort.id or 0, trainee.id or 0, reflection)
            if i % 3 == 0:
                session.add(
                    Draft(
                        cohort_id=made.cohort.id or 0,
                        user_id=trainee.id or 0,
                        exercise_id=reflection,
                    )
                )
        session.commit()
        session.expire_all()
        with count_statements(engine) as statements:
            if page == "overview":
                ts.submissions_overview(session, made.cohort, made.circles[0].id)
            else:
                ts.exercise_submissions(session, made.cohort, reflection)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- paper entry -------------------------------------------------------------------------


def test_paper_entry_makes_the_next_version_entered_by_the_trainer(
    session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=1)
    plan = planned_module(session, made.cohort)
    trainee, trainer = made.trainees[0], made.trainers[0]
    reflection = plan.exercises["reflection"].id or 0
    submit(
        session, made.cohort.id or 0, trainee.id or 0, reflection, status=SubmissionStatus.RETURNED
    )

    entered = ts.enter_paper_submission(
        session,
        cohort=made.cohort,
        exercise_id=reflection,
        trainee_id=trainee.id or 0,
        entered_by_id=trainer.id or 0,
        form={"answer": ["Written at the convening."]},
        done_on=date(2026, 10, 2),
        today=date(2026, 10, 20),
    )
    session.commit()
    assert entered.version == 2
    assert entered.entered_by_id == trainer.id
    assert entered.content == {"answer": "Written at the convening."}
    assert entered.status == SubmissionStatus.SUBMITTED
    assert entered.late is False  # done before the due date, typed in later
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "submission.paper_entry")
    ).one()
    assert entry.actor_id == trainer.id
    assert entry.subject == f"submission:{entered.id}"


ACTION_PLAN = {
    "problem": ["Queues at the tehsil office"],
    "who_is_affected": ["Farmers who travel far"],
    "idea": ["A token system"],
    "first_steps": ["Ask the clerk"],
    "measures_of_success": ["Shorter waits"],
}


def test_paper_entry_after_the_due_date_is_late(session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=1)
    plan = planned_module(session, made.cohort, due_on=date(2026, 10, 9))
    entered = ts.enter_paper_submission(
        session,
        cohort=made.cohort,
        exercise_id=plan.exercises["action_plan"].id or 0,
        trainee_id=made.trainees[0].id or 0,
        entered_by_id=made.trainers[0].id or 0,
        form=ACTION_PLAN,
        today=date(2026, 10, 10),
    )
    assert entered.late is True
    assert entered.version == 1
    assert entered.content["problem"] == "Queues at the tehsil office"


def test_paper_entry_sent_twice_is_recorded_once(session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=1)
    plan = planned_module(session, made.cohort)
    args = {
        "cohort": made.cohort,
        "exercise_id": plan.exercises["action_plan"].id or 0,
        "trainee_id": made.trainees[0].id or 0,
        "entered_by_id": made.trainers[0].id or 0,
        "form": ACTION_PLAN,
        "idempotency_key": "paper-abc",
        "today": date(2026, 10, 1),
    }
    first = ts.enter_paper_submission(session, **args)  # type: ignore[arg-type]
    again = ts.enter_paper_submission(session, **args)  # type: ignore[arg-type]
    assert first.id == again.id
    assert len(session.exec(select(Submission)).all()) == 1


def test_paper_quiz_is_scored_and_respects_attempts(session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=1)
    plan = planned_module(session, made.cohort)
    quiz = plan.exercises["quiz"].id or 0
    args = {
        "cohort": made.cohort,
        "exercise_id": quiz,
        "trainee_id": made.trainees[0].id or 0,
        "entered_by_id": made.trainers[0].id or 0,
        "today": date(2026, 10, 1),
    }
    first = ts.enter_paper_submission(session, form={"q0": ["0"], "q1": ["0"]}, **args)  # type: ignore[arg-type]
    assert (first.status, first.score) == (SubmissionStatus.SCORED, 50.0)
    second = ts.enter_paper_submission(session, form={"q0": ["0"], "q1": ["0", "1"]}, **args)  # type: ignore[arg-type]
    assert (second.version, second.score) == (2, 100.0)
    with pytest.raises(ts.PaperEntryInvalid) as refused:
        ts.enter_paper_submission(session, form={"q0": ["0"], "q1": ["0", "1"]}, **args)  # type: ignore[arg-type]
    assert "attempt" in refused.value.errors["trainee_id"]


@pytest.mark.parametrize(
    ("kind", "form", "field"),
    [
        ("reflection", {"answer": ["   "]}, "answer"),
        ("case_study", {"answer_0": ["Refuse it"]}, "answer_1"),
        ("quiz", {"q0": ["7"], "q1": ["0"]}, "q0"),
        ("survey", {"rating_0": ["6"], "rating_1": ["3"]}, "rating_0"),
        ("action_plan", {"problem": ["Queues"]}, "idea"),
        ("upload", {}, "file"),
    ],
)
def test_paper_entry_refuses_incomplete_answers(
    session: Session, factory: Factory, kind: str, form: dict[str, list[str]], field: str
) -> None:
    made = factory.cohort(trainees=1)
    plan = planned_module(session, made.cohort)
    with pytest.raises(ts.PaperEntryInvalid) as refused:
        ts.enter_paper_submission(
            session,
            cohort=made.cohort,
            exercise_id=plan.exercises[kind].id or 0,
            trainee_id=made.trainees[0].id or 0,
            entered_by_id=made.trainers[0].id or 0,
            form=form,
            today=date(2026, 10, 1),
        )
    assert field in refused.value.errors
    assert session.exec(select(Submission)).all() == []


def test_paper_entry_refuses_other_cohorts_trainee_pending_work_and_future_days(
    session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=1)
    other = factory.cohort(trainees=1)
    plan = planned_module(session, made.cohort)
    reflection = plan.exercises["reflection"].id or 0
    base = {
        "cohort": made.cohort,
        "exercise_id": reflection,
        "entered_by_id": made.trainers[0].id or 0,
        "form": {"answer": ["On paper"]},
        "today": date(2026, 10, 1),
    }
    with pytest.raises(ts.PaperEntryInvalid) as refused:
        ts.enter_paper_submission(session, trainee_id=other.trainees[0].id or 0, **base)  # type: ignore[arg-type]
    assert "trainee_id" in refused.value.errors
    trainee = made.trainees[0].id or 0
    with pytest.raises(ts.PaperEntryInvalid) as future:
        ts.enter_paper_submission(session, trainee_id=trainee, done_on=date(2026, 10, 5), **base)  # type: ignore[arg-type]
    assert "done_on" in future.value.errors
    with pytest.raises(ts.PaperEntryInvalid) as too_early:
        ts.enter_paper_submission(session, trainee_id=trainee, done_on=date(2026, 9, 1), **base)  # type: ignore[arg-type]
    assert "open" in too_early.value.errors["trainee_id"]
    submit(session, made.cohort.id or 0, trainee, reflection)
    with pytest.raises(ts.PaperEntryInvalid) as pending:
        ts.enter_paper_submission(session, trainee_id=trainee, **base)  # type: ignore[arg-type]
    assert "review" in pending.value.errors["trainee_id"]
