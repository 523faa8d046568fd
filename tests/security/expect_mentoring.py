"""Authorization expectations for the mentoring, circles, notifications and outreach
routes (issue 5), read by the security suite's matrix runner.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow" (anything
but 401/403/404/login redirect), "login" (303 to /login), 403, 404.

Pages without a cohort in their path (/mentees, /mentoring, /outreach) are menu pages
of one role: a signed-in person without that role gets 403. Things that belong to
someone (a trainee's record, a submission, a circle, an outreach item, a notification)
are 404 for everyone who may not see them.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from tests.curricula import outline
from tests.security.world import ROLES


def _row(
    anonymous: Any = "login",
    trainee_a: Any = 404,
    trainee_b: Any = 404,
    mentor_other: Any = 404,
    mentor_a: Any = 404,
    trainer: Any = 404,
    organiser: Any = 404,
    admin: Any = 404,
) -> dict[str, Any]:
    return {
        "anonymous": anonymous,
        "trainee_a": trainee_a,
        "trainee_b": trainee_b,
        "mentor_other": mentor_other,
        "mentor_a": mentor_a,
        "trainer": trainer,
        "organiser": organiser,
        "admin": admin,
    }


# /cohorts/{cohort_id}/... pages for the cohort's trainers (cohort_role(TRAINER)).
TRAINER_ONLY = _row(
    trainee_a=403,
    trainee_b=404,
    mentor_other=403,
    mentor_a=403,
    trainer="allow",
    organiser=403,
    admin="allow",
)
# A trainee's mentoring record: their current mentor, the cohort's trainers, admins.
MENTEE_RECORD = _row(mentor_a="allow", trainer="allow", admin="allow")
# Only the mentor writes the log; trainers (and admins) read it but may not write.
MENTEE_LOG_WRITE = _row(mentor_a="allow", trainer=403, admin=403)
# A submission's review thread: its trainee, their mentor, the cohort's trainers.
SUBMISSION = _row(trainee_a="allow", mentor_a="allow", trainer="allow", admin="allow")
# Menu pages for mentors, and for trainees.
MENTOR_MENU = _row(
    trainee_a=403,
    trainee_b=403,
    mentor_other="allow",
    mentor_a="allow",
    trainer=403,
    organiser=403,
    admin=403,
)
TRAINEE_MENU = _row(
    trainee_a="allow",
    trainee_b="allow",
    mentor_other=403,
    mentor_a=403,
    trainer=403,
    organiser=403,
    admin=403,
)
# trainee_a's learning circle: its members, trainee_a's mentor and the cohort's trainers;
# only trainers hide and show posts.
CIRCLE = _row(trainee_a="allow", mentor_a="allow", trainer="allow", admin="allow")
CIRCLE_MODERATION = _row(trainee_a=403, mentor_a=403, trainer="allow", admin="allow")
# Anyone signed in, about their own things.
SIGNED_IN = _row(
    trainee_a="allow",
    trainee_b="allow",
    mentor_other="allow",
    mentor_a="allow",
    trainer="allow",
    organiser="allow",
    admin="allow",
)
OWN_NOTIFICATION = _row(trainee_a="allow")
# trainee_a's outreach item: its author and the cohort's trainers read it; only the
# author changes it.
OUTREACH_ITEM = _row(trainee_a="allow", trainer="allow", admin="allow")
OUTREACH_AUTHOR = _row(trainee_a="allow", trainer=403, admin=403)
# The world's items carry no file, so their file routes are 404 for everyone; who may
# fetch a stored file is proved in tests/outreach.
NO_FILE = _row()
PUBLIC = {role: "allow" for role in ROLES}

EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    # mentor assignment (trainers)
    ("GET", "/cohorts/{cohort_id}/mentors"): TRAINER_ONLY,
    ("POST", "/cohorts/{cohort_id}/mentors/assign"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/mentors/auto"): TRAINER_ONLY,
    ("POST", "/cohorts/{cohort_id}/mentors/auto"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/mentors/history"): TRAINER_ONLY,
    ("GET", "/cohorts/{cohort_id}/mentors/feedback"): TRAINER_ONLY,
    # the mentor's pages
    ("GET", "/mentees"): MENTOR_MENU,
    ("GET", "/mentees/{trainee_id}"): MENTEE_RECORD,
    ("GET", "/mentees/{trainee_id}/log"): MENTEE_RECORD,
    ("POST", "/mentees/{trainee_id}/log"): MENTEE_LOG_WRITE,
    ("GET", "/review/{submission_id}"): SUBMISSION,
    ("POST", "/review/{submission_id}"): SUBMISSION,
    # the trainee's side
    ("GET", "/mentoring"): TRAINEE_MENU,
    ("GET", "/mentoring/log"): TRAINEE_MENU,
    ("POST", "/mentoring/feedback"): TRAINEE_MENU,
    ("POST", "/mentoring/preferences"): TRAINEE_MENU,
    # learning circles
    ("GET", "/circle"): SIGNED_IN,
    ("GET", "/circles/{circle_id}"): CIRCLE,
    ("POST", "/circles/{circle_id}/posts"): CIRCLE,
    ("POST", "/circles/{circle_id}/posts/{post_id}/hide"): CIRCLE_MODERATION,
    ("POST", "/circles/{circle_id}/posts/{post_id}/show"): CIRCLE_MODERATION,
    ("GET", "/cohorts/{cohort_id}/circles"): TRAINER_ONLY,
    ("POST", "/cohorts/{cohort_id}/circles"): TRAINER_ONLY,
    ("POST", "/cohorts/{cohort_id}/circles/move"): TRAINER_ONLY,
    # notifications
    ("GET", "/notifications"): SIGNED_IN,
    ("GET", "/notifications/bell"): SIGNED_IN,
    ("POST", "/notifications/{notification_id}/read"): OWN_NOTIFICATION,
    ("POST", "/notifications/read-all"): SIGNED_IN,
    ("GET", "/notifications/settings"): SIGNED_IN,
    ("POST", "/notifications/settings"): SIGNED_IN,
    # outreach
    ("GET", "/outreach"): TRAINEE_MENU,
    ("GET", "/outreach/new"): TRAINEE_MENU,
    ("POST", "/outreach"): TRAINEE_MENU,
    ("GET", "/outreach/{item_id}"): OUTREACH_ITEM,
    ("POST", "/outreach/{item_id}"): OUTREACH_AUTHOR,
    ("POST", "/outreach/{item_id}/consent"): OUTREACH_AUTHOR,
    ("POST", "/outreach/{item_id}/withdraw"): OUTREACH_AUTHOR,
    ("GET", "/outreach/{item_id}/file"): NO_FILE,
    ("GET", "/cohorts/{cohort_id}/outreach"): TRAINER_ONLY,
    ("POST", "/cohorts/{cohort_id}/outreach/{item_id}"): TRAINER_ONLY,
    # the public showcase
    ("GET", "/showcase"): PUBLIC,
    ("GET", "/showcase/{academy_slug}"): PUBLIC,
    ("GET", "/showcase/{academy_slug}/{public_id}"): PUBLIC,
    ("GET", "/showcase/{academy_slug}/{public_id}/file"): NO_FILE | {"anonymous": 404},
}


def path_params(world: Any) -> dict[str, object]:
    """Values for path parameters other than {cohort_id} (which is cohort A), created in
    `world`: world.session, world.cohort_a, world.cohort_b, world.users[role] (User),
    world.factory. Makes mentor_a the mentor of trainee_a if the world has not, puts
    trainee_a in a learning circle with a post, and gives trainee_a a submission, two
    outreach items (one approved for the showcase, one waiting) and a notification."""
    from iil_lms.cohorts.models import Academy, LearningCircle, Membership
    from iil_lms.curriculum.models import Exercise
    from iil_lms.db import utcnow
    from iil_lms.learning.models import Submission
    from iil_lms.mentoring.models import CirclePost, MentorAssignment
    from iil_lms.notifications.models import Notification
    from iil_lms.outreach.models import OutreachItem, OutreachStatus

    session = world.session
    cohort = world.cohort_a
    trainee = world.users["trainee_a"]
    mentor = world.users["mentor_a"]

    if (
        session.exec(
            select(MentorAssignment).where(
                MentorAssignment.cohort_id == cohort.id,
                MentorAssignment.trainee_id == trainee.id,
                MentorAssignment.ended_at.is_(None),  # type: ignore[union-attr]
            )
        ).first()
        is None
    ):
        session.add(
            MentorAssignment(cohort_id=cohort.id, mentor_id=mentor.id, trainee_id=trainee.id)
        )

    circle = LearningCircle(cohort_id=cohort.id, name="Matrix circle (issue 5)")
    session.add(circle)
    session.flush()
    membership = session.exec(
        select(Membership).where(
            Membership.cohort_id == cohort.id,
            Membership.user_id == trainee.id,
            Membership.role == "trainee",
        )
    ).one()
    membership.circle_id = circle.id
    session.add(membership)
    post = CirclePost(circle_id=circle.id, author_id=trainee.id, body="Hello circle")
    session.add(post)

    module = outline(
        session,
        slug="matrix-issue-5",
        title="Matrix curriculum",
        milestone=lambda _n: {"title": "M1"},
        module=lambda _n: {"title": "Module"},
    ).modules[0]
    exercise = Exercise(
        module_id=module.id, slug="ex1", position=1, type="reflection", title="Reflection"
    )
    session.add(exercise)
    session.flush()
    submission = Submission(
        cohort_id=cohort.id,
        user_id=trainee.id,
        exercise_id=exercise.id,
        content={"answer": "My reflection"},
    )
    session.add(submission)

    waiting = OutreachItem(
        public_id="matrix-waiting-5",
        cohort_id=cohort.id,
        author_id=trainee.id,
        kind="story",
        title="Waiting story",
        body="Text",
    )
    shown = OutreachItem(
        public_id="matrix-shown-5",
        cohort_id=cohort.id,
        author_id=trainee.id,
        kind="story",
        title="Shown story",
        body="Text",
        show_name=False,
        status=OutreachStatus.APPROVED,
        approved_at=utcnow(),
    )
    session.add(waiting)
    session.add(shown)
    note = Notification(
        user_id=trainee.id,
        kind="feedback",
        text="Matrix",
        link="/journey",
        params={"message": "feedback", "author": "M", "exercise": "E"},
    )
    session.add(note)
    session.flush()
    academy = session.get(Academy, cohort.academy_id)
    session.commit()
    return {
        "trainee_id": trainee.id,
        "submission_id": submission.id,
        "circle_id": circle.id,
        "post_id": post.id,
        "notification_id": note.id,
        "item_id": waiting.id,
        "academy_slug": academy.slug,
        "public_id": shown.public_id,
    }
