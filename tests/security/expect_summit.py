"""Authorization expectations for the summit's pages.

The world gets a summit of cohort A: trainee_a's pitch shortlisted and scheduled, a
guest judge in its room with a live personal link, scoring closed and the score record
published. Organisers of cohort A (and site admins) run the summit; its other members
see 403, people outside it 404. A pitch is seen by its team, the team's mentors and
the organisers (404 for everyone else); the list of mentees' pitches is for mentors
(it shows only their own mentees' pitches: tests/summit/test_routes.py). The published
record and a person's calendar are for everyone in the cohort. A judge's link opens its
room to whoever holds it (no account); it shows only that room's pitches, and an
expired or unknown link opens nothing (tests/summit/test_routes.py checks both).
"""

from __future__ import annotations

from typing import Any

from iil_lms.db import utcnow
from iil_lms.summit import judging, planning, service
from iil_lms.summit.models import ScoringState
from tests.summit.factories import make_summit

ORGANISERS = {
    "anonymous": "login",
    "trainee_a": 403,
    "trainee_b": 404,
    "mentor_other": 403,
    "mentor_a": 403,
    "trainer": 403,
    "organiser": "allow",
    "admin": "allow",
}
ANY_ORGANISER = ORGANISERS | {"trainee_b": 403}
COHORT = {
    "anonymous": "login",
    "trainee_a": "allow",
    "trainee_b": 404,
    "mentor_other": "allow",
    "mentor_a": "allow",
    "trainer": "allow",
    "organiser": "allow",
    "admin": "allow",
}
PITCH = {
    "anonymous": "login",
    "trainee_a": "allow",
    "trainee_b": 404,
    "mentor_other": 404,
    "mentor_a": "allow",
    "trainer": 404,
    "organiser": "allow",
    "admin": "allow",
}
TRAINEE = {
    "anonymous": "login",
    "trainee_a": "allow",
    "trainee_b": "allow",
    "mentor_other": 403,
    "mentor_a": 403,
    "trainer": 403,
    "organiser": 403,
    "admin": 403,
}
MENTOR = {
    "anonymous": "login",
    "trainee_a": 403,
    "trainee_b": 403,
    "mentor_other": "allow",
    "mentor_a": "allow",
    "trainer": 403,
    "organiser": 403,
    "admin": 403,
}
TRAINEE_WITH_SUMMIT = TRAINEE | {"trainee_b": 404}  # cohort B has no summit
JUDGE_LINK = dict.fromkeys(COHORT, "allow")

_ORGANISER_ROUTES = [
    ("GET", "/summits/{summit_id}/doors.pdf"),
    ("GET", "/summits/{summit_id}/judges"),
    ("GET", "/summits/{summit_id}/judges.pdf"),
    ("GET", "/summits/{summit_id}/outputs"),
    ("GET", "/summits/{summit_id}/pitches"),
    ("GET", "/summits/{summit_id}/programme.pdf"),
    ("GET", "/summits/{summit_id}/results"),
    ("GET", "/summits/{summit_id}/schedule"),
    ("GET", "/summits/{summit_id}/schedule.csv"),
    ("GET", "/summits/{summit_id}/schedule.json"),
    ("GET", "/summits/{summit_id}/schedule/check"),
    ("GET", "/summits/{summit_id}/setup"),
    ("GET", "/summits/{summit_id}/summit.ics"),
    ("POST", "/summits/{summit_id}"),
    ("POST", "/summits/{summit_id}/awards"),
    ("POST", "/summits/{summit_id}/guests"),
    ("POST", "/summits/{summit_id}/judges"),
    ("POST", "/summits/{summit_id}/judges/{judge_id}/link"),
    ("POST", "/summits/{summit_id}/pitches/{pitch_id}/decision"),
    ("POST", "/summits/{summit_id}/programme/printed"),
    ("POST", "/summits/{summit_id}/publish"),
    ("POST", "/summits/{summit_id}/rooms"),
    ("POST", "/summits/{summit_id}/rubric"),
    ("POST", "/summits/{summit_id}/rooms/{room_id}/delete"),
    ("POST", "/summits/{summit_id}/schedule/clear"),
    ("POST", "/summits/{summit_id}/schedule/lock"),
    ("POST", "/summits/{summit_id}/schedule/move"),
    ("POST", "/summits/{summit_id}/schedule/run"),
    ("POST", "/summits/{summit_id}/scoring"),
    ("POST", "/summits/{summit_id}/sessions"),
    ("POST", "/summits/{summit_id}/sessions/{session_id}/delete"),
    ("POST", "/summits/{summit_id}/tie-break"),
]
_PITCH_ROUTES = [
    ("GET", "/pitches/{pitch_id}"),
    ("POST", "/pitches/{pitch_id}/comments"),
    ("POST", "/pitches/{pitch_id}/confirm"),
    ("POST", "/pitches/{pitch_id}/draft"),
    ("POST", "/pitches/{pitch_id}/leave"),
    ("POST", "/pitches/{pitch_id}/members"),
    ("POST", "/pitches/{pitch_id}/submit"),
]

EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/summits"): ANY_ORGANISER,
    ("POST", "/summits"): ANY_ORGANISER,
    **dict.fromkeys(_ORGANISER_ROUTES, ORGANISERS),
    **dict.fromkeys(_PITCH_ROUTES, PITCH),
    ("GET", "/pitch"): TRAINEE,
    ("GET", "/mentee-pitches"): MENTOR,
    ("POST", "/pitch/start"): TRAINEE_WITH_SUMMIT,
    ("POST", "/pitch/promote"): TRAINEE_WITH_SUMMIT,
    ("GET", "/summits/{summit_id}/my.ics"): COHORT,
    ("GET", "/summits/{summit_id}/record.pdf"): COHORT,
    ("GET", "/summits/{summit_id}/record.csv"): COHORT,
    ("GET", "/judge/{token}"): JUDGE_LINK,
    ("GET", "/judge/{token}/calendar.ics"): JUDGE_LINK,
    ("GET", "/judge/{token}/pitches/{pitch_id}"): JUDGE_LINK,
    ("POST", "/judge/{token}/pitches/{pitch_id}"): JUDGE_LINK,
}


def summit_world(world: Any) -> dict[str, object]:
    """The summit described above, made through the services."""
    session = world.session
    organiser = world.users["organiser"]
    made = make_summit(
        session, world.cohort_a, [world.users["trainee_a"]], organiser=organiser, rooms=2
    )
    spare = service.add_room(session, made.summit, name="Spare room", capacity=10)
    planning.run_schedule(session, made.summit, actor_id=organiser.id)
    board = planning.load_board(session, made.summit)
    pitch_id = made.pitches[0].id or 0
    judge, token = judging.invite_judge(
        session, made.summit, room_id=board.placements[pitch_id][0], name="Guest judge"
    )
    lunch = next(s for s in service.sessions_of(session, made.summit.id or 0) if s.is_break)
    judging.set_scoring(session, made.summit, state=ScoringState.OPEN, actor_id=organiser.id)
    judging.set_scoring(session, made.summit, state=ScoringState.CLOSED, actor_id=organiser.id)
    judging.publish(session, made.summit, actor_id=organiser.id)
    session.commit()
    assert judge.expires_at > utcnow()
    return {
        "summit_id": made.summit.id,
        "pitch_id": pitch_id,
        "room_id": spare.id,
        "session_id": lunch.id,
        "judge_id": judge.id,
        "token": token,
    }


def path_params(world: Any) -> dict[str, object]:
    return summit_world(world)
