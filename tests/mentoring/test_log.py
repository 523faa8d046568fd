"""The mentoring log: the mentor writes, the trainee and trainers read, nobody else."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from iil_lms.mentoring.models import MentoringLogEntry
from iil_lms.notifications.models import Notification
from tests.mentoring.helpers import assign


def test_mentor_records_a_conversation_the_trainee_reads_it(client, make_client, factory, session):
    c = factory.cohort(trainees=2, mentors=1)
    trainee, other_trainee, mentor = c.trainees[0], c.trainees[1], c.mentors[0]
    assign(session, c.cohort, mentor, trainee, other_trainee)
    client.login(mentor.email)
    response = client.post_form(
        f"/mentees/{trainee.id}/log",
        {
            "held_on": "2026-10-02",
            "mode": "in_person",
            "topics": "Queue at the land records office",
            "next_steps": "Count waiting times",
        },
    )
    assert response.status_code == 303
    session.commit()
    entry = session.exec(select(MentoringLogEntry)).one()
    assert (entry.trainee_id, entry.mode, entry.held_on) == (
        trainee.id,
        "in_person",
        date(2026, 10, 2),
    )
    told = session.exec(select(Notification).where(Notification.user_id == trainee.id)).one()
    assert (told.kind, told.params["message"]) == ("mentoring", "log_entry")

    reader = make_client()
    reader.login(trainee.email)
    page = reader.get("/mentoring/log")
    assert "Queue at the land records office" in page.text
    assert "Count waiting times" in page.text
    assert "In person" in page.text
    assert "Queue at the land records office" in reader.get("/mentoring").text

    other = make_client()
    other.login(other_trainee.email)
    assert "Queue at the land records office" not in other.get("/mentoring/log").text
    assert other.get(f"/mentees/{trainee.id}/log").status_code == 404

    trainer = make_client()
    trainer.login(c.trainers[0].email)
    assert "Queue at the land records office" in trainer.get(f"/mentees/{trainee.id}/log").text

    organiser = make_client()
    organiser.login(c.organisers[0].email)
    assert organiser.get(f"/mentees/{trainee.id}/log").status_code == 404


def test_log_entry_needs_topics_a_past_date_and_a_mode(client, factory, session):
    c = factory.cohort(trainees=1, mentors=1)
    assign(session, c.cohort, c.mentors[0], c.trainees[0])
    client.login(c.mentors[0].email)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.post_form(
        f"/mentees/{c.trainees[0].id}/log",
        {"held_on": tomorrow, "mode": "carrier pigeon", "topics": " "},
    )
    assert response.status_code == 400
    for message in (
        "The date cannot be in the future.",
        "Choose how you met",
        "Write what you talked about.",
    ):
        assert message in response.text
    session.commit()
    assert session.exec(select(MentoringLogEntry)).first() is None


def test_empty_log_says_so(client, factory, session):
    c = factory.cohort(trainees=1, mentors=1)
    client.login(c.trainees[0].email)
    assert "No mentoring conversation is recorded yet." in client.get("/mentoring/log").text
