"""Every view of a trainee's plan gives the same modules, counts and due dates: the
journey map, the trainer's progress page, the mentor's /mentees page, due-date reminders
and the printable exercise pack all ask the curriculum's `trainee_plans`."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from iil_lms.curriculum.models import PlanItem
from iil_lms.learning.journey import journey_for
from iil_lms.learning.pack import trainee_pack_cohort
from iil_lms.learning.progress import cohort_progress
from iil_lms.learning.reminders import send_due_soon_reminders
from iil_lms.notifications.models import Notification
from tests.learning.factories import course, today
from tests.mentoring.helpers import assign


def _world(factory, session: Session):
    """Three milestones of one module each (2, 1 and 1 exercises), due in ten days for
    the cohort; circle 1 drops module 2, circle 2 has module 1 due in two days."""
    c = factory.cohort(trainees=2, mentors=1, circles=2)
    made = course(
        session,
        c.cohort,
        milestones=3,
        types=("reflection", "case_study"),
        due_on=today() + timedelta(days=10),
    )
    first, second, _third = made.modules
    dropped_circle, moved_circle = c.circles
    session.add(
        PlanItem(
            cohort_id=c.cohort.id,
            module_id=second.id,
            circle_id=dropped_circle.id,
            opens_on=today() - timedelta(days=7),
            due_on=today() + timedelta(days=10),
            removed=True,
        )
    )
    session.add(
        PlanItem(
            cohort_id=c.cohort.id,
            module_id=first.id,
            circle_id=moved_circle.id,
            opens_on=today() - timedelta(days=7),
            due_on=today() + timedelta(days=2),
        )
    )
    session.commit()
    dropping, moved = c.trainees  # the factory puts trainee i in circle i
    assign(session, c.cohort, c.mentors[0], dropping, moved)
    return c, made, dropping, moved


def test_journey_progress_mentees_reminders_and_pack_agree_on_a_circles_plan(
    client, factory, session
):
    c, made, dropping, moved = _world(factory, session)
    first, second, _third = made.modules
    cohort_id = c.cohort.id
    expected_totals = {dropping.id: 3, moved.id: 4}
    expected_first_due = {
        dropping.id: today() + timedelta(days=10),
        moved.id: today() + timedelta(days=2),
    }

    report = cohort_progress(session, cohort_id, today=today())
    rows = {r.user_id: r for r in report.rows}
    for trainee in (dropping, moved):
        journey = journey_for(session, cohort_id=cohort_id, user_id=trainee.id, today=today())
        assert sum(m.total for m in journey.milestones) == expected_totals[trainee.id]
        assert journey.milestones[0].due_on == expected_first_due[trainee.id]
        assert sum(cell.total for cell in rows[trainee.id].cells) == expected_totals[trainee.id]
    # The dropped module is no milestone of the first circle's trainee.
    journey = journey_for(session, cohort_id=cohort_id, user_id=dropping.id, today=today())
    assert [m.position for m in journey.milestones] == [1, 3]

    session.commit()  # end the test's read transaction before the requests
    client.login(c.mentors[0].email)
    text = client.get("/mentees").text
    assert "0 of 3 exercises" in text  # the trainee whose circle dropped module 2
    assert "0 of 4 exercises" in text

    session.commit()
    send_due_soon_reminders(session, today=today())
    reminders = session.exec(select(Notification).where(Notification.kind == "reminder")).all()
    assert [(n.user_id, n.params["due_on"]) for n in reminders] == [
        (moved.id, expected_first_due[moved.id].isoformat())
    ]

    assert trainee_pack_cohort(session, dropping.id, second.id, None) is None
    assert trainee_pack_cohort(session, moved.id, second.id, None) is not None
    assert trainee_pack_cohort(session, dropping.id, first.id, None) is not None
