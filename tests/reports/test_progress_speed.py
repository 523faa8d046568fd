"""The progress page for slow links: served compressed, a repeat view answers 304 until
something on the grid changes, and the same number of SQL statements for 10 trainees as
for 2,000."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Membership, Role
from iil_lms.db import utcnow
from iil_lms.learning.models import Submission, SubmissionStatus
from tests.conftest import CohortFixture, Factory
from tests.learning.factories import course
from tests.query_count import count_queries


def grown(session: Session, factory: Factory, trainees: int) -> CohortFixture:
    """A cohort with a six-milestone plan and `trainees` trainees (added in bulk), each
    with a submission."""
    made = factory.cohort(trainees=0, circles=3)
    c = course(session, made.cohort, milestones=6)
    users = [
        User(email=f"bulk{made.cohort.id}-{i}@example.test", display_name=f"Trainee {i:04d}")
        for i in range(trainees)
    ]
    session.add_all(users)
    session.flush()
    session.add_all(
        Membership(
            cohort_id=made.cohort.id or 0,
            user_id=u.id or 0,
            role=Role.TRAINEE.value,
            circle_id=made.circles[i % 3].id,
        )
        for i, u in enumerate(users)
    )
    session.add_all(
        Submission(
            cohort_id=made.cohort.id or 0,
            user_id=u.id or 0,
            exercise_id=c.exercises["reflection"].id or 0,
            content={"answer": "mine"},
            status=SubmissionStatus.ACCEPTED,
        )
        for u in users
    )
    session.commit()
    return made


def test_progress_page_is_served_gzipped(session: Session, factory: Factory, client: Any) -> None:
    made = grown(session, factory, 40)
    client.login(made.trainers[0].email)
    page = client.get(f"/cohorts/{made.cohort.id}/progress", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert page.headers["content-encoding"] == "gzip"
    assert "Trainee 0039" in page.text


def test_a_repeat_view_answers_304_until_a_trainee_submits(
    session: Session, factory: Factory, client: Any
) -> None:
    made = grown(session, factory, 12)
    client.login(made.trainers[0].email)
    url = f"/cohorts/{made.cohort.id}/progress"
    first = client.get(url)
    etag = first.headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    # Another filter is another page.
    assert client.get(url + "?status=behind", headers={"If-None-Match": etag}).status_code == 200
    trainee = session.exec(
        Membership.__table__.select().where(  # type: ignore[attr-defined]
            Membership.cohort_id == made.cohort.id, Membership.role == Role.TRAINEE.value
        )
    ).first()
    session.add(
        Submission(
            cohort_id=made.cohort.id or 0,
            user_id=trainee.user_id,
            exercise_id=session.exec(Submission.__table__.select()).first().exercise_id,  # type: ignore[attr-defined]
            version=2,
            content={"answer": "a new version"},
        )
    )
    session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_progress_page_sends_the_same_statements_for_10_and_2000_trainees(
    session: Session, factory: Factory, make_client: Any, engine: Engine
) -> None:
    counts = []
    for size in (10, 2000):
        made = grown(session, factory, size)
        client = make_client()
        client.login(made.trainers[0].email)
        url = f"/cohorts/{made.cohort.id}/progress"
        client.get(url)  # warm the curriculum cache
        with count_queries(engine) as statements:
            page = client.get(url)
        assert page.status_code == 200
        with count_queries(engine) as conditional:
            assert (
                client.get(url, headers={"If-None-Match": page.headers["etag"]}).status_code == 304
            )
        counts.append((len(statements), len(conditional)))
    assert counts[0] == counts[1], counts


def test_a_reload_shows_a_new_submission_and_a_review_at_once(
    session: Session, factory: Factory, client: Any
) -> None:
    """The rendered grid is kept between views; a trainee's new work or a review shows
    on the next full view all the same (no If-None-Match: a reload, another trainer)."""
    made = grown(session, factory, 3)
    client.login(made.trainers[0].email)
    url = f"/cohorts/{made.cohort.id}/progress"
    before = client.get(url).text
    assert client.get(url).text == before  # served from the kept grid
    first = session.exec(Submission.__table__.select()).first()  # type: ignore[attr-defined]
    submission = session.get(Submission, first.id)
    assert submission is not None
    # A review as the mentor's form makes it: the work is returned for revision.
    submission.status = SubmissionStatus.RETURNED
    submission.reviewed_at = utcnow()
    session.add(submission)
    session.commit()
    after_review = client.get(url).text
    assert after_review != before
    session.add(
        Submission(
            cohort_id=made.cohort.id or 0,
            user_id=submission.user_id,
            exercise_id=submission.exercise_id,
            version=2,
            content={"answer": "revised"},
            status=SubmissionStatus.ACCEPTED,
        )
    )
    session.commit()
    assert client.get(url).text == before  # done again, as at first


def test_a_renamed_trainee_shows_on_the_next_view(
    session: Session, factory: Factory, client: Any
) -> None:
    made = grown(session, factory, 3)
    client.login(made.trainers[0].email)
    url = f"/cohorts/{made.cohort.id}/progress"
    assert "Trainee 0001" in client.get(url).text
    user = session.exec(
        User.__table__.select().where(User.display_name == "Trainee 0001")  # type: ignore[attr-defined]
    ).first()
    renamed = session.get(User, user.id)
    assert renamed is not None
    renamed.display_name = "Renamed Person"
    session.add(renamed)
    session.commit()
    page = client.get(url).text
    assert "Renamed Person" in page
    assert "Trainee 0001" not in page
