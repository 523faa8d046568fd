"""The area's list pages run the same number of SQL queries for a small and a ten times
larger cohort: mentors, circles, a circle's discussion, outreach moderation, the
showcase and the notification list."""

from __future__ import annotations

from sqlmodel import Session

from iil_lms.db import utcnow
from iil_lms.mentoring.models import CirclePost
from iil_lms.notifications.service import notify
from iil_lms.outreach.models import OutreachItem, OutreachStatus
from tests.conftest import WebClient
from tests.mentoring.helpers import assign
from tests.query_count import count_queries


def _world(factory, session: Session, n: int):
    """A cohort with `n` trainees in one circle (n posts with a reply each), mentors
    assigned, n outreach items (half approved) and n notifications for the trainer."""
    c = factory.cohort(trainees=n, mentors=max(2, n // 5), circles=2)
    for i, trainee in enumerate(c.trainees):
        assign(session, c.cohort, c.mentors[i % len(c.mentors)], trainee)
    circle = c.circles[0]
    for trainee in c.trainees:
        membership = c.memberships[(trainee.id, "trainee")]
        membership.circle_id = circle.id
        session.add(membership)
    for i, trainee in enumerate(c.trainees):
        post = CirclePost(circle_id=circle.id, author_id=trainee.id, body=f"Post {i}")
        session.add(post)
        session.flush()
        session.add(
            CirclePost(
                circle_id=circle.id, author_id=c.mentors[0].id, parent_id=post.id, body="Reply"
            )
        )
        approved = i % 2 == 0
        session.add(
            OutreachItem(
                public_id=f"p{c.cohort.id}-{i}",
                cohort_id=c.cohort.id,
                author_id=trainee.id,
                kind="story",
                title=f"Story {i}",
                body="Text",
                show_name=i % 4 == 0,
                status=OutreachStatus.APPROVED if approved else OutreachStatus.SUBMITTED,
                approved_at=utcnow() if approved else None,
            )
        )
    session.flush()
    trainer = c.trainers[0]
    for i in range(n):
        notify(
            session,
            user_ids=[trainer.id],
            kind="mention",
            params={"author": "Someone", "where": f"Circle {i}"},
            link="/notifications",
        )
    session.commit()
    return c


def _counts(app, engine, factory, session, n: int) -> dict[str, int]:
    c = _world(factory, session, n)
    cohort_id, circle_id = c.cohort.id, c.circles[0].id
    pages = [
        f"/cohorts/{cohort_id}/mentors",
        f"/cohorts/{cohort_id}/mentors/history",
        f"/cohorts/{cohort_id}/circles",
        f"/circles/{circle_id}",
        f"/cohorts/{cohort_id}/outreach",
        f"/showcase/{c.academy.slug}",
        "/showcase",
        "/notifications",
    ]
    counts: dict[str, int] = {}
    with WebClient(app, base_url="http://testserver") as client:
        client.login(c.trainers[0].email)
        for number, page in enumerate(pages):
            with count_queries(engine) as statements:
                response = client.get(page)
            assert response.status_code == 200, page
            counts[f"page {number}"] = len(statements)
    return counts


def test_list_pages_run_the_same_queries_for_6_and_60_trainees(app, engine, factory, session):
    few = _counts(app, engine, factory, session, 6)
    many = _counts(app, engine, factory, session, 60)
    assert few == many
