"""The mentor's overview and mentee pages: what they show, who may open them, and a
fixed number of queries whatever the number of mentees."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from iil_lms.learning.models import Feedback, SubmissionStatus
from iil_lms.mentoring.models import MentoringLogEntry
from tests.mentoring.helpers import assign, curriculum, submit
from tests.query_count import count_queries


def test_overview_shows_progress_awaiting_review_oldest_first_and_last_contact(
    client, factory, session
):
    c = factory.cohort(trainees=3, mentors=1)
    mentor = c.mentors[0]
    t1, t2, t3 = c.trainees
    exercises = curriculum(session, c.cohort, milestones=2, exercises=2, planned=True)
    assign(session, c.cohort, mentor, t1, t2)
    now = datetime.now(UTC)
    submit(
        session,
        c.cohort,
        t1,
        exercises[0],
        status=SubmissionStatus.ACCEPTED,
        at=now - timedelta(days=9),
    )
    newer = submit(session, c.cohort, t1, exercises[1], at=now - timedelta(days=1))
    older = submit(session, c.cohort, t2, exercises[2], at=now - timedelta(days=5))
    submit(session, c.cohort, t3, exercises[3], at=now - timedelta(days=7))  # not a mentee
    session.add(
        MentoringLogEntry(
            cohort_id=c.cohort.id,
            mentor_id=mentor.id,
            trainee_id=t2.id,
            held_on=date(2026, 10, 5),
            mode="phone",
            topics="Survey plan",
        )
    )
    session.add(
        Feedback(
            submission_id=newer.id,
            author_id=mentor.id,
            body="Good start",
            created_at=now - timedelta(hours=2),
        )
    )
    session.commit()

    client.login(mentor.email)
    page = client.get("/mentees")
    assert page.status_code == 200
    text = page.text
    assert t1.display_name in text and t2.display_name in text
    assert t3.display_name not in text
    # oldest first, across mentees
    assert text.index(f"/review/{older.id}") < text.index(f"/review/{newer.id}")
    assert "1 of 4 exercises" in text  # t1: one accepted of four planned
    assert "0 of 4 exercises" in text
    assert "None recorded" not in text  # both have a last contact
    assert "5 Oct 2026" in text


def test_overview_empty_states_say_what_happens_next(client, factory):
    c = factory.cohort(trainees=1, mentors=1)
    client.login(c.mentors[0].email)
    text = client.get("/mentees").text
    assert "You have no mentees yet" in text
    assert "Nothing is waiting for your review" in text


def test_only_mentors_open_the_overview(client, factory):
    c = factory.cohort(trainees=1, mentors=1)
    client.login(c.trainees[0].email)
    assert client.get("/mentees").status_code == 403


def test_mentor_cannot_open_other_mentors_trainee(client, factory, session):
    c = factory.cohort(trainees=2, mentors=2)
    (mine, theirs), (me, other) = c.trainees, c.mentors
    exercise = curriculum(session, c.cohort, milestones=1, exercises=1, planned=True)[0]
    assign(session, c.cohort, me, mine)
    assign(session, c.cohort, other, theirs)
    their_work = submit(session, c.cohort, theirs, exercise)
    my_work = submit(session, c.cohort, mine, exercise)
    client.login(me.email)
    assert client.get(f"/mentees/{mine.id}").status_code == 200
    assert client.get(f"/review/{my_work.id}").status_code == 200
    for path in (f"/mentees/{theirs.id}", f"/mentees/{theirs.id}/log", f"/review/{their_work.id}"):
        assert client.get(path).status_code == 404, path
    response = client.post_form(
        f"/mentees/{theirs.id}/log", {"held_on": "2026-10-01", "mode": "phone", "topics": "x"}
    )
    assert response.status_code == 404
    assert client.post_form(f"/review/{their_work.id}", {"body": "x"}).status_code == 404


def test_a_former_mentor_loses_access(client, factory, session):
    from iil_lms.mentoring import service

    c = factory.cohort(trainees=1, mentors=2)
    trainee, (first, second) = c.trainees[0], c.mentors
    service.assign_mentor(
        session,
        cohort_id=c.cohort.id,
        trainee_ids=[trainee.id],
        mentor_id=first.id,
        actor_id=c.trainers[0].id,
    )
    session.commit()
    client.login(first.email)
    assert client.get(f"/mentees/{trainee.id}").status_code == 200
    service.assign_mentor(
        session,
        cohort_id=c.cohort.id,
        trainee_ids=[trainee.id],
        mentor_id=second.id,
        actor_id=c.trainers[0].id,
    )
    session.commit()
    assert client.get(f"/mentees/{trainee.id}").status_code == 404


def test_trainer_opens_any_trainee_of_the_cohort_read_only(client, factory, session):
    c = factory.cohort(trainees=1, mentors=1)
    other = factory.cohort(trainees=1)
    client.login(c.trainers[0].email)
    page = client.get(f"/mentees/{c.trainees[0].id}")
    assert page.status_code == 200
    assert client.get(f"/mentees/{other.trainees[0].id}").status_code == 404
    log = client.get(f"/mentees/{c.trainees[0].id}/log")
    assert log.status_code == 200
    assert "Record a conversation" not in log.text
    response = client.post_form(
        f"/mentees/{c.trainees[0].id}/log",
        {"held_on": "2026-10-01", "mode": "phone", "topics": "x"},
    )
    assert response.status_code == 403


def _mentees_page_queries(client, engine, factory, session, n: int) -> int:
    c = factory.cohort(trainees=n, mentors=1, circles=3)
    exercises = curriculum(session, c.cohort, milestones=3, exercises=2, slug=f"q{n}", planned=True)
    assign(session, c.cohort, c.mentors[0], *c.trainees)
    for i, trainee in enumerate(c.trainees):
        submit(session, c.cohort, trainee, exercises[i % len(exercises)])
        session.add(
            MentoringLogEntry(
                cohort_id=c.cohort.id,
                mentor_id=c.mentors[0].id,
                trainee_id=trainee.id,
                held_on=date(2026, 10, 1),
                mode="online",
                topics="Check-in",
            )
        )
    session.commit()
    client.cookies.clear()
    client.login(c.mentors[0].email)
    with count_queries(engine) as statements:
        page = client.get("/mentees")
    assert page.status_code == 200
    assert page.text.count('href="/review/') == n
    return len(statements)


def test_mentees_page_runs_the_same_queries_for_5_and_50_mentees(client, engine, factory, session):
    few = _mentees_page_queries(client, engine, factory, session, 5)
    many = _mentees_page_queries(client, engine, factory, session, 50)
    assert few == many
    assert many <= 15


def test_progress_counts_done_by_the_journeys_rule(session, factory):
    """Accepted work counts; a quiz counts only once its best score reaches the pass
    mark; work waiting for review or returned does not."""
    from iil_lms.mentoring.mentees import progress_by_trainee

    fx = factory.cohort(trainees=2, mentors=1)
    ex = curriculum(session, fx.cohort, milestones=1, exercises=4, planned=True)
    ex[3].type, ex[3].spec = "quiz", {"pass_mark": 60}
    session.add(ex[3])
    session.commit()
    passed, failed = fx.trainees
    submit(session, fx.cohort, passed, ex[0], status=SubmissionStatus.ACCEPTED)
    submit(session, fx.cohort, passed, ex[1], status=SubmissionStatus.RETURNED)
    submit(session, fx.cohort, failed, ex[2], status=SubmissionStatus.SUBMITTED)
    for user, score in ((passed, 80.0), (failed, 40.0)):
        quiz = submit(session, fx.cohort, user, ex[3], status=SubmissionStatus.SCORED)
        quiz.score = score
        session.add(quiz)
    session.commit()
    progress = progress_by_trainee(session, fx.cohort, [passed.id, failed.id])
    assert [(p.done, p.total) for p in progress[passed.id]] == [(2, 4)]
    assert [(p.done, p.total) for p in progress[failed.id]] == [(0, 4)]


def test_a_mentor_reading_urdu_sees_exercise_titles_in_urdu_and_english_marked(
    client, factory, session
):
    c = factory.cohort(trainees=1, mentors=1)
    mentor, trainee = c.mentors[0], c.trainees[0]
    mentor.language = "ur"
    session.add(mentor)
    translated, untranslated = curriculum(
        session, c.cohort, milestones=1, exercises=2, planned=True
    )
    translated.translations = {"ur": {"title": "مفادات کا ٹکراؤ: ایک مثال"}}
    session.add(translated)
    session.commit()
    assign(session, c.cohort, mentor, trainee)
    submit(session, c.cohort, trainee, translated)
    submit(session, c.cohort, trainee, untranslated)
    client.login(mentor.email)

    for page in (client.get("/mentees").text, client.get(f"/mentees/{trainee.id}").text):
        assert "مفادات کا ٹکراؤ: ایک مثال" in page
        assert f'dir="auto" lang="en">{untranslated.title}</a>' in page
        assert f">{translated.title}</a>" not in page
