"""Mentors reach the learning circles of their mentees (read and post) from the menu's
"Circles", and after a review they are offered the next work waiting for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from iil_lms.mentoring.models import MentorAssignment
from tests.mentoring.helpers import assign, curriculum, submit


def _mentor_of_circle_one(factory, session):
    # trainees alternate between circle 1 and circle 2
    c = factory.cohort(trainees=4, mentors=2, circles=2)
    mentor = c.mentors[0]
    assign(session, c.cohort, mentor, c.trainees[0])  # in circle 1
    assign(session, c.cohort, c.mentors[1], c.trainees[1])  # in circle 2
    return c, mentor


def test_mentor_circle_page_lists_the_circles_of_their_mentees(client, factory, session):
    c, mentor = _mentor_of_circle_one(factory, session)
    client.login(mentor.email)
    page = client.get("/circle")
    assert page.status_code == 200
    assert "You are not in a learning circle yet" not in page.text
    assert f'href="/circles/{c.circles[0].id}"' in page.text
    assert c.trainees[0].display_name in page.text
    assert f'href="/circles/{c.circles[1].id}"' not in page.text
    assert 'href="/circle"' in page.text  # the menu shows the mentor the page


def test_mentor_without_mentees_in_circles_is_told_in_mentor_words(client, factory):
    c = factory.cohort(trainees=1, mentors=1, circles=1)
    client.login(c.mentors[0].email)
    page = client.get("/circle")
    assert page.status_code == 200
    assert "None of your mentees is in a learning circle yet" in page.text
    assert "You are not in a learning circle yet" not in page.text


def test_mentor_reads_and_posts_in_a_mentee_circle_but_not_in_others(client, factory, session):
    c, mentor = _mentor_of_circle_one(factory, session)
    client.login(mentor.email)
    mine, other = c.circles
    assert client.get(f"/circles/{mine.id}").status_code == 200
    posted = client.post_form(
        f"/circles/{mine.id}/posts", {"body": "Well done on the interviews, everyone."}
    )
    assert posted.status_code == 303
    assert "Well done on the interviews" in client.get(f"/circles/{mine.id}").text
    assert client.get(f"/circles/{other.id}").status_code == 404
    assert client.post_form(f"/circles/{other.id}/posts", {"body": "hi"}).status_code == 404


def test_mentor_loses_the_circle_when_the_mentee_gets_another_mentor(client, factory, session):
    c, mentor = _mentor_of_circle_one(factory, session)
    old = session.exec(
        select(MentorAssignment).where(MentorAssignment.trainee_id == c.trainees[0].id)
    ).one()
    old.ended_at = datetime.now(UTC)
    session.add(old)
    session.commit()
    assign(session, c.cohort, c.mentors[1], c.trainees[0])
    client.login(mentor.email)
    assert client.get(f"/circles/{c.circles[0].id}").status_code == 404


def test_after_a_review_the_mentor_is_offered_the_next_in_the_queue(client, factory, session):
    c = factory.cohort(trainees=2, mentors=1)
    mentor, first, second = c.mentors[0], c.trainees[0], c.trainees[1]
    exercise = curriculum(session, c.cohort, milestones=1, exercises=1)[0]
    assign(session, c.cohort, mentor, first)
    assign(session, c.cohort, mentor, second)
    now = datetime.now(UTC)
    reviewed = submit(session, c.cohort, first, exercise, at=now - timedelta(days=2))
    waiting = submit(session, c.cohort, second, exercise, at=now - timedelta(days=1))
    client.login(mentor.email)
    done = client.post_form(
        f"/review/{reviewed.id}",
        {"body": "Clear and specific.", "decision": "accepted"},
        token_from=f"/review/{reviewed.id}",
    )
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "Next in the queue" in page.text
    assert f'href="/review/{waiting.id}"' in page.text
    assert second.display_name in page.text

    client.post_form(
        f"/review/{waiting.id}",
        {"body": "Good.", "decision": "accepted"},
        token_from=f"/review/{waiting.id}",
    )
    last = client.get(f"/review/{waiting.id}")
    assert "Next in the queue" not in last.text
    assert "Nothing else is waiting for your review." in last.text
