"""A trainee's full report: every version with its feedback, attendance, the mentoring
log, outreach and milestone dates, on the page and in its PDF; survey answers stay out;
only the trainee, their mentor and the cohort's trainers may open it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from iil_lms.cohorts.models import Attendance, Convening
from iil_lms.learning.models import Feedback, Submission, SubmissionStatus
from iil_lms.mentoring.models import MentorAssignment, MentoringLogEntry
from iil_lms.outreach.models import OutreachItem
from tests.conftest import CohortFixture, Factory
from tests.learning.factories import course
from tests.pdf_text import pdf_text


def recorded(session: Session, factory: Factory) -> CohortFixture:
    made = factory.cohort(trainees=2, mentors=2)
    cohort_id = made.cohort.id or 0
    trainee, mentor = made.trainees[0], made.mentors[0]
    c = course(session, made.cohort, milestones=2, types=("reflection", "survey"))
    reflection = c.exercises["reflection"]
    survey = c.exercises["survey"]
    session.add(
        MentorAssignment(cohort_id=cohort_id, mentor_id=mentor.id or 0, trainee_id=trainee.id or 0)
    )
    first = Submission(
        cohort_id=cohort_id,
        user_id=trainee.id or 0,
        exercise_id=reflection.id or 0,
        version=1,
        content={"answer": "Gifts from contractors oblige the officer"},
        status=SubmissionStatus.RETURNED,
    )
    second = Submission(
        cohort_id=cohort_id,
        user_id=trainee.id or 0,
        exercise_id=reflection.id or 0,
        version=2,
        content={"answer": "رشوت کا مسئلہ: a second, fuller answer"},
        status=SubmissionStatus.ACCEPTED,
    )
    session.add(first)
    session.add(second)
    session.add(
        Submission(
            cohort_id=cohort_id,
            user_id=trainee.id or 0,
            exercise_id=survey.id or 0,
            content={"ratings": [5], "comment": "A confidential survey comment"},
            status=SubmissionStatus.SCORED,
        )
    )
    session.flush()
    session.add(
        Feedback(
            submission_id=first.id or 0,
            author_id=mentor.id or 0,
            body="Name the rule that applies",
            decision="returned",
        )
    )
    convening = Convening(
        cohort_id=cohort_id,
        title="Lahore convening",
        starts_on=date(2026, 10, 5),
        ends_on=date(2026, 10, 6),
    )
    session.add(convening)
    session.flush()
    session.add(
        Attendance(
            convening_id=convening.id or 0,
            user_id=trainee.id or 0,
            day=date(2026, 10, 5),
            present=True,
        )
    )
    session.add(
        Attendance(
            convening_id=convening.id or 0,
            user_id=trainee.id or 0,
            day=date(2026, 10, 6),
            present=False,
        )
    )
    session.add(
        MentoringLogEntry(
            cohort_id=cohort_id,
            mentor_id=mentor.id or 0,
            trainee_id=trainee.id or 0,
            held_on=date(2026, 10, 9),
            mode="phone",
            topics="Procurement file review",
        )
    )
    session.add(
        OutreachItem(
            public_id=f"r{cohort_id}",
            cohort_id=cohort_id,
            author_id=trainee.id or 0,
            kind="story",
            title="Token queue at the tehsil office",
        )
    )
    session.commit()
    return made


def url(made: CohortFixture, suffix: str = "") -> str:
    return f"/cohorts/{made.cohort.id}/trainees/{made.trainees[0].id}/report{suffix}"


def test_trainer_reads_every_version_with_its_feedback_and_the_whole_record(
    session: Session, factory: Factory, client: Any
) -> None:
    made = recorded(session, factory)
    client.login(made.trainers[0].email)
    page = client.get(url(made))
    assert page.status_code == 200
    text = page.text
    for expected in (
        "Gifts from contractors oblige the officer",
        "رشوت کا مسئلہ: a second, fuller answer",
        "Name the rule that applies",
        "version 2",
        "version 1",
        "Lahore convening",
        "Present on 1 of 2 days taken.",
        "Procurement file review",
        "Token queue at the tehsil office",
        "Milestone 2",
    ):
        assert expected in text, expected
    # The newest version comes first.
    assert text.index("version 2") < text.index("version 1")


def test_survey_answers_never_appear_in_the_report(
    session: Session, factory: Factory, client: Any
) -> None:
    made = recorded(session, factory)
    client.login(made.mentors[0].email)
    page = client.get(url(made))
    assert page.status_code == 200
    assert "A confidential survey comment" not in page.text


def test_the_report_prints_as_a_pdf_with_the_same_record(
    session: Session, factory: Factory, client: Any
) -> None:
    made = recorded(session, factory)
    client.login(made.trainees[0].email)
    response = client.get(url(made, ".pdf"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Gifts from contractors oblige the officer" in text
    assert "Name the rule that applies" in text
    assert "Procurement file review" in text
    assert "Token queue at the tehsil office" in text
    assert "A confidential survey comment" not in text


def test_only_the_trainee_their_mentor_and_trainers_open_the_report(
    session: Session, factory: Factory, make_client: Any
) -> None:
    made = recorded(session, factory)
    expected = {
        made.trainees[0].email: 200,
        made.mentors[0].email: 200,
        made.trainers[0].email: 200,
        made.organisers[0].email: 403,
        made.trainees[1].email: 404,  # a peer
        made.mentors[1].email: 404,  # another trainee's mentor
    }
    for email, status in expected.items():
        client = make_client()
        client.login(email)
        assert client.get(url(made)).status_code == status, email
        assert client.get(url(made, ".pdf")).status_code == status, email
