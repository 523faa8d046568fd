"""Who hears of what on a pitch: the trainee invited to a team (and where they confirm),
the team of the organisers' decision with its note, the mentor of a mentee's pitch sent."""

from __future__ import annotations

import pytest
from sqlmodel import select

from iil_lms.mentoring.models import MentorAssignment
from iil_lms.notifications.models import Notification, OutboxMessage
from iil_lms.notifications.service import render_text
from iil_lms.summit import judging, pitches, planning
from iil_lms.summit.models import ScoringState
from tests.summit.factories import filled, make_summit


@pytest.fixture
def cohort(factory):
    return factory.cohort(trainees=3, mentors=1, organisers=1)


def _told(session, user):
    return [
        (n, render_text(n.kind, n.params, "en"))
        for n in session.exec(select(Notification).where(Notification.user_id == user.id))
    ]


def _sent_pitch(session, cohort, made):
    """A draft by the first trainee, filled and sent (no decision yet)."""
    owner = cohort.trainees[0]
    pitch = pitches.start_pitch(session, made.summit, owner_id=owner.id)
    pitches.save_draft(
        session, pitch, user_id=owner.id, values=filled("Token queue"), mentor_attends=False
    )
    pitches.submit_pitch(session, made.summit, pitch, user_id=owner.id)
    return pitch


def test_an_invited_trainee_is_told_and_the_link_opens_where_they_join(session, cohort):
    made = make_summit(session, cohort.cohort, [], organiser=cohort.organisers[0])
    owner, partner = cohort.trainees[:2]
    pitch = pitches.start_pitch(session, made.summit, owner_id=owner.id)
    pitches.save_draft(
        session, pitch, user_id=owner.id, values=filled("Token queue"), mentor_attends=False
    )
    pitches.invite_member(session, made.summit, pitch, by_id=owner.id, email=partner.email)
    session.flush()
    [(note, text)] = _told(session, partner)
    assert note.link == f"/pitches/{pitch.id}#invite-h"
    assert owner.display_name in text and "Token queue" in text
    assert session.exec(select(OutboxMessage).where(OutboxMessage.user_id == partner.id)).first(), (
        "emailed too, by default"
    )
    assert _told(session, owner) == []


@pytest.mark.parametrize(
    ("decision", "note", "expected"),
    [
        ("shortlist", "", "is shortlisted for"),
        ("shortlist", "Bring the survey.", "The organisers wrote: Bring the survey."),
        ("decline", "Too close to last year's.", "was not shortlisted"),
        ("changes", "Name the tehsil.", "asked for changes to your pitch “Token queue”: Name"),
    ],
)
def test_the_team_hears_the_organisers_decision_with_their_note(
    session, cohort, decision, note, expected
):
    organiser = cohort.organisers[0]
    made = make_summit(session, cohort.cohort, [], organiser=organiser)
    owner, partner = cohort.trainees[:2]
    pitch = pitches.start_pitch(session, made.summit, owner_id=owner.id)
    pitches.invite_member(session, made.summit, pitch, by_id=owner.id, email=partner.email)
    pitches.confirm_membership(session, pitch, user_id=partner.id)
    pitches.save_draft(
        session, pitch, user_id=owner.id, values=filled("Token queue"), mentor_attends=False
    )
    pitches.submit_pitch(session, made.summit, pitch, user_id=owner.id)
    pitches.decide(session, made.summit, pitch, actor_id=organiser.id, decision=decision, note=note)
    session.flush()
    for member in (owner, partner):
        texts = [text for n, text in _told(session, member) if n.link == f"/pitches/{pitch.id}"]
        assert len(texts) == 1 and expected in texts[0]
        assert note in texts[0]
    assert _told(session, organiser) == []


def test_the_note_on_a_decline_stays_on_the_pitch_page(session, cohort):
    organiser = cohort.organisers[0]
    made = make_summit(session, cohort.cohort, [], organiser=organiser)
    pitch = _sent_pitch(session, cohort, made)
    pitches.decide(
        session, made.summit, pitch, actor_id=organiser.id, decision="decline", note="Next year."
    )
    assert [c.body for c, _name in pitches.comments_of(session, pitch.id)] == ["Next year."]


def test_a_withdrawal_tells_nobody(session, cohort):
    organiser = cohort.organisers[0]
    made = make_summit(session, cohort.cohort, [], organiser=organiser)
    pitch = _sent_pitch(session, cohort, made)
    pitches.decide(session, made.summit, pitch, actor_id=organiser.id, decision="withdraw")
    session.flush()
    assert _told(session, cohort.trainees[0]) == []


def test_the_mentor_is_told_when_a_mentees_pitch_is_sent_once_per_version(session, cohort):
    organiser, mentor, trainee = cohort.organisers[0], cohort.mentors[0], cohort.trainees[0]
    session.add(
        MentorAssignment(cohort_id=cohort.cohort.id, mentor_id=mentor.id, trainee_id=trainee.id)
    )
    made = make_summit(session, cohort.cohort, [], organiser=organiser)
    pitch = _sent_pitch(session, cohort, made)
    session.flush()
    [(note, text)] = _told(session, mentor)
    assert note.link == f"/pitches/{pitch.id}"
    assert trainee.display_name in text and "Token queue" in text
    pitches.decide(
        session, made.summit, pitch, actor_id=organiser.id, decision="changes", note="Shorter."
    )
    pitches.submit_pitch(session, made.summit, pitch, user_id=trainee.id)
    session.flush()
    assert len(_told(session, mentor)) == 2


def test_a_mentor_of_other_trainees_is_not_told(session, cohort):
    organiser, mentor = cohort.organisers[0], cohort.mentors[0]
    session.add(
        MentorAssignment(
            cohort_id=cohort.cohort.id, mentor_id=mentor.id, trainee_id=cohort.trainees[2].id
        )
    )
    made = make_summit(session, cohort.cohort, [], organiser=organiser)
    _sent_pitch(session, cohort, made)
    session.flush()
    assert _told(session, mentor) == []


def test_publishing_the_scores_tells_the_whole_cohort_once(session, cohort):
    organiser = cohort.organisers[0]
    made = make_summit(session, cohort.cohort, cohort.trainees[:1], organiser=organiser)
    planning.run_schedule(session, made.summit, actor_id=organiser.id)
    judging.set_scoring(session, made.summit, state=ScoringState.OPEN, actor_id=organiser.id)
    judging.set_scoring(session, made.summit, state=ScoringState.CLOSED, actor_id=organiser.id)
    judging.publish(session, made.summit, actor_id=organiser.id)
    judging.publish(session, made.summit, actor_id=organiser.id)
    session.flush()
    for person in (*cohort.trainees, cohort.mentors[0]):
        told = [text for n, text in _told(session, person) if n.link.endswith("/record.pdf")]
        assert len(told) == 1 and "score record of Integrity Summit 2027" in told[0]
    assert _told(session, organiser) == []


def test_the_team_hears_of_their_mentors_comment(session, cohort):
    organiser, mentor, trainee = cohort.organisers[0], cohort.mentors[0], cohort.trainees[0]
    session.add(
        MentorAssignment(cohort_id=cohort.cohort.id, mentor_id=mentor.id, trainee_id=trainee.id)
    )
    made = make_summit(session, cohort.cohort, [], organiser=organiser)
    pitch = _sent_pitch(session, cohort, made)
    pitches.comment(session, made.summit, pitch, author_id=mentor.id, body="Cite the survey")
    session.flush()
    [(note, text)] = _told(session, trainee)
    assert note.link == f"/pitches/{pitch.id}#comments-h"
    assert text == f"{mentor.display_name} commented on your pitch “Token queue”."
