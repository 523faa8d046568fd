"""Authorization expectations for the trainee's learning journey (issue 4), read by the
security suite's matrix runner.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow" (anything
but 401/403/404/login redirect), "login" (303 to /login), 403, 404.

/journey pages are a trainee's menu pages: a signed-in person who is a trainee nowhere
gets 403. A module or exercise outside the trainee's own plan (trainee_b's, cohort B)
is 404. An uploaded file is seen by its trainee, their current mentor, the cohort's
trainers and site admins; everyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from iil_lms.learning import service, uploads
from tests.learning.factories import course

# A trainee's journey page, about their own plan.
TRAINEE_MENU = {
    "anonymous": "login",
    "trainee_a": "allow",
    "trainee_b": "allow",
    "mentor_other": 403,
    "mentor_a": 403,
    "trainer": 403,
    "organiser": 403,
    "admin": 403,
}
# A module or exercise in cohort A's plan: trainee_a only; trainee_b may not know it.
IN_TRAINEE_A_PLAN = {**TRAINEE_MENU, "trainee_b": 404}
# trainee_a's uploaded file.
SUBMISSION_FILE = {
    "anonymous": "login",
    "trainee_a": "allow",
    "trainee_b": 404,
    "mentor_other": 404,
    "mentor_a": "allow",
    "trainer": "allow",
    "organiser": 404,
    "admin": "allow",
}

EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/journey"): TRAINEE_MENU,
    ("GET", "/journey/modules/{module_id}"): IN_TRAINEE_A_PLAN,
    ("GET", "/journey/exercises/{exercise_id}"): IN_TRAINEE_A_PLAN,
    # An empty form: trainee_a's draft is saved; the submit is answered 400 (incomplete).
    ("POST", "/journey/exercises/{exercise_id}/draft"): IN_TRAINEE_A_PLAN,
    ("POST", "/journey/exercises/{exercise_id}/submit"): IN_TRAINEE_A_PLAN,
    # An empty form names no version: 400 for any trainee, before the exercise is looked
    # up (so nothing about it leaks); a version that is not theirs is 404 (tests/learning).
    ("POST", "/journey/exercises/{exercise_id}/draft/restore"): TRAINEE_MENU,
    ("GET", "/submissions/{submission_id}/file"): SUBMISSION_FILE,
}

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def path_params(world: Any) -> dict[str, object]:
    """A module planned for cohort A with a reflection and an upload exercise, and
    trainee_a's uploaded file."""
    made = course(world.session, world.cohort_a, types=("reflection", "upload"))
    trainee = world.users["trainee_a"]
    submission = service.submit(
        world.session,
        cohort_id=world.cohort_a.id,
        user_id=trainee.id,
        exercise_id=made.exercises["upload"].id,
        content={"note": ""},
        upload=uploads.Upload(
            data=PNG,
            original_name="tree.png",
            uploads_dir=world.settings.uploads_dir,
            max_bytes=world.settings.upload_max_bytes,
        ),
    )
    world.session.commit()
    return {
        "module_id": made.modules[0].id,
        "exercise_id": made.exercises["reflection"].id,
        "submission_id": submission.id,
    }
