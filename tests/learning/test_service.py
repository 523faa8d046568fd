"""The trainee's rules, tested without HTTP: scoring, versions, lateness, refusals,
idempotent submit, drafts across tabs, upload checks and milestone completion."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from iil_lms.curriculum.models import PlanItem
from iil_lms.learning import answers, journey, service, uploads
from iil_lms.learning.models import Draft, Submission, SubmissionStatus
from tests.conftest import Factory
from tests.learning.factories import QUIZ, course, today

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


def _submit(
    session: Session, made: Any, user: Any, exercise: Any, content: dict[str, Any], **kw: Any
) -> Submission:
    result = service.submit(
        session,
        cohort_id=made.cohort.id,
        user_id=user.id,
        exercise_id=exercise.id,
        content=content,
        **kw,
    )
    session.commit()
    return result


@pytest.fixture
def world(session: Session, factory: Factory) -> tuple[Any, Any]:
    made = factory.cohort(trainees=2, circles=1)
    return made, course(session, made.cohort, milestones=2)


# --- quiz scoring -----------------------------------------------------------------------


def test_quiz_single_and_multiple_choice_need_exact_answers() -> None:
    assert answers.quiz_score(QUIZ, [[0], [0, 1]]) == 100.0
    assert answers.quiz_score(QUIZ, [[0], [0]]) == 50.0  # one correct option missing
    assert answers.quiz_score(QUIZ, [[1], [0, 1, 2]]) == 0.0  # a wrong option chosen
    assert answers.quiz_score(QUIZ, []) == 0.0


def test_quiz_keeps_best_score_and_enforces_attempt_limit(
    session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=1)
    limited = {**QUIZ, "attempts": 2}
    c = course(session, made.cohort, types=("quiz",), specs={"quiz": limited})
    trainee, quiz = made.trainees[0], c.exercises["quiz"]
    first = _submit(session, made, trainee, quiz, {"answers": [[0], [0, 1]]})
    second = _submit(session, made, trainee, quiz, {"answers": [[1], [2]]})
    assert (first.version, first.score, second.version, second.score) == (1, 100.0, 2, 0.0)
    assert first.status == second.status == SubmissionStatus.SCORED
    versions = service.submissions_of(
        session, cohort_id=made.cohort.id, user_id=trainee.id, exercise_id=quiz.id
    )
    assert service.best_score(versions) == 100.0
    with pytest.raises(service.SubmissionRefused, match="all 2 attempts"):
        _submit(session, made, trainee, quiz, {"answers": [[0], [0, 1]]})


def test_quiz_without_limit_allows_many_attempts(world: tuple[Any, Any], session: Session) -> None:
    made, c = world
    for _ in range(4):
        _submit(session, made, made.trainees[0], c.exercises["quiz"], {"answers": [[1], [2]]})
    assert answers.attempts_allowed(c.exercises["quiz"]) is None


def test_quiz_must_answer_every_question(world: tuple[Any, Any], session: Session) -> None:
    made, c = world
    with pytest.raises(service.SubmissionInvalid) as invalid:
        _submit(session, made, made.trainees[0], c.exercises["quiz"], {"answers": [[0], []]})
    assert set(invalid.value.errors) == {"q1"}


def test_answer_from_form_ignores_out_of_range_and_extra_choices(world: tuple[Any, Any]) -> None:
    _made, c = world
    answer = answers.answer_from_form(
        c.exercises["quiz"], {"q0": ["0", "1"], "q1": ["2", "9", "x"]}
    )
    assert answer == {"answers": [[0], [2]]}


# --- versions, resubmission, lateness ---------------------------------------------------


def test_resubmission_only_after_return_and_history_kept(
    world: tuple[Any, Any], session: Session
) -> None:
    made, c = world
    trainee, reflection = made.trainees[0], c.exercises["reflection"]
    first = _submit(session, made, trainee, reflection, {"answer": "First thoughts"})
    assert (first.version, first.status, first.late) == (1, SubmissionStatus.SUBMITTED, False)
    with pytest.raises(service.SubmissionRefused, match="waiting for review"):
        _submit(session, made, trainee, reflection, {"answer": "Again"})
    first.status = SubmissionStatus.RETURNED
    session.add(first)
    session.commit()
    second = _submit(session, made, trainee, reflection, {"answer": "Better thoughts"})
    assert second.version == 2
    versions = service.submissions_of(
        session, cohort_id=made.cohort.id, user_id=trainee.id, exercise_id=reflection.id
    )
    assert [v.content["answer"] for v in versions] == ["First thoughts", "Better thoughts"]
    second.status = SubmissionStatus.ACCEPTED
    session.add(second)
    session.commit()
    with pytest.raises(service.SubmissionRefused, match="accepted"):
        _submit(session, made, trainee, reflection, {"answer": "More"})


def test_submit_clears_the_draft(world: tuple[Any, Any], session: Session) -> None:
    made, c = world
    trainee, reflection = made.trainees[0], c.exercises["reflection"]
    service.save_draft(
        session,
        cohort_id=made.cohort.id,
        user_id=trainee.id,
        exercise_id=reflection.id,
        content={"answer": "typing"},
        base_revision=0,
    )
    _submit(session, made, trainee, reflection, {"answer": "typing"})
    draft = session.exec(select(Draft)).one()
    assert draft.content == {} and draft.revision == 2


def test_late_submission_is_accepted_and_marked_late(session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=1)
    c = course(
        session,
        made.cohort,
        types=("reflection",),
        opens_on=today() - timedelta(days=30),
        due_on=today() - timedelta(days=1),
    )
    submission = _submit(
        session, made, made.trainees[0], c.exercises["reflection"], {"answer": "Late"}
    )
    assert submission.late is True


def test_incomplete_answers_name_the_fields(world: tuple[Any, Any], session: Session) -> None:
    made, c = world
    trainee = made.trainees[0]
    with pytest.raises(service.SubmissionInvalid) as plan:
        _submit(
            session, made, trainee, c.exercises["action_plan"], {"problem": "Queues", "idea": " "}
        )
    assert set(plan.value.errors) == {
        "who_is_affected",
        "idea",
        "first_steps",
        "measures_of_success",
    }
    with pytest.raises(service.SubmissionInvalid) as case:
        _submit(session, made, trainee, c.exercises["case_study"], {"answers": ["Refuse", ""]})
    assert set(case.value.errors) == {"answer_1"}
    with pytest.raises(service.SubmissionInvalid) as survey:
        _submit(
            session, made, trainee, c.exercises["survey"], {"ratings": [4, None], "answers": [""]}
        )
    assert set(survey.value.errors) == {"rating_1"}
    assert session.exec(select(Submission)).all() == []


# --- refusals: 404 material -------------------------------------------------------------


def test_refuses_exercise_of_another_cohort(session: Session, factory: Factory) -> None:
    a = factory.cohort(trainees=1)
    b = factory.cohort(trainees=1)
    c = course(session, b.cohort, types=("reflection",))
    with pytest.raises(service.ExerciseUnavailable):
        _submit(session, a, a.trainees[0], c.exercises["reflection"], {"answer": "x"})
    # Nor may someone who is not a trainee of cohort B submit under cohort B's id.
    with pytest.raises(service.ExerciseUnavailable):
        _submit(session, b, a.trainees[0], c.exercises["reflection"], {"answer": "x"})


def test_refuses_not_open_removed_retired_and_unplanned(session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=1)
    trainee = made.trainees[0]
    future = course(
        session, made.cohort, types=("reflection",), opens_on=today() + timedelta(days=3)
    )
    with pytest.raises(service.ExerciseUnavailable):
        _submit(session, made, trainee, future.exercises["reflection"], {"answer": "x"})
    open_now = course(session, made.cohort, types=("reflection", "case_study"))
    retired = open_now.exercises["case_study"]
    retired.retired = True
    session.add(retired)
    session.commit()
    with pytest.raises(service.ExerciseUnavailable):
        _submit(session, made, trainee, retired, {"answers": ["a", "b"]})
    item = session.exec(select(PlanItem).where(PlanItem.module_id == open_now.modules[0].id)).one()
    item.removed = True
    session.add(item)
    session.commit()
    with pytest.raises(service.ExerciseUnavailable):
        _submit(session, made, trainee, open_now.exercises["reflection"], {"answer": "x"})
    unplanned = course(session, None, types=("reflection",))
    with pytest.raises(service.ExerciseUnavailable):
        _submit(session, made, trainee, unplanned.exercises["reflection"], {"answer": "x"})


def test_circle_override_removing_a_module_refuses_its_trainees(
    session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=2, circles=2)
    c = course(session, made.cohort, types=("reflection",))
    circle = made.circles[0]
    item = c.plan[c.modules[0].id]
    session.add(
        PlanItem(
            cohort_id=made.cohort.id,
            module_id=c.modules[0].id,
            circle_id=circle.id,
            opens_on=item.opens_on,
            due_on=item.due_on,
            removed=True,
        )
    )
    session.commit()
    in_circle, other = made.trainees  # trainee i sits in circle i % 2
    with pytest.raises(service.ExerciseUnavailable):
        _submit(session, made, in_circle, c.exercises["reflection"], {"answer": "x"})
    assert _submit(session, made, other, c.exercises["reflection"], {"answer": "x"}).version == 1


# --- idempotency and drafts -------------------------------------------------------------


def test_same_idempotency_key_twice_creates_one_submission(
    world: tuple[Any, Any], session: Session
) -> None:
    made, c = world
    trainee, reflection = made.trainees[0], c.exercises["reflection"]
    first = _submit(session, made, trainee, reflection, {"answer": "Once"}, idempotency_key="k-1")
    again = _submit(session, made, trainee, reflection, {"answer": "Once"}, idempotency_key="k-1")
    assert first.id == again.id
    assert len(session.exec(select(Submission)).all()) == 1


def test_draft_save_from_stale_tab_wins_but_is_told(
    world: tuple[Any, Any], session: Session
) -> None:
    made, c = world
    args = {
        "cohort_id": made.cohort.id,
        "user_id": made.trainees[0].id,
        "exercise_id": c.exercises["reflection"].id,
    }
    tab_a = service.save_draft(session, content={"answer": "A1"}, base_revision=0, **args)
    tab_b = service.save_draft(session, content={"answer": "B1"}, base_revision=1, **args)
    stale = service.save_draft(session, content={"answer": "A2"}, base_revision=1, **args)
    assert (tab_a.revision, tab_a.overwrote_newer) == (1, False)
    assert (tab_b.revision, tab_b.overwrote_newer) == (2, False)
    assert (stale.revision, stale.overwrote_newer) == (3, True)
    draft = service.get_draft(session, **args)
    assert draft is not None and draft.content == {"answer": "A2"}


def test_draft_for_unassigned_exercise_is_refused(session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=1)
    other = course(session, None, types=("reflection",))
    with pytest.raises(service.ExerciseUnavailable):
        service.save_draft(
            session,
            cohort_id=made.cohort.id,
            user_id=made.trainees[0].id,
            exercise_id=other.exercises["reflection"].id,
            content={},
            base_revision=0,
        )


# --- uploads ----------------------------------------------------------------------------


def _upload(tmp_path: Path, data: bytes, name: str, max_bytes: int = 1024) -> uploads.Upload:
    return uploads.Upload(
        data=data, original_name=name, uploads_dir=tmp_path / "up", max_bytes=max_bytes
    )


def test_upload_type_is_sniffed_not_taken_from_the_name(
    world: tuple[Any, Any], session: Session, tmp_path: Path
) -> None:
    made, c = world
    submission = _submit(
        session,
        made,
        made.trainees[0],
        c.exercises["upload"],
        {"note": ""},
        upload=_upload(tmp_path, PNG, "tree.pdf"),
    )
    assert submission.file_type == "image/png"
    assert submission.file_name is not None and submission.file_name.endswith(".png")
    assert submission.original_name == "tree.pdf"
    assert (tmp_path / "up" / submission.file_name).read_bytes() == PNG


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "poster.png", "not accepted"),
        (b"MZ\x90\x00" + b"\x00" * 60, "photo.png", "not accepted"),
        (PNG + b"\x00" * 2000, "big.png", "too large"),
        (b"", "empty.png", "Choose a file"),
    ],
)
def test_bad_uploads_store_nothing(
    world: tuple[Any, Any], session: Session, tmp_path: Path, data: bytes, name: str, message: str
) -> None:
    made, c = world
    with pytest.raises(service.SubmissionInvalid) as invalid:
        _submit(
            session,
            made,
            made.trainees[0],
            c.exercises["upload"],
            {"note": ""},
            upload=_upload(tmp_path, data, name),
        )
    assert message in invalid.value.errors["file"]
    assert session.exec(select(Submission)).all() == []
    assert not (tmp_path / "up").exists() or not any((tmp_path / "up").rglob("*.*"))


def test_upload_accepts_only_the_kinds_the_exercise_lists(
    session: Session, factory: Factory, tmp_path: Path
) -> None:
    made = factory.cohort(trainees=1)
    c = course(
        session,
        made.cohort,
        types=("upload",),
        specs={"upload": {"prompt": "p", "accept": ["pdf"]}},
    )
    with pytest.raises(service.SubmissionInvalid, match="attention") as invalid:
        _submit(
            session,
            made,
            made.trainees[0],
            c.exercises["upload"],
            {},
            upload=_upload(tmp_path, PNG, "a.png"),
        )
    assert "not a PDF" in invalid.value.errors["file"]
    ok = _submit(
        session,
        made,
        made.trainees[0],
        c.exercises["upload"],
        {},
        upload=_upload(tmp_path, PDF, "a.pdf"),
    )
    assert ok.file_type == "application/pdf"


def test_path_traversal_in_the_name_does_not_reach_storage(
    world: tuple[Any, Any], session: Session, tmp_path: Path
) -> None:
    made, c = world
    submission = _submit(
        session,
        made,
        made.trainees[0],
        c.exercises["upload"],
        {},
        upload=_upload(tmp_path, PNG, "../../../etc/passwd.png"),
    )
    assert submission.original_name == "passwd.png"
    assert submission.file_name is not None and ".." not in submission.file_name
    stored = list((tmp_path / "up").rglob("*.png"))
    assert len(stored) == 1 and stored[0].parent == tmp_path / "up" / "submissions"
    assert uploads.stored_path(tmp_path / "up", "../secret") is None


def test_sniff_knows_the_accepted_types() -> None:
    assert uploads.sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert uploads.sniff(b"GIF89a....") == "image/gif"
    assert uploads.sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert uploads.sniff(PDF) == "application/pdf"
    assert uploads.sniff(b"PK\x03\x04zip") is None


# --- milestone completion ---------------------------------------------------------------


def test_milestone_done_when_every_assigned_exercise_is_done(
    session: Session, factory: Factory, tmp_path: Path
) -> None:
    made = factory.cohort(trainees=2)
    c = course(session, made.cohort, milestones=2)
    trainee = made.trainees[0]
    first_ms = c.milestones[0].id
    ex = c.exercises
    statuses = journey.milestone_statuses(session, cohort_id=made.cohort.id, user_id=trainee.id)
    assert statuses[first_ms] == journey.NOT_STARTED
    _submit(session, made, trainee, ex["quiz"], {"answers": [[1], [2]]})  # below the pass mark
    _submit(session, made, trainee, ex["survey"], {"ratings": [5, 4], "answers": ["More cases"]})
    written = [
        _submit(session, made, trainee, ex["reflection"], {"answer": "r"}),
        _submit(session, made, trainee, ex["case_study"], {"answers": ["a", "b"]}),
        _submit(
            session,
            made,
            trainee,
            ex["action_plan"],
            {k: "x" for k, _ in answers.ACTION_PLAN_FIELDS},
        ),
        _submit(session, made, trainee, ex["upload"], {}, upload=_upload(tmp_path, PNG, "t.png")),
    ]
    statuses = journey.milestone_statuses(session, cohort_id=made.cohort.id, user_id=trainee.id)
    assert statuses[first_ms] == journey.IN_PROGRESS
    for s in written:
        s.status = SubmissionStatus.ACCEPTED
        session.add(s)
    session.commit()
    # Everything accepted except the quiz, which is below the pass mark.
    assert (
        journey.milestone_statuses(session, cohort_id=made.cohort.id, user_id=trainee.id)[first_ms]
        == journey.IN_PROGRESS
    )
    _submit(session, made, trainee, ex["quiz"], {"answers": [[0], [2]]})  # 50% = pass mark
    completion = journey.completion_for_cohort(session, made.cohort.id)
    assert completion[trainee.id][first_ms] == journey.DONE
    assert completion[made.trainees[1].id][first_ms] == journey.NOT_STARTED
    assert completion[trainee.id][c.milestones[1].id] == journey.NOT_STARTED


def test_milestone_status_by_dates() -> None:
    from iil_lms.curriculum.plans import PlannedModule

    def planned(opens: int, due: int) -> PlannedModule:
        return PlannedModule(
            1,
            "m",
            "M",
            1,
            1,
            1,
            "MS",
            today() + timedelta(days=opens),
            today() + timedelta(days=due),
        )

    now = today()
    assert (
        journey.milestone_status([("todo", planned(-10, -1), False)], [planned(-10, -1)], now)
        == journey.OVERDUE
    )
    assert (
        journey.milestone_status([("todo", planned(-3, 5), False)], [planned(-3, 5)], now)
        == journey.DUE_SOON
    )
    assert (
        journey.milestone_status([("draft", planned(-3, 20), True)], [planned(-3, 20)], now)
        == journey.IN_PROGRESS
    )
    assert (
        journey.milestone_status([("todo", planned(3, 20), False)], [planned(3, 20)], now)
        == journey.NOT_STARTED
    )
    assert (
        journey.milestone_status([("done", planned(-10, -1), True)], [planned(-10, -1)], now)
        == journey.DONE
    )
    # Readings only: done once the last due date has passed.
    assert journey.milestone_status([], [planned(-10, -1)], now) == journey.DONE
    assert journey.milestone_status([], [planned(-10, 5)], now) == journey.IN_PROGRESS
