"""Convenings and attendance: planning one, taking attendance a tap at a time (with and
without htmx), correcting it, and where attendance shows afterwards."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from iil_lms.cohorts import convenings
from iil_lms.cohorts.models import Attendance, Convening, Membership


@pytest.fixture
def made(factory):
    return factory.cohort(trainees=3, mentors=1, trainers=1, organisers=1, circles=1)


def _convening(session, made, **overrides):
    values = {
        "cohort_id": made.cohort.id,
        "title": "Convening 1",
        "starts_on": date(2026, 10, 5),
        "ends_on": date(2026, 10, 7),
    }
    values.update(overrides)
    convening = Convening(**values)
    session.add(convening)
    session.commit()
    return convening


def test_a_trainer_plans_a_convening(client, made, session):
    client.login(made.trainers[0].email)
    url = f"/cohorts/{made.cohort.id}/convenings"
    response = client.post(
        url,
        data={
            "csrf_token": client.csrf(url),
            "title": "Quarterly convening, Pokhara",
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-03",
            "venue": "Staff College",
            "agenda": "Day 1: problem trees",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(url)
    assert "Quarterly convening, Pokhara" in page.text
    detail = client.get(response.headers["location"])
    assert detail.text.count("Take or correct attendance for") == 3


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field_error"),
    [
        ("2026-12-03", "2026-12-01", "cannot come before"),
        ("2026-12-01", "2027-01-30", "at most 14 days"),
        ("not a date", "2026-12-01", "first day as a date"),
    ],
)
def test_bad_dates_are_refused_with_the_reason(client, made, starts_on, ends_on, field_error):
    client.login(made.trainers[0].email)
    url = f"/cohorts/{made.cohort.id}/convenings"
    response = client.post(
        url,
        data={
            "csrf_token": client.csrf(url),
            "title": "X",
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    assert response.status_code == 400
    assert field_error in response.text


def test_modules_not_in_the_plan_are_refused(session, made):
    with pytest.raises(convenings.ConveningInvalid) as refused:
        convenings.save_convening(
            session,
            made.cohort.id,
            convenings.ConveningDraft("T", date(2026, 1, 1), date(2026, 1, 1), module_ids=(99,)),
            allowed_modules=[1, 2],
            actor_id=made.trainers[0].id,
        )
    assert set(refused.value.errors) == {"module_ids"}


def test_attendance_is_one_tap_per_person_per_day_and_can_be_corrected(client, made, session):
    convening = _convening(session, made)
    client.login(made.organisers[0].email)
    sheet_url = f"/cohorts/{made.cohort.id}/convenings/{convening.id}/attendance?day=2026-10-06"
    sheet = client.get(sheet_url)
    assert sheet.text.count('name="present" value="1"') == 3
    trainee = made.trainees[0]
    post_url = f"/cohorts/{made.cohort.id}/convenings/{convening.id}/attendance"
    token = client.csrf(sheet_url)
    # With htmx: the row comes back, marked.
    row = client.post(
        post_url,
        data={"csrf_token": token, "user_id": trainee.id, "day": "2026-10-06", "present": "1"},
        headers={"HX-Request": "true"},
    )
    assert row.status_code == 200
    assert row.text.strip().startswith(f'<li id="person-{trainee.id}"')
    assert "is-present" in row.text
    # Without JavaScript: back to the sheet at the person.
    plain = client.post(
        post_url,
        data={"csrf_token": token, "user_id": trainee.id, "day": "2026-10-06", "present": "0"},
        follow_redirects=False,
    )
    assert plain.status_code == 303
    assert plain.headers["location"].endswith(f"day=2026-10-06#person-{trainee.id}")
    marks = session.exec(select(Attendance)).all()
    assert [(m.user_id, m.day, m.present) for m in marks] == [
        (trainee.id, date(2026, 10, 6), False)
    ]


def test_attendance_for_a_day_outside_the_convening_or_an_outsider_is_refused(
    client, made, session, factory
):
    convening = _convening(session, made)
    outsider = factory.cohort(trainees=1).trainees[0]
    client.login(made.trainers[0].email)
    url = f"/cohorts/{made.cohort.id}/convenings/{convening.id}/attendance"
    token = client.csrf(url)
    for user_id, day in ((made.trainees[0].id, "2026-10-09"), (outsider.id, "2026-10-05")):
        response = client.post(
            url, data={"csrf_token": token, "user_id": user_id, "day": day, "present": "1"}
        )
        assert response.status_code == 400
    assert session.exec(select(Attendance)).all() == []


def test_the_sheet_searches_and_leaves_withdrawn_trainees_out(client, made, session):
    convening = _convening(session, made)
    membership = session.exec(
        select(Membership).where(Membership.user_id == made.trainees[2].id)
    ).one()
    from iil_lms.db import utcnow

    membership.withdrawn_at = utcnow()
    session.add(membership)
    session.commit()
    client.login(made.trainers[0].email)
    url = f"/cohorts/{made.cohort.id}/convenings/{convening.id}/attendance"
    assert client.get(url).text.count('name="present" value="1"') == 2
    found = client.get(url, params={"q": made.trainees[1].display_name})
    assert found.text.count('name="present" value="1"') == 1


def test_attendance_shows_on_progress_column_filter_csv_and_the_journey(
    client, made, session, make_client
):
    from tests.learning.factories import course

    course(session, made.cohort, milestones=2)
    convening = _convening(session, made)
    trainer = made.trainers[0].id
    for day, present in ((date(2026, 10, 5), True), (date(2026, 10, 6), False)):
        convenings.record_attendance(
            session,
            convening,
            user_id=made.trainees[0].id,
            day=day,
            present=present,
            actor_id=trainer,
        )
    session.commit()
    totals = convenings.attendance_by_user(session, made.cohort.id)
    assert totals[made.trainees[0].id] == convenings.AttendanceTotals(present=1, taken=2)
    client.login(made.trainers[0].email)
    base = f"/cohorts/{made.cohort.id}/progress"
    progress = client.get(base)
    assert "Convening days" in progress.text and "1/2" in progress.text
    missed = client.get(base, params={"attendance": "missed"}).text
    assert made.trainees[0].display_name in missed
    assert made.trainees[1].display_name not in missed
    rows = client.get(base + ".csv").content.decode("utf-8-sig").splitlines()
    assert rows[0].endswith("Convening days present,Convening days taken,At risk")
    line = next(r for r in rows if made.trainees[0].email in r)
    assert line.split(",")[-3:-1] == ["1", "2"]
    trainee = make_client()
    trainee.login(made.trainees[0].email)
    journey = trainee.get("/journey").text
    assert "Your convening attendance" in journey
    assert "present 1 of 2 days" in journey
