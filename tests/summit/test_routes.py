"""Summit pages through HTTP: the organiser's home and set-up, a clash refused live and
on the move, a trainee's pitch with autosave, a judge's link scoring on its room only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from iil_lms.db import utcnow
from iil_lms.summit import judging, planning
from iil_lms.summit.models import Pitch, PitchScore, ScoringState
from tests.security.world import build_world, client_for
from tests.summit.factories import SUMMIT_DAY, make_summit


@pytest.fixture
def world(session, settings, engine):
    return build_world(session, settings, engine)


def _post(who, url, **data):
    return who.client.post(url, data={"csrf_token": who.csrf_token, **data}, follow_redirects=False)


def test_organiser_lands_on_their_summits_with_counts_and_next_action(app, session, world):
    made = make_summit(
        session, world.cohort_a, [world.users["trainee_a"]], organiser=world.users["organiser"]
    )
    session.commit()
    organiser = client_for(app, world, "organiser")
    with organiser.client:
        home = organiser.client.get("/", follow_redirects=False)
        assert home.headers["location"] == "/summits"
        page = organiser.client.get("/summits")
    assert page.status_code == 200
    assert made.summit.title in page.text and "Build the schedule" in page.text


def test_organiser_creates_a_summit_and_sets_up_rooms_and_sessions(app, world):
    organiser = client_for(app, world, "organiser")
    with organiser.client:
        created = _post(
            organiser,
            "/summits",
            cohort_id=world.cohort_a.id,
            title="Summit 2027",
            starts_on=SUMMIT_DAY.isoformat(),
            ends_on=SUMMIT_DAY.isoformat(),
            pitch_minutes=10,
            changeover_minutes=5,
        )
        assert created.status_code == 303
        setup = created.headers["location"]
        summit_id = int(re.search(r"/summits/(\d+)/", setup).group(1))
        assert (
            _post(
                organiser, f"/summits/{summit_id}/rooms", room_name="Hall A", capacity=40
            ).status_code
            == 303
        )
        bad = _post(
            organiser,
            f"/summits/{summit_id}/sessions",
            day=SUMMIT_DAY.isoformat(),
            starts="12:00",
            ends="09:00",
        )
        assert bad.status_code == 400 and "must end after it starts" in bad.text
        page = organiser.client.get(setup)
    assert "Hall A" in page.text


def test_a_move_that_clashes_is_refused_live_and_on_post(app, session, world):
    organiser_user = world.users["organiser"]
    trainees = [
        world.users["trainee_a"],
        world.factory.user(name="Second", email="t2@example.test"),
    ]
    from iil_lms.cohorts.models import Membership  # noqa: PLC0415

    session.add(Membership(cohort_id=world.cohort_a.id, user_id=trainees[1].id, role="trainee"))
    session.flush()
    made = make_summit(session, world.cohort_a, trainees, organiser=organiser_user)
    judging.invite_judge(
        session,
        made.summit,
        room_id=made.rooms[0].id,
        name="Mentor judge",
        user_id=world.users["mentor_a"].id,
    )
    planning.run_schedule(session, made.summit, actor_id=organiser_user.id)
    session.commit()
    pitch_a = made.pitches[0].id  # trainee_a, mentored by the judge of room 1
    organiser = client_for(app, world, "organiser")
    with organiser.client:
        check = organiser.client.get(
            f"/summits/{made.summit.id}/schedule/check",
            params={"pitch_id": pitch_a, "target": f"{made.rooms[0].id}:3"},
            headers={"HX-Request": "true"},
        )
        assert "would break" in check.text and "their mentee" in check.text
        assert "<html" not in check.text
        fine = organiser.client.get(
            f"/summits/{made.summit.id}/schedule/check",
            params={"pitch_id": pitch_a, "target": f"{made.rooms[1].id}:9"},
            headers={"HX-Request": "true"},
        )
        assert "keeps every rule" in fine.text
        refused = _post(
            organiser,
            f"/summits/{made.summit.id}/schedule/move",
            pitch_id=pitch_a,
            target=f"{made.rooms[0].id}:3",
        )
        assert refused.status_code == 409 and "Not moved" in refused.text
        moved = _post(
            organiser,
            f"/summits/{made.summit.id}/schedule/move",
            pitch_id=pitch_a,
            target=f"{made.rooms[1].id}:9",
        )
        assert moved.status_code == 303


def test_infeasible_run_says_which_constraint_blocks(app, session, world):
    made = make_summit(
        session,
        world.cohort_a,
        [world.users["trainee_a"]],
        organiser=world.users["organiser"],
        rooms=1,
    )
    made.rooms[0].capacity = 1
    judging.invite_judge(session, made.summit, room_id=made.rooms[0].id, name="J")
    session.commit()
    organiser = client_for(app, world, "organiser")
    with organiser.client:
        response = _post(organiser, f"/summits/{made.summit.id}/schedule/run")
    assert response.status_code == 409
    assert "What blocks it" in response.text and "room capacity" in response.text


def test_trainee_starts_autosaves_and_sends_a_pitch(app, session, world):
    make_summit(session, world.cohort_a, [], organiser=world.users["organiser"])
    session.commit()
    trainee = client_for(app, world, "trainee_a")
    with trainee.client:
        assert "Start a pitch" in trainee.client.get("/pitch").text
        started = _post(trainee, "/pitch/start")
        url = started.headers["location"]
        pitch_id = int(url.rsplit("/", 1)[1])
        fields = {
            "title": "Token queue",
            "summary": "Numbers, not favours",
            "problem": "p",
            "who_is_affected": "w",
            "evidence": "e",
            "idea": "i",
            "needs_from_government": "n",
            "first_90_days": "f",
        }
        saved = trainee.client.post(
            f"/pitches/{pitch_id}/draft",
            data={"csrf_token": trainee.csrf_token, **fields},
            headers={"HX-Request": "true"},
        )
        assert saved.status_code == 200 and "Saved" in saved.text
        sent = _post(trainee, f"/pitches/{pitch_id}/submit")
        assert sent.status_code == 303
    assert session.get(Pitch, pitch_id).status == "submitted"


def test_judge_link_scores_its_room_only_and_nothing_after_expiry(app, session, world):
    trainees = [world.users["trainee_a"]]
    made = make_summit(session, world.cohort_a, trainees, organiser=world.users["organiser"])
    planning.run_schedule(session, made.summit, actor_id=world.users["organiser"].id)
    board = planning.load_board(session, made.summit)
    room_id = board.placements[made.pitches[0].id][0]
    other_room = next(r.id for r in made.rooms if r.id != room_id)
    judge, token = judging.invite_judge(session, made.summit, room_id=room_id, name="Guest")
    _other, other_token = judging.invite_judge(
        session, made.summit, room_id=other_room, name="Other"
    )
    judging.set_scoring(session, made.summit, state=ScoringState.OPEN, actor_id=1)
    session.commit()
    anonymous = client_for(app, world, "anonymous")
    pitch_id = made.pitches[0].id
    with anonymous.client:
        room = anonymous.client.get(f"/judge/{token}")
        assert room.status_code == 200 and "Pitch 1" in room.text
        assert "Pitch 1" not in anonymous.client.get(f"/judge/{other_token}").text
        assert anonymous.client.get(f"/judge/{other_token}/pitches/{pitch_id}").status_code == 404
        scores = {f"score_{i}": "4" for i in range(4)}
        saved = _post(anonymous, f"/judge/{token}/pitches/{pitch_id}", **scores, note_0="Clear")
        assert saved.status_code == 303
        judge.expires_at = judge.created_at.replace(year=2000)
        session.add(judge)
        session.commit()
        assert anonymous.client.get(f"/judge/{token}").status_code == 404
    score = session.exec(select(PitchScore)).one()
    assert score.scores["Clarity"] == 4 and score.notes == {"Relevance to citizens": "Clear"}


def test_outputs_download_as_pdf_csv_json_and_ics(app, session, world):
    made = make_summit(
        session, world.cohort_a, [world.users["trainee_a"]], organiser=world.users["organiser"]
    )
    planning.run_schedule(session, made.summit, actor_id=world.users["organiser"].id)
    session.commit()
    organiser = client_for(app, world, "organiser")
    base = f"/summits/{made.summit.id}"
    with organiser.client:
        for path, kind in (
            ("/programme.pdf", "application/pdf"),
            ("/doors.pdf", "application/pdf"),
            ("/judges.pdf", "application/pdf"),
            ("/schedule.csv", "text/csv"),
            ("/schedule.json", "application/json"),
            ("/summit.ics", "text/calendar"),
        ):
            response = organiser.client.get(base + path)
            assert response.status_code == 200, path
            assert response.headers["content-type"].startswith(kind), path


def test_the_team_sees_where_and_when_it_pitches(app, session, world):
    made = make_summit(
        session, world.cohort_a, [world.users["trainee_a"]], organiser=world.users["organiser"]
    )
    planning.run_schedule(session, made.summit, actor_id=world.users["organiser"].id)
    session.commit()
    trainee = client_for(app, world, "trainee_a")
    with trainee.client:
        page = trainee.client.get(f"/pitches/{made.pitches[0].id}")
    assert "Pitching in Room" in page.text and "at 09:00" in page.text


def test_a_mentor_lists_their_mentees_pitches_and_comments_from_there(app, session, world):
    made = make_summit(
        session, world.cohort_a, [world.users["trainee_a"]], organiser=world.users["organiser"]
    )
    session.commit()
    pitch = made.pitches[0]
    mentor = client_for(app, world, "mentor_a")
    other = client_for(app, world, "mentor_other")
    with mentor.client, other.client:
        assert 'href="/mentee-pitches"' in mentor.client.get("/mentees").text
        listed = mentor.client.get("/mentee-pitches")
        assert listed.status_code == 200
        assert pitch.title in listed.text and "Shortlisted" in listed.text
        assert f'href="/pitches/{pitch.id}#comments-h"' in listed.text
        assert "Pitch deadline" in listed.text
        page = mentor.client.get(f"/pitches/{pitch.id}")
        assert 'action="/pitches/' in page.text and "Add comment" in page.text
        posted = _post(mentor, f"/pitches/{pitch.id}/comments", body="Cite the survey")
        assert posted.status_code == 303
        assert "Cite the survey" in mentor.client.get(f"/pitches/{pitch.id}").text
        assert f'<td>1 · <a href="/pitches/{pitch.id}#' in mentor.client.get("/mentee-pitches").text
        unrelated = other.client.get("/mentee-pitches")
        assert unrelated.status_code == 200 and pitch.title not in unrelated.text


def test_after_the_deadline_the_mentors_list_shows_comments_closed(app, session, world):
    made = make_summit(
        session, world.cohort_a, [world.users["trainee_a"]], organiser=world.users["organiser"]
    )
    made.summit.pitch_deadline = utcnow() - timedelta(days=1)
    session.add(made.summit)
    session.commit()
    mentor = client_for(app, world, "mentor_a")
    with mentor.client:
        listed = mentor.client.get("/mentee-pitches")
        page = mentor.client.get(f"/pitches/{made.pitches[0].id}")
    assert "#comments-h" not in listed.text and "closed" in listed.text
    assert "comments are closed" in page.text and "Add comment" not in page.text


def test_the_published_score_record_is_linked_for_the_team_and_the_mentor(app, session, world):
    organiser = world.users["organiser"]
    made = make_summit(session, world.cohort_a, [world.users["trainee_a"]], organiser=organiser)
    planning.run_schedule(session, made.summit, actor_id=organiser.id)
    judging.set_scoring(session, made.summit, state=ScoringState.OPEN, actor_id=organiser.id)
    judging.set_scoring(session, made.summit, state=ScoringState.CLOSED, actor_id=organiser.id)
    judging.publish(session, made.summit, actor_id=organiser.id)
    session.commit()
    record = f'href="/summits/{made.summit.id}/record.csv"'
    trainee = client_for(app, world, "trainee_a")
    mentor = client_for(app, world, "mentor_a")
    with trainee.client, mentor.client:
        assert record in trainee.client.get(f"/pitches/{made.pitches[0].id}").text
        assert record in mentor.client.get("/mentee-pitches").text
        assert mentor.client.get(f"/summits/{made.summit.id}/record.csv").status_code == 200


def test_a_judge_scores_on_the_rubric_the_organiser_wrote(app, session, world):
    organiser_user = world.users["organiser"]
    made = make_summit(
        session, world.cohort_a, [world.users["trainee_a"]], organiser=organiser_user
    )
    planning.run_schedule(session, made.summit, actor_id=organiser_user.id)
    board = planning.load_board(session, made.summit)
    pitch_id = made.pitches[0].id
    _judge, token = judging.invite_judge(
        session, made.summit, room_id=board.placements[pitch_id][0], name="Judge"
    )
    session.commit()
    organiser = client_for(app, world, "organiser")
    judge = client_for(app, world, "anonymous")
    with organiser.client, judge.client:
        saved = _post(
            organiser,
            f"/summits/{made.summit.id}/rubric",
            criteria="Service to citizens\nCost to the treasury",
        )
        assert saved.status_code == 303
        bad = _post(organiser, f"/summits/{made.summit.id}/rubric", criteria="Cost\ncost")
        assert bad.status_code == 400 and "Name each criterion once" in bad.text
        assert "Cost\ncost</textarea>" in bad.text, "what was typed comes back to correct"
        opened = _post(organiser, f"/summits/{made.summit.id}/scoring", state="open")
        assert opened.status_code == 303
        form = judge.client.get(f"/judge/{token}/pitches/{pitch_id}").text
    assert "Cost to the treasury" in form and "Feasibility" not in form
