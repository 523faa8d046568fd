"""A cohort's staff: invitations by email (new people through the outbox, existing
accounts with a notification), roles per cohort, and the last trainer kept."""

from __future__ import annotations

import pytest
from sqlmodel import select

from iil_lms.accounts import service as accounts
from iil_lms.accounts.models import User
from iil_lms.cohorts import admin, staff
from iil_lms.cohorts.models import Membership
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.notifications.models import Notification, OutboxMessage
from tests.curriculum.helpers import row_counts


@pytest.fixture
def cohort_a(factory):
    return factory.cohort(trainees=1, mentors=0, trainers=1, organisers=0, circles=0)


def _actor(cohort_a) -> User:
    return cohort_a.trainers[0]


def test_a_new_person_gets_an_account_and_an_invitation_link_in_the_outbox(
    session, settings, cohort_a
):
    invited = staff.invite(
        session,
        settings,
        cohort_a.cohort,
        email=" New.Trainer@Example.test ",
        name="Ayesha Khan",
        role="trainer",
        actor=_actor(cohort_a),
    )
    session.commit()
    assert invited.new_account and invited.emailed
    assert invited.user.email == "new.trainer@example.test"
    assert invited.user.password_hash is None
    message = session.exec(
        select(OutboxMessage).where(OutboxMessage.to_address == "new.trainer@example.test")
    ).one()
    assert message.link.startswith("/invite/")
    assert cohort_a.cohort.name in message.body and "trainer" in message.body
    token = message.link.removeprefix("/invite/")
    _auth, user = accounts.find_token(session, token, "invite")
    assert user.id == invited.user.id
    roles = session.exec(select(Membership.role).where(Membership.user_id == invited.user.id)).all()
    assert roles == ["trainer"]


def test_an_existing_account_gains_the_role_and_a_notification_without_an_email_link(
    session, settings, cohort_a, factory
):
    other = factory.cohort(trainees=1, mentors=0, trainers=1, organisers=0, circles=0)
    person = other.trainers[0]
    invited = staff.invite(
        session,
        settings,
        cohort_a.cohort,
        email=person.email,
        name="",
        role="mentor",
        actor=_actor(cohort_a),
    )
    session.commit()
    assert not invited.new_account and not invited.emailed
    roles = set(
        session.exec(
            select(Membership.cohort_id, Membership.role).where(Membership.user_id == person.id)
        ).all()
    )
    assert roles == {(other.cohort.id, "trainer"), (cohort_a.cohort.id, "mentor")}
    note = session.exec(select(Notification).where(Notification.user_id == person.id)).one()
    assert note.kind == "staff" and cohort_a.cohort.name in note.text
    links = session.exec(select(OutboxMessage.link).where(OutboxMessage.user_id == person.id)).all()
    assert all(not link.startswith("/invite/") for link in links)


def test_an_account_that_never_set_a_password_gets_a_fresh_invitation(
    session, settings, cohort_a, factory
):
    other = factory.cohort(trainees=0, mentors=0, trainers=1, organisers=0, circles=0)
    first = staff.invite(
        session, settings, other.cohort, email="late@example.test", name="Late",
        role="organiser", actor=other.trainers[0],
    )  # fmt: skip
    again = staff.invite(
        session, settings, cohort_a.cohort, email="late@example.test", name="",
        role="mentor", actor=_actor(cohort_a),
    )  # fmt: skip
    assert first.emailed and again.emailed and not again.new_account
    invites = session.exec(
        select(OutboxMessage).where(OutboxMessage.to_address == "late@example.test")
    ).all()
    assert len(invites) == 2


@pytest.mark.parametrize(
    ("email", "name", "role", "field"),
    [
        ("not-an-email", "X", "trainer", "email"),
        ("", "X", "trainer", "email"),
        ("someone@example.test", "", "trainer", "name"),
        ("someone@example.test", "X" * 121, "trainer", "name"),
        ("someone@example.test", "X", "trainee", "role"),
        ("someone@example.test", "X", "admin", "role"),
    ],
)
def test_a_bad_invitation_names_the_field_and_writes_nothing(
    session, settings, engine, cohort_a, email, name, role, field
):
    before = row_counts(engine)
    with pytest.raises(staff.StaffError) as refused:
        staff.invite(
            session, settings, cohort_a.cohort, email=email, name=name, role=role,
            actor=_actor(cohort_a),
        )  # fmt: skip
    assert field in refused.value.errors
    session.rollback()
    assert row_counts(engine) == before


def test_the_same_role_twice_is_refused(session, settings, cohort_a):
    with pytest.raises(staff.StaffError) as refused:
        staff.invite(
            session, settings, cohort_a.cohort, email=_actor(cohort_a).email, name="",
            role="trainer", actor=_actor(cohort_a),
        )  # fmt: skip
    assert "already holds this role" in refused.value.errors["email"]


def test_the_staff_list_shows_roles_and_who_is_still_invited(session, settings, cohort_a):
    staff.invite(
        session, settings, cohort_a.cohort, email="m@example.test", name="Mentor Person",
        role="mentor", actor=_actor(cohort_a),
    )  # fmt: skip
    members = staff.staff_of(session, cohort_a.cohort.id)
    assert [(m.role, m.invited) for m in members] == [("trainer", False), ("mentor", True)]
    assert all(m.role != "trainee" for m in members)


def test_the_last_trainer_cannot_be_removed_or_changed(session, settings, cohort_a):
    membership = staff.staff_of(session, cohort_a.cohort.id)[0]
    with pytest.raises(staff.StaffError) as refused:
        staff.remove(session, cohort_a.cohort, membership.membership_id, actor_id=None)
    assert "only trainer" in refused.value.errors["role"]
    with pytest.raises(staff.StaffError):
        staff.change_role(
            session, cohort_a.cohort, membership.membership_id, "mentor", actor_id=None
        )
    invited = staff.invite(
        session, settings, cohort_a.cohort, email="second@example.test", name="Second",
        role="trainer", actor=_actor(cohort_a),
    )  # fmt: skip
    staff.remove(session, cohort_a.cohort, membership.membership_id, actor_id=None)
    assert [m.user_id for m in staff.staff_of(session, cohort_a.cohort.id)] == [invited.user.id]
    # the account stays
    assert session.get(User, membership.user_id) is not None


def test_a_role_can_be_changed_but_not_into_one_already_held(session, settings, cohort_a):
    invited = staff.invite(
        session, settings, cohort_a.cohort, email="o@example.test", name="Org",
        role="organiser", actor=_actor(cohort_a),
    )  # fmt: skip
    staff.change_role(session, cohort_a.cohort, invited.membership.id, "mentor", actor_id=None)
    assert invited.membership.role == "mentor"
    staff.invite(
        session, settings, cohort_a.cohort, email="o@example.test", name="",
        role="trainer", actor=_actor(cohort_a),
    )  # fmt: skip
    with pytest.raises(staff.StaffError):
        staff.change_role(session, cohort_a.cohort, invited.membership.id, "trainer", actor_id=None)


def test_a_mentor_with_mentees_cannot_be_removed(session, settings, cohort_a):
    invited = staff.invite(
        session, settings, cohort_a.cohort, email="mm@example.test", name="Mentor",
        role="mentor", actor=_actor(cohort_a),
    )  # fmt: skip
    session.add(
        MentorAssignment(
            cohort_id=cohort_a.cohort.id,
            mentor_id=invited.user.id,
            trainee_id=cohort_a.trainees[0].id,
        )
    )
    session.flush()
    with pytest.raises(staff.StaffError) as refused:
        staff.remove(session, cohort_a.cohort, invited.membership.id, actor_id=None)
    assert "1 mentee" in refused.value.errors["role"]


def test_a_trainee_membership_is_not_staff_to_change(session, cohort_a):
    trainee_membership = cohort_a.memberships[(cohort_a.trainees[0].id, "trainee")]
    with pytest.raises(LookupError):
        staff.remove(session, cohort_a.cohort, trainee_membership.id, actor_id=None)


def test_an_archived_cohort_takes_no_staff_changes(session, settings, cohort_a):
    admin.set_archived(session, cohort_a.cohort, True, actor_id=None)
    with pytest.raises(staff.StaffError) as refused:
        staff.invite(
            session, settings, cohort_a.cohort, email="x@example.test", name="X",
            role="mentor", actor=_actor(cohort_a),
        )  # fmt: skip
    assert "archived" in refused.value.errors["cohort"]
