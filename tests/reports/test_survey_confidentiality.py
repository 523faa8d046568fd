"""Survey answers are confidential: no mentor reaches them by any route, no trainer
opens one by one, and no name stands beside them anywhere."""

from __future__ import annotations

from sqlmodel import select

from iil_lms.learning.models import Submission, SubmissionStatus
from iil_lms.notifications.models import Notification
from tests.mentoring.helpers import assign
from tests.reports.helpers import answer, surveys

SECRET = "My mentor never answers the phone"


def _setup(factory, session):
    c = factory.cohort(trainees=6, mentors=1, circles=1)
    made = surveys(session, c.cohort.id)
    for trainee in c.trainees:
        assign(session, c.cohort, c.mentors[0], trainee)
    mine = answer(session, c.cohort.id, c.trainees[0].id, made.first, [2, 1], SECRET)
    for trainee in c.trainees[1:]:
        answer(session, c.cohort.id, trainee.id, made.first, [4, 4], "Fine.")
    return c, made, mine


def test_mentor_cannot_open_a_survey_answer_even_with_its_id_guessed(factory, session, client):
    c, _made, mine = _setup(factory, session)
    client.login(c.mentors[0].email)
    assert client.get(f"/review/{mine.id}").status_code == 404
    token_page = client.get("/mentees")
    assert token_page.status_code == 200
    assert SECRET not in token_page.text


def test_mentor_sees_no_survey_in_queue_mentee_page_or_notifications(factory, session, client):
    c, made, _mine = _setup(factory, session)
    # An answer left "submitted" (as if waiting for review) still never reaches the queue.
    old = Submission(
        cohort_id=c.cohort.id,
        user_id=c.trainees[1].id,
        exercise_id=made.second.id,
        content={"ratings": [1, 1], "answers": ["old style"]},
        status=SubmissionStatus.SUBMITTED,
    )
    session.add(old)
    session.commit()
    client.login(c.mentors[0].email)
    queue = client.get("/mentees")
    assert "Milestone feedback" not in queue.text
    for trainee in c.trainees[:2]:
        page = client.get(f"/mentees/{trainee.id}")
        assert page.status_code == 200
        assert "Milestone feedback" not in page.text
        assert "Scored" not in page.text
    assert client.get(f"/review/{old.id}").status_code == 404
    assert not session.exec(
        select(Notification).where(Notification.user_id == c.mentors[0].id)
    ).all()


def test_trainer_cannot_open_one_answer_and_sees_no_link_or_time(factory, session, client):
    c, made, mine = _setup(factory, session)
    client.login(c.trainers[0].email)
    assert client.get(f"/review/{mine.id}").status_code == 404
    page = client.get(f"/cohorts/{c.cohort.id}/exercises/{made.first.id}/submissions")
    assert page.status_code == 200
    assert f"/review/{mine.id}" not in page.text
    assert "Answered" in page.text and "Scored" not in page.text
    assert f"/cohorts/{c.cohort.id}/feedback/{made.first.id}" in page.text


def test_trainee_still_reads_their_own_answer(factory, session, client):
    c, made, mine = _setup(factory, session)
    client.login(c.trainees[0].email)
    page = client.get(f"/journey/exercises/{made.first.id}")
    assert SECRET in page.text
    assert "Scored" not in page.text
    assert client.get(f"/review/{mine.id}").status_code == 200


def test_survey_page_says_who_reads_the_answers_and_how(factory, session, client):
    c, made, _mine = _setup(factory, session)
    client.login(c.trainees[1].email)
    page = client.get(f"/journey/exercises/{made.second.id}")
    assert page.status_code == 200
    assert "Who reads your answers" in page.text
    assert "Your mentor never sees them" in page.text
    assert "without names" in page.text and "groups of 5 people or more" in page.text


def test_results_page_and_exports_carry_no_name(factory, session, client):
    c, made, _mine = _setup(factory, session)
    client.login(c.trainers[0].email)
    base = f"/cohorts/{c.cohort.id}/feedback/{made.first.id}"
    pages = [
        client.get(base),
        client.get(base + "/results.csv"),
        client.get(f"/cohorts/{c.cohort.id}/feedback"),
    ]
    assert SECRET in pages[0].text  # the comment is there, without its author
    for response in pages:
        assert response.status_code == 200
        for trainee in c.trainees:
            assert trainee.display_name not in response.text
            assert trainee.email not in response.text
