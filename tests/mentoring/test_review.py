"""Review of a submission: threaded feedback, rubric, return and accept, and the round
trip between trainee and mentor through the web client."""

from __future__ import annotations

import re

from sqlmodel import select

from iil_lms.learning.models import Feedback, Submission, SubmissionStatus
from iil_lms.notifications.models import Notification
from tests.mentoring.helpers import RUBRIC, assign, curriculum, fresh, submit


def _setup(factory, session):
    c = factory.cohort(trainees=1, mentors=1)
    trainee, mentor = c.trainees[0], c.mentors[0]
    exercise = curriculum(session, c.cohort, milestones=1, exercises=1)[0]
    assign(session, c.cohort, mentor, trainee)
    return c, trainee, mentor, exercise


def _notifications(session, user_id):
    session.commit()
    return [
        (n.kind, n.params.get("message"))
        for n in session.exec(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    ]


def test_feedback_round_trip_between_trainee_and_mentor(client, make_client, factory, session):
    c, trainee, mentor, exercise = _setup(factory, session)
    first = submit(session, c.cohort, trainee, exercise, text="Files wait *weeks* at the desk.")

    as_mentor = make_client()
    as_mentor.login(mentor.email)
    page = as_mentor.get(f"/review/{first.id}")
    assert page.status_code == 200
    assert "<em>weeks</em>" in page.text  # the trainee's Markdown, rendered
    assert RUBRIC[0]["criterion"] in page.text
    response = as_mentor.post_form(
        f"/review/{first.id}",
        {
            "body": "Who waits, and **how long**? Ask three citizens.",
            "decision": "returned",
            "rubric-0": "Partly",
            "rubric-1": "None",
        },
        token_from=f"/review/{first.id}",
    )
    assert response.status_code == 303
    fresh(session, first)
    assert first.status == SubmissionStatus.RETURNED
    assert first.reviewed_by_id == mentor.id
    comment = session.exec(select(Feedback)).one()
    assert comment.decision == "returned"
    assert comment.rubric_scores == {
        "Names a real problem": "Partly",
        "Evidence from citizens": "None",
    }
    assert _notifications(session, trainee.id) == [("returned", "returned")]

    client.login(trainee.email)
    mine = client.get(f"/review/{first.id}")
    assert mine.status_code == 200
    assert "<strong>how long</strong>" in mine.text
    assert "Return for revision" not in mine.text  # the trainee does not decide
    fresh(session, comment)
    assert comment.read_by_trainee_at is not None
    response = client.post_form(
        f"/review/{first.id}",
        {"body": "I will interview three applicants this week.", "parent_id": comment.id},
        token_from=f"/review/{first.id}",
    )
    assert response.status_code == 303
    session.commit()
    reply = session.exec(select(Feedback).where(Feedback.parent_id == comment.id)).one()
    assert reply.author_id == trainee.id
    assert _notifications(session, mentor.id) == [("reply", "submission_reply")]

    second = submit(session, c.cohort, trainee, exercise, version=2, text="Three citizens said...")
    page = as_mentor.get(f"/review/{second.id}")
    assert "Version 1" in page.text and "Accept" in page.text
    response = as_mentor.post_form(
        f"/review/{second.id}",
        {"body": "", "decision": "accepted"},
        token_from=f"/review/{second.id}",
    )
    assert response.status_code == 303
    fresh(session, second)
    assert second.status == SubmissionStatus.ACCEPTED
    assert _notifications(session, trainee.id)[-1] == ("feedback", "accepted")
    # the first version and its thread stay readable
    old = as_mentor.get(f"/review/{first.id}").text
    assert "I will interview three applicants" in old
    assert "Accept</button>" not in old


def test_a_plain_comment_notifies_the_trainee(client, factory, session):
    c, trainee, mentor, exercise = _setup(factory, session)
    work = submit(session, c.cohort, trainee, exercise)
    client.login(mentor.email)
    client.post_form(
        f"/review/{work.id}", {"body": "Nice framing."}, token_from=f"/review/{work.id}"
    )
    fresh(session, work)
    assert work.status == SubmissionStatus.SUBMITTED
    assert _notifications(session, trainee.id) == [("feedback", "feedback")]


def test_returning_work_needs_a_comment(client, factory, session):
    c, trainee, mentor, exercise = _setup(factory, session)
    work = submit(session, c.cohort, trainee, exercise)
    client.login(mentor.email)
    response = client.post_form(
        f"/review/{work.id}", {"body": " ", "decision": "returned"}, token_from=f"/review/{work.id}"
    )
    assert response.status_code == 400
    assert "Say what to revise when returning work." in response.text
    fresh(session, work)
    assert work.status == SubmissionStatus.SUBMITTED
    session.commit()
    assert session.exec(select(Feedback)).first() is None


def test_no_decision_on_an_old_or_already_reviewed_version(client, factory, session):
    c, trainee, mentor, exercise = _setup(factory, session)
    old = submit(session, c.cohort, trainee, exercise, status=SubmissionStatus.RETURNED)
    submit(session, c.cohort, trainee, exercise, version=2)
    client.login(mentor.email)
    response = client.post_form(
        f"/review/{old.id}", {"body": "ok", "decision": "accepted"}, token_from=f"/review/{old.id}"
    )
    assert response.status_code == 400
    assert "not waiting for a review" in response.text
    fresh(session, old)
    assert old.status == SubmissionStatus.RETURNED


def test_rubric_levels_must_come_from_the_rubric(client, factory, session):
    c, trainee, mentor, exercise = _setup(factory, session)
    work = submit(session, c.cohort, trainee, exercise)
    client.login(mentor.email)
    token = client.csrf(f"/review/{work.id}")
    response = client.post(
        f"/review/{work.id}", data={"body": "x", "rubric-0": "Brilliant", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "Choose a level of the rubric" in response.text


def test_the_trainee_cannot_decide_or_score(client, factory, session):
    c, trainee, mentor, exercise = _setup(factory, session)
    work = submit(session, c.cohort, trainee, exercise)
    client.login(trainee.email)
    response = client.post_form(
        f"/review/{work.id}",
        {"body": "Accept me", "decision": "accepted"},
        token_from=f"/review/{work.id}",
    )
    assert response.status_code == 400
    fresh(session, work)
    assert work.status == SubmissionStatus.SUBMITTED


def test_a_script_in_feedback_is_shown_as_text(client, make_client, factory, session):
    c, trainee, mentor, exercise = _setup(factory, session)
    work = submit(session, c.cohort, trainee, exercise, text="<script>alert('answer')</script>")
    client.login(mentor.email)
    client.post_form(
        f"/review/{work.id}",
        {"body": "<script>alert('xss')</script> <img src=x onerror=alert(1)>"},
        token_from=f"/review/{work.id}",
    )
    as_trainee = make_client()
    as_trainee.login(trainee.email)
    for viewer in (client, as_trainee):
        html = viewer.get(f"/review/{work.id}").text
        assert "<script>alert" not in html
        assert not re.search(r"<img[^>]*onerror", html)
        assert "&lt;script&gt;alert('xss')&lt;/script&gt;" in html


def test_a_trainer_reviews_too_and_outsiders_get_404(client, make_client, factory, session):
    c, trainee, mentor, exercise = _setup(factory, session)
    work = submit(session, c.cohort, trainee, exercise)
    client.login(c.trainers[0].email)
    assert client.get(f"/review/{work.id}").status_code == 200
    outsider = factory.cohort(trainees=1)
    other = make_client()
    other.login(outsider.trainers[0].email)
    assert other.get(f"/review/{work.id}").status_code == 404
    assert other.get("/review/999999").status_code == 404


def test_reply_to_a_comment_of_another_submission_is_refused(client, factory, session):
    c, trainee, mentor, exercise = _setup(factory, session)
    a = submit(session, c.cohort, trainee, exercise)
    other_exercise = curriculum(session, c.cohort, milestones=1, exercises=1, slug="other")[0]
    b = submit(session, c.cohort, trainee, other_exercise)
    foreign = Feedback(submission_id=b.id, author_id=mentor.id, body="elsewhere")
    session.add(foreign)
    session.commit()
    client.login(mentor.email)
    response = client.post_form(
        f"/review/{a.id}", {"body": "x", "parent_id": foreign.id}, token_from=f"/review/{a.id}"
    )
    assert response.status_code == 400
    session.commit()
    assert session.exec(select(Submission).where(Submission.id == a.id)).one().status == "submitted"


def test_the_mentor_is_told_once_of_work_to_review(factory, session):
    from iil_lms.mentoring.review import tell_mentor_of_submission

    c, trainee, mentor, exercise = _setup(factory, session)
    work = submit(session, c.cohort, trainee, exercise)
    assert tell_mentor_of_submission(session, work) == 1
    assert tell_mentor_of_submission(session, work) == 0  # the same version: once
    told = session.exec(select(Notification).where(Notification.user_id == mentor.id)).one()
    assert (told.kind, told.link) == ("review", f"/review/{work.id}")
    assert trainee.display_name in told.text and exercise.title in told.text
    scored = submit(session, c.cohort, trainee, exercise, version=2, status="scored")
    assert tell_mentor_of_submission(session, scored) == 0
    alone = factory.cohort(trainees=1, mentors=0)
    other = curriculum(session, alone.cohort, milestones=1, exercises=1, slug="alone")[0]
    unmentored = submit(session, alone.cohort, alone.trainees[0], other)
    assert tell_mentor_of_submission(session, unmentored) == 0


def test_the_mentor_reads_an_action_plan_in_form_order_and_in_their_language(
    client, factory, session
):
    c, trainee, mentor, exercise = _setup(factory, session)
    exercise.type = "action_plan"
    exercise.spec = {"prompt": "Plan a change in your office."}
    session.add(exercise)
    plan = submit(session, c.cohort, trainee, exercise)
    plan.content = {
        "problem": "Files wait at the desk.",
        "who_is_affected": "Pensioners.",
        "idea": "A public queue board.",
        "first_steps": "Count the files.",
        "measures_of_success": "Days per file.",
    }
    session.add(plan)
    session.commit()
    client.login(mentor.email)
    page = client.get(f"/review/{plan.id}").text
    labels = ["The problem", "Who is affected", "Your idea", "First steps", "Measures of success"]
    positions = [page.index(f"<dt>{label}</dt>") for label in labels]
    assert positions == sorted(positions)
    assert "Pensioners." in page

    mentor.language = "ur"
    session.add(mentor)
    session.commit()
    urdu = client.get(f"/review/{plan.id}").text
    assert "<dt>کون متاثر ہوتا ہے</dt>" in urdu
    assert "Who is affected" not in urdu


def test_work_submitted_through_learnings_service_tells_the_mentor_once(factory, session):
    from iil_lms.learning import service as learning

    c = factory.cohort(trainees=1, mentors=1)
    trainee, mentor = c.trainees[0], c.mentors[0]
    exercise = curriculum(session, c.cohort, milestones=1, exercises=1, planned=True)[0]
    assign(session, c.cohort, mentor, trainee)
    for _click in range(2):  # a double click: the same key, one submission, one message
        work = learning.submit(
            session,
            cohort_id=c.cohort.id,
            user_id=trainee.id,
            exercise_id=exercise.id,
            content={"answer": "My reflection."},
            idempotency_key="one-click",
        )
    told = session.exec(select(Notification).where(Notification.user_id == mentor.id)).one()
    assert (told.kind, told.link) == ("review", f"/review/{work.id}")
