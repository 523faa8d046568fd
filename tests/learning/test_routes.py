"""The trainee's pages over HTTP: journey map, module and exercise pages, autosave,
submit, uploads and who may fetch them, refusals, page weight and query counts."""

from __future__ import annotations

import gc
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from iil_lms.cohorts.models import Convening
from iil_lms.curriculum.models import Exercise, Module, PlanItem
from iil_lms.learning import journey
from iil_lms.learning.models import Draft, Feedback, Submission, SubmissionStatus
from iil_lms.mentoring.service import assign_mentor
from iil_lms.settings import Settings
from iil_lms.web.templating import format_day
from tests.conftest import Factory, WebClient
from tests.learning.factories import course, today
from tests.query_count import count_queries

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HX = {"HX-Request": "true"}


def _token(client: WebClient, path: str) -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def _key(page: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_journey_map_shows_milestones_next_step_convenings_and_feedback(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort, milestones=3)
    trainee = made.trainees[0]
    session.add(
        Convening(
            cohort_id=made.cohort.id,
            title="Second convening",
            venue="Lahore",
            starts_on=today() + timedelta(days=20),
            ends_on=today() + timedelta(days=22),
        )
    )
    sub = Submission(
        cohort_id=made.cohort.id,
        user_id=trainee.id,
        exercise_id=c.exercises["reflection"].id,
        content={"answer": "x"},
        status=SubmissionStatus.RETURNED,
    )
    session.add(sub)
    session.flush()
    session.add(
        Feedback(
            submission_id=sub.id,
            author_id=made.mentors[0].id,
            body="Say more about the gift.",
            decision="returned",
        )
    )
    session.commit()
    client.login(trainee.email)
    page = client.get("/journey")
    assert page.status_code == 200
    text = page.text
    assert "<h1>My journey</h1>" in text and 'class="journey-path"' in text
    assert text.count('class="journey-step') == 3
    assert "Milestone 1: Milestone title 1" in text
    # Returned work comes first in "Next up".
    next_up = text.split('id="next-up-heading"')[1].split("</section>")[0]
    assert "Reflection 1" in next_up and "Revise and resubmit" in next_up
    assert "Second convening" in text
    assert "Say more about the gift." in text and "New feedback" in text


def test_an_overdue_milestone_says_which_module_was_due_when(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort, milestones=1, types=("reflection",))
    first = c.modules[0]
    c.plan[first.id].opens_on = today() - timedelta(days=30)
    c.plan[first.id].due_on = today() - timedelta(days=3)
    later = Module(
        curriculum_id=first.curriculum_id,
        milestone_id=first.milestone_id,
        slug="later",
        position=2,
        title="Later module",
    )
    session.add(later)
    session.flush()
    session.add(
        Exercise(
            module_id=later.id,
            slug="later-1",
            position=1,
            type="reflection",
            title="Later reflection",
            spec={},
        )
    )
    session.add(
        PlanItem(
            cohort_id=made.cohort.id,
            module_id=later.id,
            opens_on=today(),
            due_on=today() + timedelta(days=40),
        )
    )
    session.commit()
    client.login(made.trainees[0].email)
    text = client.get("/journey").text
    step = text.split('class="journey-step step-overdue"')[1].split("</li>\n    </ul>")[0]
    was_due = format_day(today() - timedelta(days=3))
    # The milestone's line names the overdue module and its date, then when the
    # milestone ends (its last module's due date).
    header = step.split("</p>")[0]
    ends = format_day(today() + timedelta(days=40))
    assert "Overdue" in header
    assert f"“Module 1” was due {was_due}; the milestone ends {ends}" in header
    overdue_line = step.split("<li>")[1]
    assert "Module 1" in overdue_line and "badge-overdue" in overdue_line
    later_line = step.split("<li>")[2]
    assert "Later module" in later_line and "badge-overdue" not in later_line
    assert f"due {ends}" in later_line  # an open module shows its due date


def test_journey_before_the_plan_exists_shows_an_empty_state(
    client: WebClient, factory: Factory
) -> None:
    made = factory.cohort(trainees=1)
    client.login(made.trainees[0].email)
    page = client.get("/journey")
    assert page.status_code == 200 and "plan has not been published yet" in page.text


def test_journey_is_for_trainees(client: WebClient, factory: Factory) -> None:
    made = factory.cohort(trainees=1)
    client.login(made.trainers[0].email)
    assert client.get("/journey").status_code == 403
    client.cookies.clear()
    anonymous = client.get("/journey", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_journey_html_is_small(client: WebClient, factory: Factory, session: Session) -> None:
    made = factory.cohort(trainees=1)
    course(session, made.cohort, milestones=6)
    # A realistic plan: six milestones of five modules each.
    for _ in range(4):
        course(session, made.cohort, milestones=6)
    client.login(made.trainees[0].email)
    page = client.get("/journey")
    assert page.status_code == 200
    size = len(page.content)
    assert size < 60_000, size


def test_trainee_pages_leave_no_reference_cycles(
    client: WebClient, factory: Factory, session: Session
) -> None:
    """A page whose objects form a cycle (a macro module imported with context points
    back at the render context) is freed only by the cyclic garbage collector, whose
    collections then cost every request; bench/README.md has the figures."""
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort, milestones=2)
    client.login(made.trainees[0].email)
    pages = ["/journey", f"/journey/modules/{c.modules[0].id}"]
    for page in pages:
        assert client.get(page).status_code == 200
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for page in pages:
            client.get(page)
        gc.collect()
        ours = sorted(
            {
                f"{type(o).__module__}.{type(o).__qualname__}"
                for o in gc.garbage
                if type(o).__module__.startswith(("iil_lms", "jinja2"))
            }
        )
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert ours == []


def test_journey_and_completion_queries_do_not_grow_with_the_cohort(
    make_client: Any, factory: Factory, session: Session, engine: Engine
) -> None:
    counts: list[tuple[int, int]] = []
    for size in (5, 50):
        made = factory.cohort(trainees=size, circles=2)
        c = course(session, made.cohort, milestones=6)
        for trainee in made.trainees:
            session.add(
                Submission(
                    cohort_id=made.cohort.id,
                    user_id=trainee.id,
                    exercise_id=c.exercises["reflection"].id,
                    content={"answer": "a"},
                )
            )
            session.add(
                Draft(
                    cohort_id=made.cohort.id,
                    user_id=trainee.id,
                    exercise_id=c.exercises["case_study"].id,
                    content={"answers": ["x"]},
                    revision=1,
                )
            )
        session.commit()
        client = make_client()
        client.login(made.trainees[0].email)
        client.get("/journey")  # warm up
        with count_queries(engine) as page_statements:
            assert client.get("/journey").status_code == 200
        with count_queries(engine) as completion_statements:
            completion = journey.completion_for_cohort(session, made.cohort.id)
        assert len(completion) == size
        counts.append((len(page_statements), len(completion_statements)))
    assert counts[0] == counts[1], counts


def test_module_page_shows_translated_reading_exercises_and_pack_link(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    module = c.modules[0]
    client.login(made.trainees[0].email)
    page = client.get(f"/journey/modules/{module.id}")
    assert page.status_code == 200
    assert "<strong>oblige</strong>" in page.text
    assert f"/journey/modules/{module.id}/pack.pdf" in page.text
    assert page.text.count('href="/journey/exercises/') == 6
    assert "0 of 6 exercises done" in page.text


def test_module_not_in_plan_is_404(client: WebClient, factory: Factory, session: Session) -> None:
    made = factory.cohort(trainees=1)
    other = course(session, None)
    client.login(made.trainees[0].email)
    assert client.get(f"/journey/modules/{other.modules[0].id}").status_code == 404
    assert client.get(f"/journey/exercises/{other.exercises['reflection'].id}").status_code == 404


def test_every_exercise_type_renders_a_labelled_form(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    client.login(made.trainees[0].email)
    for kind, exercise in c.exercises.items():
        page = client.get(f"/journey/exercises/{exercise.id}")
        assert page.status_code == 200, kind
        assert 'id="answer-form"' in page.text
        for field_id in re.findall(r'<(?:textarea|input)[^>]* id="([^"]+)"', page.text):
            if field_id in ("base-revision", "cohort-switch"):
                continue
            assert f'for="{field_id}"' in page.text, (kind, field_id)
    survey = client.get(f"/journey/exercises/{c.exercises['survey'].id}").text
    assert survey.count("<fieldset") == 2 and ">The module was useful.</legend>" in survey


def test_autosave_prefills_and_survives_a_new_sign_in(
    make_client: Any, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    exercise = c.exercises["reflection"]
    path = f"/journey/exercises/{exercise.id}"
    client = make_client()
    client.login(made.trainees[0].email)
    token = _token(client, path)
    saved = client.post(
        f"{path}/draft",
        data={"answer": "My *draft*", "base_revision": "0"},
        headers={**HX, "X-CSRF-Token": token},
    )
    assert saved.status_code == 200 and "Saved at" in saved.text
    assert 'id="base-revision"' in saved.text and 'value="1"' in saved.text
    assert "My *draft*" in client.get(path).text
    # Sign out (the session ends); an autosave now gets a plain 401, not a redirect...
    client.post("/logout", data={"csrf_token": token})
    expired = client.post(
        f"{path}/draft", data={"answer": "lost?"}, headers={**HX, "X-CSRF-Token": token}
    )
    assert expired.status_code in (401, 403)
    # ...and after signing in again the saved draft is there.
    again = make_client()
    again.login(made.trainees[0].email)
    page = again.get(path)
    assert "My *draft*" in page.text and 'name="base_revision" value="1"' in page.text


def test_expired_session_autosave_is_401_without_redirect(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    token = _token(client, "/login")  # an anonymous visitor's own CSRF token
    response = client.post(
        f"/journey/exercises/{c.exercises['reflection'].id}/draft",
        data={"answer": "x"},
        headers={**HX, "X-CSRF-Token": token},
    )
    assert response.status_code == 401
    assert "HX-Redirect" not in response.headers


def test_save_button_without_javascript_redirects_back(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    path = f"/journey/exercises/{c.exercises['action_plan'].id}"
    client.login(made.trainees[0].email)
    response = client.post(
        f"{path}/draft",
        data={"problem": "Queues", "csrf_token": _token(client, path)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == path
    assert "Queues" in client.get(path).text


def test_second_tab_is_told_when_it_overwrote_newer_text(
    make_client: Any, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    path = f"/journey/exercises/{c.exercises['reflection'].id}"
    tab = make_client()
    tab.login(made.trainees[0].email)
    token = _token(tab, path)
    headers = {**HX, "X-CSRF-Token": token}
    first = tab.post(
        f"{path}/draft", data={"answer": "tab A", "base_revision": "0"}, headers=headers
    )
    assert "conflict-notice" not in first.text
    # Tab B, opened before A's save, still holds revision 0.
    stale = tab.post(
        f"{path}/draft", data={"answer": "tab B", "base_revision": "0"}, headers=headers
    )
    assert stale.status_code == 200
    assert 'id="conflict-notice"' in stale.text and "another tab" in stale.text
    assert "tab B" in tab.get(path).text  # the later save wins


def test_double_submit_creates_one_submission(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    path = f"/journey/exercises/{c.exercises['reflection'].id}"
    client.login(made.trainees[0].email)
    page = client.get(path).text
    data = {
        "answer": "Once only",
        "idempotency_key": _key(page),
        "csrf_token": _token(client, path),
    }
    first = client.post(f"{path}/submit", data=data, follow_redirects=False)
    second = client.post(f"{path}/submit", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert len(session.exec(select(Submission)).all()) == 1
    after = client.get(path).text
    assert "Version 1" in after and "waiting for review" in after and "Once only" in after


def test_quiz_submit_shows_score_and_every_explanation(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    path = f"/journey/exercises/{c.exercises['quiz'].id}"
    client.login(made.trainees[0].email)
    page = client.get(path).text
    assert "EXPLAIN-COUSIN" not in page  # explanations only after an attempt
    response = client.post(
        f"{path}/submit",
        data={
            "q0": "0",
            "q1": ["0", "2"],
            "idempotency_key": _key(page),
            "csrf_token": _token(client, path),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    result = client.get(path).text
    assert "Score: 50%" in result
    for marker in (
        "EXPLAIN-COUSIN",
        "EXPLAIN-TENDER",
        "EXPLAIN-STOCK",
        "EXPLAIN-VISITS",
        "EXPLAIN-NOTHING",
    ):
        assert marker in result


def test_incomplete_submit_names_the_field_and_keeps_the_text(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    path = f"/journey/exercises/{c.exercises['case_study'].id}"
    client.login(made.trainees[0].email)
    response = client.post(
        f"{path}/submit", data={"answer_0": "Refuse the gift", "csrf_token": _token(client, path)}
    )
    assert response.status_code == 400
    assert "Refuse the gift" in response.text
    assert 'id="f-answer_1-error"' in response.text and 'aria-invalid="true"' in response.text
    assert session.exec(select(Submission)).all() == []


def test_submit_for_unassigned_or_unopened_exercise_is_404(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    other = factory.cohort(trainees=1)
    theirs = course(session, other.cohort, types=("reflection",))
    later = course(
        session, made.cohort, types=("reflection",), opens_on=today() + timedelta(days=5)
    )
    client.login(made.trainees[0].email)
    token = _token(client, "/journey")
    for exercise in (theirs.exercises["reflection"], later.exercises["reflection"]):
        response = client.post(
            f"/journey/exercises/{exercise.id}/submit", data={"answer": "x", "csrf_token": token}
        )
        assert response.status_code == 404
        assert client.get(f"/journey/exercises/{exercise.id}").status_code == 404
    assert session.exec(select(Submission)).all() == []


def test_upload_is_sniffed_stored_and_served_only_to_those_allowed(
    make_client: Any, factory: Factory, session: Session, settings: Settings
) -> None:
    made = factory.cohort(trainees=2, mentors=2)
    c = course(session, made.cohort)
    trainee, classmate = made.trainees
    assign_mentor(
        session,
        cohort_id=made.cohort.id,
        trainee_ids=[trainee.id],
        mentor_id=made.mentors[0].id,
        actor_id=made.trainers[0].id,
    )
    session.commit()
    path = f"/journey/exercises/{c.exercises['upload'].id}"
    client = make_client()
    client.login(trainee.email)
    bad = client.post(
        f"{path}/submit",
        data={"csrf_token": _token(client, path)},
        files={"file": ("poster.png", b"<html><script>x</script>", "image/png")},
    )
    assert bad.status_code == 400 and "not accepted" in bad.text
    assert session.exec(select(Submission)).all() == []
    assert not any(settings.uploads_dir.rglob("*.*")) if settings.uploads_dir.exists() else True
    ok = client.post(
        f"{path}/submit",
        data={"csrf_token": _token(client, path)},
        files={"file": ("../../tree.pdf", PNG, "application/pdf")},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    session.commit()  # end the read snapshot taken above
    submission = session.exec(select(Submission)).one()
    assert submission.file_type == "image/png" and submission.original_name == "tree.pdf"
    url = f"/submissions/{submission.id}/file"
    served = client.get(url)
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "tree.pdf" in served.headers["content-disposition"]
    for user, expected in (
        (made.mentors[0], 200),
        (made.trainers[0], 200),
        (made.mentors[1], 404),
        (classmate, 404),
        (made.organisers[0], 404),
    ):
        other = make_client()
        other.login(user.email)
        assert other.get(url).status_code == expected, user.email


def test_history_shows_every_version_with_feedback(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    trainee = made.trainees[0]
    exercise = c.exercises["reflection"]
    v1 = Submission(
        cohort_id=made.cohort.id,
        user_id=trainee.id,
        exercise_id=exercise.id,
        version=1,
        content={"answer": "First **try**"},
        status=SubmissionStatus.RETURNED,
    )
    session.add(v1)
    session.flush()
    session.add(
        Feedback(
            submission_id=v1.id,
            author_id=made.mentors[0].id,
            body="Name the rule.",
            decision="returned",
        )
    )
    session.commit()
    client.login(trainee.email)
    path = f"/journey/exercises/{exercise.id}"
    page = client.get(path).text
    assert "Revise your answer" in page and "First **try**" in page  # prefilled from v1
    assert "Name the rule." in page
    session.expire_all()
    assert session.exec(select(Feedback)).one().read_by_trainee_at is not None
    response = client.post(
        f"{path}/submit",
        data={
            "answer": "Second try",
            "idempotency_key": _key(page),
            "csrf_token": _token(client, path),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(path).text
    assert "Version 2" in page and "Version 1" in page
    assert "<strong>try</strong>" in page and "Second try" in page and "Name the rule." in page


def test_uploads_dir_is_under_the_data_directory(settings: Settings) -> None:
    assert Path(settings.uploads_dir).is_relative_to(settings.data_dir)


def test_pages_use_translated_titles_and_reading(
    client: WebClient, factory: Factory, session: Session
) -> None:
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    trainee = made.trainees[0]
    trainee.language = "ur"
    session.add(trainee)
    session.commit()
    client.login(trainee.email)
    assert "ماڈیول 1" in client.get("/journey").text
    module_page = client.get(f"/journey/modules/{c.modules[0].id}").text
    assert "ترجمہ شدہ مطالعہ 1" in module_page and 'dir="rtl"' in module_page


def test_oversize_upload_is_refused_with_a_message_and_nothing_stored(
    client: WebClient, app: Any, factory: Factory, session: Session, settings: Settings
) -> None:
    app.state.settings.upload_max_bytes = 100
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    path = f"/journey/exercises/{c.exercises['upload'].id}"
    client.login(made.trainees[0].email)
    response = client.post(
        f"{path}/submit",
        data={"csrf_token": _token(client, path)},
        files={"file": ("tree.png", PNG + b"\x00" * 200, "image/png")},
    )
    assert response.status_code == 400
    assert "too large" in response.text and 'id="f-file-error"' in response.text
    assert session.exec(select(Submission)).all() == []
    assert not settings.uploads_dir.exists() or not any(settings.uploads_dir.rglob("*.*"))


def test_submitting_tells_the_mentor_once(
    client: WebClient, factory: Factory, session: Session
) -> None:
    from iil_lms.notifications.models import Notification

    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    trainee, mentor = made.trainees[0], made.mentors[0]
    assign_mentor(
        session,
        cohort_id=made.cohort.id,  # type: ignore[arg-type]
        trainee_ids=[trainee.id],  # type: ignore[list-item]
        mentor_id=mentor.id,
        actor_id=made.trainers[0].id,  # type: ignore[arg-type]
    )
    session.commit()
    before = len(session.exec(select(Notification).where(Notification.user_id == mentor.id)).all())
    session.commit()
    client.login(trainee.email)
    path = f"/journey/exercises/{c.exercises['reflection'].id}"
    page = client.get(path).text
    data = {"answer": "Done", "idempotency_key": _key(page), "csrf_token": _token(client, path)}
    client.post(f"{path}/submit", data=data)
    client.post(f"{path}/submit", data=data)
    told = session.exec(select(Notification).where(Notification.user_id == mentor.id)).all()
    assert len(told) == before + 1
    assert told[-1].link.startswith("/review/")
