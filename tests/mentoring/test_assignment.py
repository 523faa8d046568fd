"""Mentor assignment by hand and balanced, through the service and the trainer's pages."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from iil_lms.accounts.models import AuditEntry
from iil_lms.cohorts.models import Membership
from iil_lms.mentoring import proposals, service
from iil_lms.mentoring.matching import MatchOptions
from iil_lms.mentoring.models import MenteePreference, MentorAssignment, MentorFeedback
from iil_lms.notifications.models import Notification


def open_pairs(session, cohort_id):
    session.commit()  # end the test's read transaction to see what requests wrote
    rows = session.exec(
        select(MentorAssignment).where(
            MentorAssignment.cohort_id == cohort_id, MentorAssignment.ended_at.is_(None)
        )
    ).all()
    return {a.trainee_id: a.mentor_id for a in rows}


def test_changing_a_mentor_ends_the_old_assignment_and_keeps_history(session, factory):
    c = factory.cohort(trainees=2, mentors=2)
    trainer, (m1, m2), (t1, t2) = c.trainers[0], c.mentors, c.trainees
    changed = service.assign_mentor(
        session,
        cohort_id=c.cohort.id,
        trainee_ids=[t1.id, t2.id],
        mentor_id=m1.id,
        actor_id=trainer.id,
    )
    session.commit()
    assert changed == 2
    assert (
        service.assign_mentor(
            session,
            cohort_id=c.cohort.id,
            trainee_ids=[t1.id],
            mentor_id=m2.id,
            actor_id=trainer.id,
        )
        == 1
    )
    session.commit()
    rows = session.exec(
        select(MentorAssignment)
        .where(MentorAssignment.trainee_id == t1.id)
        .order_by(MentorAssignment.id)
    ).all()
    assert [(r.mentor_id, r.ended_at is None) for r in rows] == [(m1.id, False), (m2.id, True)]
    assert open_pairs(session, c.cohort.id) == {t1.id: m2.id, t2.id: m1.id}
    actions = session.exec(select(AuditEntry.action)).all()
    assert actions.count("mentor.assign") == 3
    told = session.exec(select(Notification.user_id, Notification.params)).all()
    assert (t1.id, {"message": "mentor_assigned", "mentor": m2.display_name}) in told


def test_assigning_the_same_mentor_again_changes_nothing(session, factory):
    c = factory.cohort(trainees=1, mentors=1)
    args = dict(
        cohort_id=c.cohort.id,
        trainee_ids=[c.trainees[0].id],
        mentor_id=c.mentors[0].id,
        actor_id=c.trainers[0].id,
    )
    assert service.assign_mentor(session, **args) == 1
    assert service.assign_mentor(session, **args) == 0


def test_a_line_manager_is_never_made_the_mentor(session, factory):
    c = factory.cohort(trainees=1, mentors=1)
    membership = c.memberships[(c.trainees[0].id, "trainee")]
    membership.line_manager_id = c.mentors[0].id
    session.add(membership)
    session.commit()
    with pytest.raises(service.MentoringError, match="line manager"):
        service.assign_mentor(
            session,
            cohort_id=c.cohort.id,
            trainee_ids=[c.trainees[0].id],
            mentor_id=c.mentors[0].id,
            actor_id=c.trainers[0].id,
        )
    assert open_pairs(session, c.cohort.id) == {}


def test_people_of_another_cohort_cannot_be_assigned(session, factory):
    a, b = factory.cohort(trainees=1), factory.cohort(trainees=1)
    with pytest.raises(service.MentoringError, match="not trainees"):
        service.assign_mentor(
            session,
            cohort_id=a.cohort.id,
            trainee_ids=[b.trainees[0].id],
            mentor_id=a.mentors[0].id,
            actor_id=a.trainers[0].id,
        )
    with pytest.raises(service.MentoringError, match="mentor of this cohort"):
        service.assign_mentor(
            session,
            cohort_id=a.cohort.id,
            trainee_ids=[a.trainees[0].id],
            mentor_id=b.mentors[0].id,
            actor_id=a.trainers[0].id,
        )


def test_trainer_assigns_ticked_trainees_on_the_mentors_page(client, factory, session):
    c = factory.cohort(trainees=3, mentors=2)
    client.login(c.trainers[0].email)
    page = client.get(f"/cohorts/{c.cohort.id}/mentors")
    assert page.status_code == 200
    assert "3 trainees have no mentor yet." in page.text
    response = client.post_form(
        f"/cohorts/{c.cohort.id}/mentors/assign",
        {"trainee_ids": [c.trainees[0].id, c.trainees[2].id], "mentor_id": c.mentors[1].id},
    )
    assert response.status_code == 303
    assert open_pairs(session, c.cohort.id) == {
        c.trainees[0].id: c.mentors[1].id,
        c.trainees[2].id: c.mentors[1].id,
    }
    page = client.get(f"/cohorts/{c.cohort.id}/mentors")
    assert "Mentor assigned to 2 trainees." in page.text
    assert "1 trainee has no mentor yet." in page.text
    client.post_form(
        f"/cohorts/{c.cohort.id}/mentors/assign",
        {"trainee_ids": [c.trainees[0].id], "mentor_id": ""},
    )
    assert open_pairs(session, c.cohort.id) == {c.trainees[2].id: c.mentors[1].id}
    history = client.get(f"/cohorts/{c.cohort.id}/mentors/history")
    assert history.text.count("By hand") == 2


def test_assigning_nobody_shows_an_error(client, factory):
    c = factory.cohort(trainees=1)
    client.login(c.trainers[0].email)
    response = client.post_form(
        f"/cohorts/{c.cohort.id}/mentors/assign",
        {"mentor_id": c.mentors[0].id},
        follow_redirects=True,
    )
    assert "Tick at least one trainee." in response.text


def _fingerprint(html: str) -> str:
    match = re.search(r'name="fingerprint" value="([^"]+)"', html)
    assert match, html[:2000]
    return match.group(1)


def test_balanced_assignment_is_previewed_then_applied_in_one_go(client, factory, session):
    c = factory.cohort(trainees=10, mentors=3, circles=2)
    client.login(c.trainers[0].email)
    preview = client.get(f"/cohorts/{c.cohort.id}/mentors/auto")
    assert preview.status_code == 200
    assert "10 trainees get a first mentor" in preview.text
    assert "Every rule is met and loads are within one of each other." in preview.text
    assert open_pairs(session, c.cohort.id) == {}  # the preview writes nothing
    response = client.post_form(
        f"/cohorts/{c.cohort.id}/mentors/auto",
        {
            "chosen": "1",
            "avoid_same_department": "1",
            "honour_gender_requests": "1",
            "keep_current_pairs": "1",
            "fingerprint": _fingerprint(preview.text),
        },
    )
    assert response.status_code == 303, response.text[:500]
    pairs = open_pairs(session, c.cohort.id)
    assert set(pairs) == {t.id for t in c.trainees}
    loads = sorted(list(pairs.values()).count(m.id) for m in c.mentors)
    assert loads == [3, 3, 4]
    departments = {m.user_id: m.department for m in session.exec(select(Membership))}
    assert all(departments[t] != departments[m] for t, m in pairs.items())
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "mentor.auto_assign")).one()
    again = client.get(f"/cohorts/{c.cohort.id}/mentors/auto")
    assert "Nothing would change" in again.text


def test_a_stale_proposal_is_not_applied(client, factory, session):
    c = factory.cohort(trainees=4, mentors=2)
    client.login(c.trainers[0].email)
    preview = client.get(f"/cohorts/{c.cohort.id}/mentors/auto")
    service.assign_mentor(
        session,
        cohort_id=c.cohort.id,
        trainee_ids=[c.trainees[0].id],
        mentor_id=c.mentors[0].id,
        actor_id=c.trainers[0].id,
    )
    session.commit()
    response = client.post_form(
        f"/cohorts/{c.cohort.id}/mentors/auto",
        {"chosen": "1", "avoid_same_department": "1", "fingerprint": _fingerprint(preview.text)},
    )
    assert response.status_code == 409
    assert "changed since this proposal was made" in response.text
    assert open_pairs(session, c.cohort.id) == {c.trainees[0].id: c.mentors[0].id}


def test_proposal_names_trainees_it_cannot_place(client, factory, session):
    c = factory.cohort(trainees=2, mentors=1)
    # trainee 1 and mentor 1 are both in "Department 0"
    client.login(c.trainers[0].email)
    page = client.get(f"/cohorts/{c.cohort.id}/mentors/auto")
    assert "What the proposal could not do" in page.text
    assert f"{c.trainees[0].display_name} cannot be placed" in page.text
    assert "Cannot be placed" in page.text
    relaxed = client.get(f"/cohorts/{c.cohort.id}/mentors/auto?chosen=1&keep_current_pairs=1")
    assert "Every rule is met" in relaxed.text


def test_same_gender_request_and_circles_reach_the_matching(session, factory):
    c = factory.cohort(trainees=2, mentors=2, circles=1)
    for user, gender in (
        (c.trainees[0], "female"),
        (c.mentors[0], "male"),
        (c.mentors[1], "female"),
    ):
        user.gender = gender
        session.add(user)
    session.commit()
    service.set_same_gender_preference(
        session, cohort_id=c.cohort.id, trainee_id=c.trainees[0].id, wanted=True
    )
    session.commit()
    assert session.exec(select(MenteePreference)).one().wants_same_gender_mentor
    proposal = proposals.propose(session, c.cohort.id, MatchOptions(avoid_same_department=False))
    assert proposal.result.pairs[c.trainees[0].id] == c.mentors[1].id
    together = proposals.propose(
        session,
        c.cohort.id,
        MatchOptions(
            avoid_same_department=False, keep_circles_together=True, honour_gender_requests=False
        ),
    )
    assert len(set(together.result.pairs.values())) == 1


def test_mentee_feedback_on_mentor_is_for_trainers_only(client, make_client, factory, session):
    c = factory.cohort(trainees=1, mentors=1)
    trainee, mentor, trainer = c.trainees[0], c.mentors[0], c.trainers[0]
    client.login(trainee.email)
    page = client.get("/mentoring")
    assert "You do not have a mentor yet" in page.text
    service.assign_mentor(
        session,
        cohort_id=c.cohort.id,
        trainee_ids=[trainee.id],
        mentor_id=mentor.id,
        actor_id=trainer.id,
    )
    session.commit()
    assert mentor.display_name in client.get("/mentoring").text
    response = client.post_form(
        "/mentoring/feedback",
        {"rating": "4", "body": "Helpful, but hard to reach by phone."},
        token_from="/mentoring",
    )
    assert response.status_code == 303
    assert session.exec(select(MentorFeedback)).one().rating == 4
    as_mentor = make_client()
    as_mentor.login(mentor.email)
    assert as_mentor.get(f"/cohorts/{c.cohort.id}/mentors/feedback").status_code == 403
    as_trainer = make_client()
    as_trainer.login(trainer.email)
    page = as_trainer.get(f"/cohorts/{c.cohort.id}/mentors/feedback")
    assert "hard to reach by phone" in page.text
    assert "Rating: 4 of 5" in page.text


def test_feedback_on_mentor_needs_a_rating_or_a_comment(session, factory):
    c = factory.cohort(trainees=1, mentors=1)
    service.assign_mentor(
        session,
        cohort_id=c.cohort.id,
        trainee_ids=[c.trainees[0].id],
        mentor_id=c.mentors[0].id,
        actor_id=c.trainers[0].id,
    )
    with pytest.raises(service.MentoringError, match="rating or write a comment"):
        service.give_mentor_feedback(
            session, cohort_id=c.cohort.id, trainee_id=c.trainees[0].id, rating=None, body="  "
        )
    with pytest.raises(service.MentoringError, match="from 1 to 5"):
        service.give_mentor_feedback(
            session, cohort_id=c.cohort.id, trainee_id=c.trainees[0].id, rating=9, body=""
        )
