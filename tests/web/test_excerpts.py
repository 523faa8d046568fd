"""Excerpts of what people wrote show words, not Markdown syntax (issue 17, point 11)."""

from __future__ import annotations

from sqlmodel import select

from iil_lms.learning.models import Feedback, Submission, SubmissionStatus
from iil_lms.markdown import excerpt
from iil_lms.outreach.models import OutreachItem
from tests.learning.factories import course

STORY = (
    "Our *facilitators* listened to **every** citizen.\n\n"
    "- Waiting times fell by half\n- Complaints moved online\n\n"
    "Read [the report](https://example.org/report). " + "More detail follows. " * 20
)


def test_excerpt_drops_markdown_syntax_and_cuts_at_a_word():
    short = excerpt(STORY, 80)
    assert short.startswith("Our facilitators listened to every citizen. Waiting times fell")
    assert "*" not in short and "- " not in short
    assert short.endswith("…") and len(short) <= 80
    assert excerpt("See [the report](https://example.org/r).") == "See the report."
    assert excerpt("<b>bold?</b>") == "<b>bold?</b>"  # shown as text, escaped by the page


def test_journey_new_feedback_box_shows_the_words_without_asterisks(client, factory, session):
    made = factory.cohort(trainees=1)
    c = course(session, made.cohort)
    sub = Submission(
        cohort_id=made.cohort.id,
        user_id=made.trainees[0].id,
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
            body="Good start. Now say **what you would do next time**.",
            decision="returned",
        )
    )
    session.commit()
    client.login(made.trainees[0].email)
    page = client.get("/journey").text
    box = page.split('id="feedback-heading"')[1].split("</section>")[0]
    assert "Now say what you would do next time." in box
    assert "**" not in box


def test_public_showcase_excerpts_show_no_markdown(client, make_client, factory, session):
    c = factory.cohort(trainees=1)
    client.login(c.trainees[0].email)
    client.post(
        "/outreach",
        data={
            "kind": "story",
            "title": "Queue tokens",
            "body": STORY,
            "video_url": "",
            "csrf_token": client.csrf("/outreach/new"),
        },
        follow_redirects=False,
    )
    session.commit()
    item = session.exec(select(OutreachItem)).one()
    session.commit()
    trainer = make_client()
    trainer.login(c.trainers[0].email)
    trainer.post_form(f"/cohorts/{c.cohort.id}/outreach/{item.id}", {"action": "approve"})
    page = make_client().get(f"/showcase/{c.academy.slug}").text
    story = page.split("Queue tokens")[1]
    assert "Our facilitators listened to every citizen. Waiting times fell by half" in story
    assert "*facilitators*" not in story and "- Waiting" not in story
    assert "Read the whole story" in story
