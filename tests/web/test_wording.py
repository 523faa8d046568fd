"""Messages read as sentences: plural forms from the catalogs, no doubled words, and form
hints that say what a person can type (issue 17, point 13)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from sqlmodel import select

from iil_lms.learning.models import Submission, SubmissionStatus
from iil_lms.settings import PROJECT_DIR
from tests.learning.factories import course


def test_assigning_one_trainee_says_trainee_in_the_singular(client, factory):
    c = factory.cohort(trainees=2, mentors=1)
    client.login(c.trainers[0].email)
    client.post_form(
        f"/cohorts/{c.cohort.id}/mentors/assign",
        {"trainee_ids": [c.trainees[0].id], "mentor_id": c.mentors[0].id},
    )
    page = client.get(f"/cohorts/{c.cohort.id}/mentors").text
    assert "Mentor assigned to 1 trainee." in page
    assert "1 trainees" not in page


def test_creating_a_circle_named_circle_does_not_say_circle_twice(client, factory):
    c = factory.cohort(trainees=1, circles=1)
    client.login(c.trainers[0].email)
    page = client.post_form(
        f"/cohorts/{c.cohort.id}/circles",
        {"name": "Circle 24 (late joiners)"},
        follow_redirects=True,
    ).text
    assert "Learning circle created: Circle 24 (late joiners)." in page
    assert "Circle Circle" not in page


def test_moving_one_person_says_person_not_people(client, factory):
    c = factory.cohort(trainees=2, circles=2)
    client.login(c.trainers[0].email)
    moving = c.memberships[(c.trainees[0].id, "trainee")]
    page = client.post_form(
        f"/cohorts/{c.cohort.id}/circles/move",
        {"membership_ids": [moving.id], "circle_id": c.circles[1].id},
        follow_redirects=True,
    ).text
    assert "1 person moved." in page
    assert "1 people" not in page


def test_a_waiting_submission_does_not_say_submitted_twice(client, factory, session):
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    exercise = c.exercises["reflection"]
    session.add(
        Submission(
            cohort_id=made.cohort.id,
            user_id=made.trainees[0].id,
            exercise_id=exercise.id,
            version=1,
            content={"answer": "My answer"},
            status=SubmissionStatus.SUBMITTED,
        )
    )
    session.commit()
    assert session.exec(select(Submission)).one()
    client.login(made.trainees[0].email)
    page = client.get(f"/journey/exercises/{exercise.id}").text
    visible = re.sub(r"<[^>]+>", " ", page)
    assert not re.search(r"Submitted\s+Submitted", visible)


def test_core_quiz_questions_leave_choose_all_that_apply_to_the_interface():
    """The page adds "(choose all that apply)" in the reader's language; a question that
    says it again in English reads "Select all that apply. (choose all that apply)"."""
    for path in sorted(Path(PROJECT_DIR / "curricula/iil-core/modules").glob("*/module.yaml")):
        for exercise in yaml.safe_load(path.read_text()).get("exercises", []):
            for question in (exercise.get("spec") or exercise).get("questions", []) or []:
                if isinstance(question, dict):
                    assert "all that apply" not in question.get("text", "").lower(), path


def test_text_boxes_say_what_a_person_can_type_instead_of_markdown_works(client, factory):
    c = factory.cohort(trainees=1, circles=1)
    client.login(c.trainees[0].email)
    page = client.get(f"/circles/{c.circles[0].id}").text
    assert "Markdown works" not in page
    assert "You can write **bold**, *italic*, lists" in page
    for template in ("mentoring/review.html", "outreach/_fields.html", "mentoring/circle.html"):
        assert "Markdown works" not in (PROJECT_DIR / "templates" / template).read_text()


def test_marking_one_notification_read_says_notification_in_the_singular(client, factory, session):
    from iil_lms.notifications.service import notify

    user = factory.user()
    notify(
        session,
        user_ids=[user.id],
        kind="mentoring",
        params={"message": "mentor_assigned", "mentor": "A Mentor"},
        link="/mentoring",
    )
    session.commit()
    client.login(user.email)
    page = client.post_form(
        "/notifications/read-all", {}, token_from="/notifications", follow_redirects=True
    ).text
    assert "1 notification marked read." in page
    assert "1 notifications" not in page
