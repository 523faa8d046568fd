"""The trainer's submission pages and paper entry through HTTP, with who may open them."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session, select

from iil_lms.learning.models import Submission, SubmissionStatus
from tests.conftest import Factory, WebClient
from tests.learning.trainer_factories import planned_module


def _submit(
    session: Session, cohort_id: int, user_id: int, exercise_id: int, **kw: object
) -> Submission:
    submission = Submission(
        cohort_id=cohort_id,
        user_id=user_id,
        exercise_id=exercise_id,
        content={"answer": "mine"},
        **kw,  # type: ignore[arg-type]
    )
    session.add(submission)
    session.commit()
    return submission


def test_trainer_sees_who_submitted_and_links_to_review(
    client: WebClient, session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=3, circles=1)
    plan = planned_module(session, made.cohort)
    reflection = plan.exercises["reflection"].id or 0
    first, second, _third = made.trainees
    done = _submit(session, made.cohort.id or 0, first.id or 0, reflection, late=True)
    client.login(made.trainers[0].email)

    overview = client.get(f"/cohorts/{made.cohort.id}/submissions")
    assert overview.status_code == 200
    assert "Gifts, transfers and favours" in overview.text
    assert f"/cohorts/{made.cohort.id}/exercises/{reflection}/submissions" in overview.text
    assert f"/cohorts/{made.cohort.id}/modules/{plan.module.id}/pack.pdf" in overview.text

    page = client.get(f"/cohorts/{made.cohort.id}/exercises/{reflection}/submissions")
    assert page.status_code == 200
    assert first.display_name in page.text and second.display_name in page.text
    assert f'href="/review/{done.id}"' in page.text
    assert "Late" in page.text
    assert "Not started" in page.text


def test_overview_without_a_plan_says_what_to_do(client: WebClient, factory: Factory) -> None:
    made = factory.cohort(trainees=1)
    client.login(made.trainers[0].email)
    page = client.get(f"/cohorts/{made.cohort.id}/submissions")
    assert page.status_code == 200
    assert "no plan yet" in page.text
    assert f'href="/cohorts/{made.cohort.id}/plan"' in page.text


def test_htmx_filter_returns_only_the_table(
    client: WebClient, session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=2, circles=2)
    planned_module(session, made.cohort)
    client.login(made.trainers[0].email)
    part = client.get(
        f"/cohorts/{made.cohort.id}/submissions?circle={made.circles[0].id}",
        headers={"HX-Request": "true"},
    )
    assert part.status_code == 200
    assert part.text.lstrip().startswith('<div id="overview-table">')
    assert "<html" not in part.text


def test_submission_pages_are_for_trainers_only(
    make_client: object, session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=1, mentors=1, organisers=1)
    other = factory.cohort(trainees=1, trainers=1)
    plan = planned_module(session, made.cohort)
    reflection = plan.exercises["reflection"].id or 0
    paths = [
        f"/cohorts/{made.cohort.id}/submissions",
        f"/cohorts/{made.cohort.id}/exercises/{reflection}/submissions",
    ]
    for user, expected in (
        (made.trainees[0], 403),
        (made.mentors[0], 403),
        (made.organisers[0], 403),
        (other.trainers[0], 404),
        (other.trainees[0], 404),
    ):
        client = make_client()  # type: ignore[operator]
        client.login(user.email)
        for path in paths:
            assert client.get(path, follow_redirects=False).status_code == expected, (user, path)
        response = client.post_form(
            f"/cohorts/{made.cohort.id}/exercises/{reflection}/paper",
            {"trainee_id": str(made.trainees[0].id), "answer": "x"},
        )
        assert response.status_code == expected
    assert session.exec(select(Submission)).all() == []


def test_exercise_outside_the_plan_is_404(
    client: WebClient, session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=1)
    other = factory.cohort(trainees=1)
    elsewhere = planned_module(session, other.cohort, slug="elsewhere")
    client.login(made.trainers[0].email)
    exercise = elsewhere.exercises["reflection"].id
    assert (
        client.get(f"/cohorts/{made.cohort.id}/exercises/{exercise}/submissions").status_code == 404
    )


def test_trainer_types_in_paper_work(client: WebClient, session: Session, factory: Factory) -> None:
    made = factory.cohort(trainees=2)
    plan = planned_module(session, made.cohort, opens_on=date(2026, 9, 7), due_on=date(2026, 9, 20))
    action_plan = plan.exercises["action_plan"].id or 0
    trainee, trainer = made.trainees[1], made.trainers[0]
    client.login(trainer.email)
    path = f"/cohorts/{made.cohort.id}/exercises/{action_plan}/submissions"
    page = client.get(path)
    key = re.search(r'name="entry_key" value="([^"]+)"', page.text)
    assert key
    form = {
        "trainee_id": str(trainee.id),
        "done_on": "2026-09-25",
        "entry_key": key.group(1),
        "problem": "<b>Files</b> go missing at the tehsil",
        "who_is_affected": "Citizens",
        "idea": "A register",
        "first_steps": "Ask the clerk",
        "measures_of_success": "Fewer lost files",
    }
    response = client.post_form(f"/cohorts/{made.cohort.id}/exercises/{action_plan}/paper", form)
    assert response.status_code == 303, response.text[:2000]
    again = client.post_form(f"/cohorts/{made.cohort.id}/exercises/{action_plan}/paper", form)
    assert again.status_code == 303  # a double click records the work once
    [saved] = session.exec(select(Submission)).all()
    assert (saved.user_id, saved.entered_by_id, saved.version) == (trainee.id, trainer.id, 1)
    assert saved.late is True
    assert saved.status == SubmissionStatus.SUBMITTED
    listing = client.get(response.headers["location"])
    assert "from paper, typed in by" in listing.text
    assert "Recorded version 1 from paper" in listing.text


def test_paper_entry_with_missing_parts_says_which(
    client: WebClient, session: Session, factory: Factory
) -> None:
    made = factory.cohort(trainees=1)
    plan = planned_module(session, made.cohort, opens_on=date(2026, 9, 7))
    action_plan = plan.exercises["action_plan"].id or 0
    client.login(made.trainers[0].email)
    response = client.post_form(
        f"/cohorts/{made.cohort.id}/exercises/{action_plan}/paper",
        {"trainee_id": str(made.trainees[0].id), "problem": "Queues <script>x</script>"},
    )
    assert response.status_code == 400
    assert "Nothing was saved" in response.text
    assert "Fill in this part of the plan before submitting." in response.text
    assert "Queues &lt;script&gt;x&lt;/script&gt;" in response.text
    assert session.exec(select(Submission)).all() == []


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_trainer_uploads_a_scan_checked_by_content(
    client: WebClient, session: Session, factory: Factory, settings: object
) -> None:
    made = factory.cohort(trainees=1)
    plan = planned_module(session, made.cohort, opens_on=date(2026, 9, 7))
    upload = plan.exercises["upload"].id or 0
    client.login(made.trainers[0].email)
    path = f"/cohorts/{made.cohort.id}/exercises/{upload}/paper"
    token = client.csrf(f"/cohorts/{made.cohort.id}/exercises/{upload}/submissions")
    data = {"csrf_token": token, "trainee_id": str(made.trainees[0].id)}
    refused = client.post(path, data=data, files={"file": ("tree.png", b"just text", "image/png")})
    assert refused.status_code == 400
    assert "not accepted" in refused.text or "not an image" in refused.text
    assert session.exec(select(Submission)).all() == []
    stored = client.post(
        path,
        data=data,
        files={"file": ("problem tree.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert stored.status_code == 303
    session.rollback()  # end the read above, to see what the request committed
    [saved] = session.exec(select(Submission)).all()
    assert saved.file_type == "image/png"
    assert saved.original_name == "problem tree.png"
    assert saved.file_name and "problem" not in saved.file_name
    assert saved.entered_by_id == made.trainers[0].id
