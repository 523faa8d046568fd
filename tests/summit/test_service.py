"""Summit services: set-up, pitches from draft to shortlist, the stored schedule with
hand moves and locks, judges' links and scores, results and the score record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from iil_lms.db import utcnow
from iil_lms.learning.models import Feedback, Submission
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.summit import judging, pitches, planning, service
from iil_lms.summit.models import PitchStatus, ScheduleSlot, ScoringState
from iil_lms.summit.scheduler import ScheduleInfeasible
from tests.learning.factories import course
from tests.summit.factories import SUMMIT_DAY, fields, filled, make_summit


@pytest.fixture
def cohort(factory):
    return factory.cohort(trainees=6, mentors=1, organisers=1)


def test_summit_needs_a_title_and_the_last_day_after_the_first(session, cohort):
    with pytest.raises(service.SummitError) as refused:
        service.create_summit(
            session,
            cohort_id=cohort.cohort.id,
            actor_id=cohort.organisers[0].id,
            fields=fields(title=" ", ends_on=SUMMIT_DAY - timedelta(days=1)),
        )
    assert set(refused.value.errors) == {"title", "ends_on"}


def test_sessions_of_pitches_may_not_overlap(session, cohort):
    made = make_summit(session, cohort.cohort, [], organiser=cohort.organisers[0])
    with pytest.raises(service.SummitError) as refused:
        service.add_session(
            session,
            made.summit,
            label="Overlap",
            day=SUMMIT_DAY,
            starts="11:00",
            ends="12:30",
            is_break=False,
        )
    assert "overlaps" in refused.value.errors["starts"]


def test_a_team_pitch_is_sent_only_when_every_member_confirmed(session, cohort):
    made = make_summit(session, cohort.cohort, [], organiser=cohort.organisers[0])
    owner, partner = cohort.trainees[:2]
    pitch = pitches.start_pitch(session, made.summit, owner_id=owner.id)
    pitches.invite_member(session, made.summit, pitch, by_id=owner.id, email=partner.email)
    pitches.save_draft(
        session, pitch, user_id=owner.id, values=filled("Queue"), mentor_attends=True
    )
    with pytest.raises(service.SummitError) as refused:
        pitches.submit_pitch(session, made.summit, pitch, user_id=owner.id)
    assert partner.display_name in refused.value.errors["team"]
    pitches.confirm_membership(session, pitch, user_id=partner.id)
    version = pitches.submit_pitch(session, made.summit, pitch, user_id=partner.id)
    assert version.version == 1 and pitch.status == PitchStatus.SUBMITTED
    assert version.content["title"] == "Queue"


def test_changes_asked_then_resubmitted_keeps_both_versions(session, cohort):
    organiser = cohort.organisers[0]
    made = make_summit(
        session, cohort.cohort, cohort.trainees[:1], organiser=organiser, shortlist=0
    )
    pitch = made.pitches[0]
    pitches.decide(
        session, made.summit, pitch, actor_id=organiser.id, decision="changes", note="Add data"
    )
    values = filled("Pitch 1, revised")
    pitches.save_draft(session, pitch, user_id=pitch.owner_id, values=values, mentor_attends=False)
    pitches.submit_pitch(session, made.summit, pitch, user_id=pitch.owner_id)
    versions = pitches.versions_of(session, pitch.id)
    assert [v.version for v in versions] == [2, 1]
    assert versions[1].content["title"] == "Pitch 1"


def test_action_plan_becomes_a_pitch_draft_linked_to_the_plan_and_its_feedback(
    session, cohort, factory
):
    trainee = cohort.trainees[0]
    exercise = course(session, cohort.cohort, types=("action_plan",)).exercises["action_plan"]
    submission = Submission(
        cohort_id=cohort.cohort.id,
        user_id=trainee.id,
        exercise_id=exercise.id,
        content={
            "problem": "Late pensions",
            "who_is_affected": "Widows",
            "idea": "SMS status",
            "first_steps": "Map the file's path",
            "measures_of_success": "Days to pay",
        },
    )
    session.add(submission)
    session.flush()
    session.add(Feedback(submission_id=submission.id, author_id=cohort.mentors[0].id, body="Good"))
    made = make_summit(session, cohort.cohort, [], organiser=cohort.organisers[0])
    pitch = pitches.promote_action_plan(
        session, made.summit, owner_id=trainee.id, submission_id=submission.id
    )
    assert pitch.problem == "Late pensions" and pitch.idea == "SMS status"
    assert "Map the file's path" in pitch.first_90_days
    assert pitch.source_submission_id == submission.id
    assert [f.body for f, _name in pitches.plan_feedback(session, pitch)] == ["Good"]


def test_only_the_teams_mentor_comments_and_only_before_the_deadline(session, cohort):
    organiser, mentor, trainee = cohort.organisers[0], cohort.mentors[0], cohort.trainees[0]
    session.add(
        MentorAssignment(cohort_id=cohort.cohort.id, mentor_id=mentor.id, trainee_id=trainee.id)
    )
    made = make_summit(session, cohort.cohort, [trainee], organiser=organiser)
    pitch = made.pitches[0]
    with pytest.raises(service.SummitError):
        pitches.comment(session, made.summit, pitch, author_id=organiser.id, body="Hi")
    pitches.comment(session, made.summit, pitch, author_id=mentor.id, body="Cite the survey")
    made.summit.pitch_deadline = utcnow() - timedelta(hours=1)
    with pytest.raises(service.SummitError):
        pitches.comment(session, made.summit, pitch, author_id=mentor.id, body="Late")
    assert [c.body for c, _n in pitches.comments_of(session, pitch.id)] == ["Cite the survey"]


def test_schedule_places_every_shortlisted_pitch_and_a_dropout_moves_nobody(session, cohort):
    organiser = cohort.organisers[0]
    made = make_summit(session, cohort.cohort, cohort.trainees, organiser=organiser)
    result = planning.run_schedule(session, made.summit, actor_id=organiser.id)
    assert result.placed == 6
    before = {s.pitch_id: (s.room_id, s.starts_at) for s in session.exec(select(ScheduleSlot))}
    pitches.decide(
        session, made.summit, made.pitches[2], actor_id=organiser.id, decision="withdraw"
    )
    again = planning.run_schedule(session, made.summit, actor_id=organiser.id)
    after = {s.pitch_id: (s.room_id, s.starts_at) for s in session.exec(select(ScheduleSlot))}
    assert again.moved == 0 and made.pitches[2].id not in after
    assert all(after[p] == before[p] for p in after)


def test_a_hand_move_that_puts_a_person_in_two_places_is_refused(session, cohort):
    organiser = cohort.organisers[0]
    trainees = cohort.trainees
    made = make_summit(session, cohort.cohort, trainees[:2], organiser=organiser)
    # the second pitch's owner also joins... a judge who mentors the first pitch's owner
    judge, _token = judging.invite_judge(
        session, made.summit, room_id=made.rooms[0].id, name="Judge", user_id=cohort.mentors[0].id
    )
    session.add(
        MentorAssignment(
            cohort_id=cohort.cohort.id, mentor_id=cohort.mentors[0].id, trainee_id=trainees[0].id
        )
    )
    session.flush()
    planning.run_schedule(session, made.summit, actor_id=organiser.id)
    board = planning.load_board(session, made.summit)
    room, index = board.placements[made.pitches[0].id]
    assert room == made.rooms[1].id  # never in the room of the judge who mentors them
    _placements, problems = planning.check_move(board, made.pitches[0].id, made.rooms[0].id, 5)
    assert any("Room 1" in p and "their mentee" in p for p in problems)
    with pytest.raises(service.SummitError):
        planning.move_pitch(
            session, made.summit, pitch_id=made.pitches[0].id, room_id=made.rooms[0].id, index=5
        )
    planning.move_pitch(
        session, made.summit, pitch_id=made.pitches[0].id, room_id=made.rooms[1].id, index=7
    )
    assert planning.load_board(session, made.summit).placements[made.pitches[0].id] == (
        made.rooms[1].id,
        7,
    )
    assert judge.id


def test_locked_slots_survive_a_rerun(session, cohort):
    organiser = cohort.organisers[0]
    made = make_summit(session, cohort.cohort, cohort.trainees, organiser=organiser)
    planning.run_schedule(session, made.summit, actor_id=organiser.id)
    pitch_id = made.pitches[0].id
    planning.move_pitch(session, made.summit, pitch_id=pitch_id, room_id=made.rooms[1].id, index=10)
    planning.set_lock(session, made.summit, pitch_id=pitch_id, locked=True)
    planning.clear_schedule(session, made.summit)
    assert planning.load_board(session, made.summit).placements == {}


def test_infeasible_schedule_names_the_constraint_and_stores_nothing(session, cohort):
    organiser = cohort.organisers[0]
    made = make_summit(session, cohort.cohort, cohort.trainees, organiser=organiser, rooms=1)
    made.rooms[0].capacity = 1
    judging.invite_judge(session, made.summit, room_id=made.rooms[0].id, name="Judge")
    with pytest.raises(ScheduleInfeasible) as blocked:
        planning.run_schedule(session, made.summit, actor_id=organiser.id)
    assert "room capacity" in blocked.value.reasons[0]
    assert session.exec(select(ScheduleSlot)).first() is None


def test_judge_scores_only_their_room_while_open_and_results_flag_ties(session, cohort):
    organiser = cohort.organisers[0]
    made = make_summit(session, cohort.cohort, cohort.trainees[:4], organiser=organiser)
    planning.run_schedule(session, made.summit, actor_id=organiser.id)
    judge, token = judging.invite_judge(
        session, made.summit, room_id=made.rooms[0].id, name="Guest judge"
    )
    assert judging.judge_by_token(session, token).id == judge.id
    assert judging.judge_by_token(session, token + "x") is None
    mine = judging.room_pitches(session, judge)
    assert mine and all(
        planning.load_board(session, made.summit).placements[r.pitch.id][0] == made.rooms[0].id
        for r in mine
    )
    full = dict.fromkeys(made.summit.rubric, 4)
    with pytest.raises(service.SummitError):
        judging.save_score(
            session, made.summit, judge, pitch_id=mine[0].pitch.id, scores=full, notes={}
        )
    judging.set_scoring(session, made.summit, state=ScoringState.OPEN, actor_id=organiser.id)
    with pytest.raises(service.SummitError):
        judging.set_tie_break(session, made.summit, rule="Clarity", actor_id=organiser.id)
    other_room = [p for p in made.pitches if p.id not in {r.pitch.id for r in mine}]
    with pytest.raises(service.SummitError):
        judging.save_score(
            session, made.summit, judge, pitch_id=other_room[0].id, scores=full, notes={}
        )
    judging.save_score(
        session, made.summit, judge, pitch_id=mine[0].pitch.id, scores=full, notes={}
    )
    judging.save_score(
        session, made.summit, judge, pitch_id=mine[1].pitch.id, scores=full, notes={"Clarity": "ok"}
    )
    rows = judging.results(session, made.summit)
    tied = [r for r in rows if r.tied]
    assert len(tied) == 2 and not any(r.tie_broken for r in tied)
    judging.set_scoring(session, made.summit, state=ScoringState.CLOSED, actor_id=organiser.id)
    with pytest.raises(service.SummitError):
        judging.save_score(
            session, made.summit, judge, pitch_id=mine[0].pitch.id, scores=full, notes={}
        )
    judging.record_award(
        session,
        made.summit,
        pitch_id=mine[0].pitch.id,
        name="Citizens' choice",
        actor_id=organiser.id,
    )
    judging.publish(session, made.summit, actor_id=organiser.id)
    record = judging.score_record_csv(made.summit, judging.results(session, made.summit))
    assert "Guest judge" in record and "Citizens' choice" in record


def test_an_expired_link_opens_nothing(session, cohort):
    made = make_summit(session, cohort.cohort, [], organiser=cohort.organisers[0])
    judge, token = judging.invite_judge(session, made.summit, room_id=made.rooms[0].id, name="J")
    judge.expires_at = utcnow() - timedelta(minutes=1)
    session.add(judge)
    assert judging.judge_by_token(session, token) is None


def test_organisers_overview_counts_pitches_and_names_the_next_action(session, cohort):
    organiser = cohort.organisers[0]
    made = make_summit(
        session, cohort.cohort, cohort.trainees[:3], organiser=organiser, shortlist=1
    )
    [overview] = service.summits_for(session, [cohort.cohort.id])
    assert overview.counts == {PitchStatus.SHORTLISTED: 1, PitchStatus.SUBMITTED: 2}
    assert "Decide on 2 submitted pitches" in overview.next_action
    assert overview.summit.id == made.summit.id


def test_who_pitched_is_the_scheduled_shortlist_once_scoring_closed(session, cohort):
    """The certificates' "summit participation" rule asks this: a pitch that was not
    shortlisted, or a summit whose scoring has not closed, makes nobody a presenter."""
    from iil_lms.certificates import rules

    organiser = cohort.organisers[0]
    made = make_summit(session, cohort.cohort, cohort.trainees, organiser=organiser, shortlist=4)
    planning.run_schedule(session, made.summit, actor_id=organiser.id)
    session.flush()
    cohort_id = cohort.cohort.id
    assert pitches.pitched(session, cohort_id) == set()  # the day has not been scored yet
    judging.set_scoring(session, made.summit, state=ScoringState.OPEN, actor_id=organiser.id)
    judging.set_scoring(session, made.summit, state=ScoringState.CLOSED, actor_id=organiser.id)
    session.flush()
    presenters = {trainee.id for trainee in cohort.trainees[:4]}
    assert pitches.pitched(session, cohort_id) == presenters
    assert rules.pitched_at_summit(session, cohort_id) == presenters
    assert rules.qualifying(session, cohort_id, "summit") == presenters


def test_a_judge_invited_by_an_accounts_email_is_that_account(session, cohort):
    organiser, mentor = cohort.organisers[0], cohort.mentors[0]
    made = make_summit(session, cohort.cohort, cohort.trainees, organiser=organiser)
    room = made.rooms[0].id
    known, _token = judging.invite_judge(
        session, made.summit, room_id=room, name="Their mentor", email=mentor.email.upper()
    )
    guest, _token = judging.invite_judge(
        session, made.summit, room_id=room, name="A guest", email="guest@elsewhere.example"
    )
    assert known.user_id == mentor.id
    assert guest.user_id is None


def test_the_organiser_sets_the_summits_own_rubric_until_scoring_opens(session, cohort):
    organiser = cohort.organisers[0]
    made = make_summit(session, cohort.cohort, cohort.trainees[:2], organiser=organiser)
    judging.set_rubric(
        session, made.summit, text=" Service to citizens \r\n\r\nCost\n", actor_id=organiser.id
    )
    assert made.summit.rubric == ["Service to citizens", "Cost"]
    assert made.summit.tie_break == judging.SPREAD, "its criterion is gone"
    for text, why in (
        ("", "between 1 and 8"),
        ("\n".join(f"C{n}" for n in range(9)), "between 1 and 8"),
        ("Cost\ncost", "once"),
        ("x" * 81, "under 80"),
    ):
        with pytest.raises(service.SummitError) as refused:
            judging.set_rubric(session, made.summit, text=text, actor_id=organiser.id)
        assert why in refused.value.errors["rubric"]
    planning.run_schedule(session, made.summit, actor_id=organiser.id)
    judging.set_scoring(session, made.summit, state=ScoringState.OPEN, actor_id=organiser.id)
    with pytest.raises(service.SummitError) as refused:
        judging.set_rubric(session, made.summit, text="Other", actor_id=organiser.id)
    assert "fixed once scoring opens" in refused.value.errors["rubric"]
    assert made.summit.rubric == ["Service to citizens", "Cost"]
