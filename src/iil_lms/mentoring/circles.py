"""Learning circles: who may read a circle's discussion, posts and replies with
mentions, hiding a post, and the trainer's side (create circles, move people)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from iil_lms.accounts.models import User
from iil_lms.accounts.service import audit
from iil_lms.cohorts.models import LearningCircle, Membership, Role
from iil_lms.db import utcnow
from iil_lms.i18n import gettext as _
from iil_lms.mentoring.models import CirclePost, MentorAssignment
from iil_lms.mentoring.service import MentoringError
from iil_lms.notifications.service import notify

PAGE_SIZE = 20
MAX_POST = 5000
# Roles that can sit in a circle: trainees, and mentors who facilitate one.
CIRCLE_ROLES = (Role.TRAINEE.value, Role.MENTOR.value)


@dataclass(frozen=True)
class CircleAccess:
    circle: LearningCircle
    is_member: bool
    can_moderate: bool  # a trainer of the circle's cohort, or a site admin
    # the current mentor of a trainee in the circle: reads and posts, like a member
    is_mentor: bool = False


def circle_access(
    session: Session, circle_id: int, *, user_id: int, is_admin: bool
) -> CircleAccess | None:
    """Who may read a circle: its members, the current mentors of its trainees, and the
    trainers of its cohort (site admins count as trainers). Anyone else gets None, so the
    page is a 404 and a member of another circle cannot even tell that this one exists."""
    circle = session.get(LearningCircle, circle_id)
    if circle is None:
        return None
    rows = session.exec(
        select(Membership.role, Membership.circle_id).where(
            Membership.cohort_id == circle.cohort_id, Membership.user_id == user_id
        )
    ).all()
    member = any(c == circle_id and role in CIRCLE_ROLES for role, c in rows)
    trainer = is_admin or any(role == Role.TRAINER.value for role, _c in rows)
    mentor = any(role == Role.MENTOR.value for role, _c in rows) and circle_id in {
        c.circle.id for c in mentee_circles(session, circle.cohort_id, user_id)
    }
    if not (member or trainer or mentor):
        return None
    return CircleAccess(circle, member, trainer, mentor)


@dataclass(frozen=True)
class MenteeCircle:
    circle: LearningCircle
    mentee_names: list[str]


def mentee_circles(session: Session, cohort_id: int, mentor_id: int) -> list[MenteeCircle]:
    """The learning circles of a mentor's current mentees in the cohort (withdrawn
    trainees left out), by name, each with the mentees in it (one query)."""
    rows = session.exec(
        select(LearningCircle, User.display_name)
        .join(Membership, col(Membership.circle_id) == LearningCircle.id)
        .join(
            MentorAssignment,
            and_(
                col(MentorAssignment.trainee_id) == Membership.user_id,
                col(MentorAssignment.cohort_id) == Membership.cohort_id,
            ),
        )
        .join(User, col(User.id) == Membership.user_id)
        .where(
            Membership.cohort_id == cohort_id,
            Membership.role == Role.TRAINEE.value,
            col(Membership.withdrawn_at).is_(None),
            MentorAssignment.mentor_id == mentor_id,
            col(MentorAssignment.ended_at).is_(None),
        )
        .order_by(col(LearningCircle.name), col(LearningCircle.id), col(User.display_name))
    ).all()
    found: dict[int, MenteeCircle] = {}
    for circle, name in rows:
        assert circle.id is not None
        found.setdefault(circle.id, MenteeCircle(circle, [])).mentee_names.append(name)
    return list(found.values())


def own_circle_id(session: Session, cohort_id: int, user_id: int) -> int | None:
    return session.exec(
        select(Membership.circle_id)
        .where(
            Membership.cohort_id == cohort_id,
            Membership.user_id == user_id,
            col(Membership.circle_id).is_not(None),
            col(Membership.role).in_(CIRCLE_ROLES),
        )
        .order_by(col(Membership.id))
    ).first()


def circle_members(session: Session, circle_id: int) -> list[tuple[int, str]]:
    """(user id, name) of everyone in the circle, by name (one query)."""
    rows = session.exec(
        select(User.id, User.display_name)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.circle_id == circle_id, col(Membership.role).in_(CIRCLE_ROLES))
        .distinct()
        .order_by(col(User.display_name), col(User.id))
    ).all()
    return [(uid, name) for uid, name in rows if uid is not None]


@dataclass
class PostView:
    post: CirclePost
    author_name: str
    replies: list[PostView] = field(default_factory=list)


@dataclass
class PostPage:
    posts: list[PostView]
    older_than: int | None  # pass as `before` for the next page; None: no more


def posts_page(session: Session, circle_id: int, *, before: int | None = None) -> PostPage:
    """One page of the circle's posts, newest first, each with its replies oldest first
    (two queries). Hidden posts are included; the page shows them only to trainers."""
    query = (
        select(CirclePost, User.display_name)
        .join(User, col(User.id) == CirclePost.author_id)
        .where(CirclePost.circle_id == circle_id, col(CirclePost.parent_id).is_(None))
    )
    if before is not None:
        query = query.where(col(CirclePost.id) < before)
    rows = session.exec(query.order_by(col(CirclePost.id).desc()).limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    views = {post.id: PostView(post, name) for post, name in rows[:PAGE_SIZE]}
    if views:
        for reply, name in session.exec(
            select(CirclePost, User.display_name)
            .join(User, col(User.id) == CirclePost.author_id)
            .where(col(CirclePost.parent_id).in_(list(views)))
            .order_by(col(CirclePost.id))
        ).all():
            views[reply.parent_id].replies.append(PostView(reply, name))
    posts = list(views.values())
    return PostPage(posts, posts[-1].post.id if more and posts else None)


def mentioned(body: str, members: list[tuple[int, str]]) -> list[int]:
    """Members named as `@Display Name` in the text (any case), longest names first so
    `@Ali Khan` is not also read as `@Ali`."""
    found: list[int] = []
    text = body
    for user_id, name in sorted(members, key=lambda m: -len(m[1])):
        pattern = re.compile("@" + re.escape(name.strip()) + r"(?!\w)", re.IGNORECASE)
        if name.strip() and pattern.search(text):
            found.append(user_id)
            text = pattern.sub(" ", text)
    return sorted(found)


def add_post(
    session: Session, *, access: CircleAccess, author_id: int, body: str, parent_id: int | None
) -> CirclePost:
    """Post in the circle, or reply to a post (a reply to a reply joins the same
    thread). The text is needed and kept under MAX_POST characters. Mentioned members
    are told; so is the author of the post replied to."""
    body = body.strip()
    if not body:
        raise MentoringError(_("Write something before posting."))
    if len(body) > MAX_POST:
        raise MentoringError(_("Keep a post under %(count)s characters.", count=MAX_POST))
    circle = access.circle
    parent: CirclePost | None = None
    if parent_id is not None:
        parent = session.get(CirclePost, parent_id)
        if parent is None or parent.circle_id != circle.id:
            raise MentoringError(_("The post you replied to is not in this circle."))
        if parent.parent_id is not None:
            parent = session.get(CirclePost, parent.parent_id)
            assert parent is not None
    assert circle.id is not None
    post = CirclePost(
        circle_id=circle.id, author_id=author_id, parent_id=parent.id if parent else None, body=body
    )
    session.add(post)
    session.flush()
    members = circle_members(session, circle.id)
    author = dict(members).get(author_id) or _display_name(session, author_id)
    link = f"/circles/{circle.id}#post-{parent.id if parent else post.id}"
    names = mentioned(body, members)
    if names:
        notify(
            session,
            user_ids=names,
            kind="mention",
            actor_id=author_id,
            link=link,
            params={"author": author, "where": circle.name},
        )
    if parent is not None and parent.author_id not in names:
        notify(
            session,
            user_ids=[parent.author_id],
            kind="reply",
            actor_id=author_id,
            link=link,
            params={"author": author, "where": circle.name},
        )
    return post


def _display_name(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.display_name if user else ""


def set_hidden(
    session: Session,
    *,
    access: CircleAccess,
    post_id: int,
    actor_id: int,
    hidden: bool,
    reason: str,
) -> CirclePost:
    """A trainer hides a post (kept, marked hidden, with who and why) or shows it again.
    Nothing is deleted. A reason is needed to hide."""
    if not access.can_moderate:
        raise MentoringError(_("Only a trainer can hide posts."))
    post = session.get(CirclePost, post_id)
    if post is None or post.circle_id != access.circle.id:
        raise MentoringError(_("That post is not in this circle."))
    reason = reason.strip()
    if hidden and not reason:
        raise MentoringError(_("Say why the post is hidden; its author will see the reason."))
    if hidden:
        post.hidden_at, post.hidden_by_id, post.hidden_reason = utcnow(), actor_id, reason[:500]
    else:
        post.hidden_at, post.hidden_by_id, post.hidden_reason = None, None, ""
    session.add(post)
    audit(
        session,
        actor_id=actor_id,
        action="circle.post_hidden" if hidden else "circle.post_shown",
        subject=f"circle:{access.circle.id} post:{post_id}",
        detail=reason,
    )
    session.flush()
    return post


# --- the trainer's side ----------------------------------------------------------------


@dataclass(frozen=True)
class CircleSummary:
    circle: LearningCircle
    members: int
    posts: int


def circles_of(session: Session, cohort_id: int) -> list[CircleSummary]:
    """The cohort's circles with member and post counts (three queries)."""
    circles = session.exec(
        select(LearningCircle)
        .where(LearningCircle.cohort_id == cohort_id)
        .order_by(col(LearningCircle.name))
    ).all()
    ids = [c.id for c in circles]
    members = dict(
        session.exec(
            select(Membership.circle_id, func.count(func.distinct(Membership.user_id)))
            .where(col(Membership.circle_id).in_(ids), col(Membership.role).in_(CIRCLE_ROLES))
            .group_by(col(Membership.circle_id))
        ).all()
    )
    posts: dict[int | None, int] = dict(
        session.exec(
            select(CirclePost.circle_id, func.count())
            .where(col(CirclePost.circle_id).in_(ids))
            .group_by(col(CirclePost.circle_id))
        ).all()
    )
    return [CircleSummary(c, int(members.get(c.id, 0)), int(posts.get(c.id, 0))) for c in circles]


@dataclass(frozen=True)
class CirclePerson:
    membership_id: int
    user_id: int
    name: str
    role: str
    department: str
    circle_id: int | None


def circle_roster(session: Session, cohort_id: int) -> list[CirclePerson]:
    """Trainees and mentors of the cohort with their circle, by name (one query)."""
    rows = session.exec(
        select(Membership, User.display_name)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.cohort_id == cohort_id, col(Membership.role).in_(CIRCLE_ROLES))
        .order_by(col(Membership.role).desc(), col(User.display_name), col(User.id))
    ).all()
    return [
        CirclePerson(m.id or 0, m.user_id, name, m.role, m.department, m.circle_id)
        for m, name in rows
    ]


def create_circle(session: Session, *, cohort_id: int, name: str, actor_id: int) -> LearningCircle:
    """A new learning circle; its name is needed and unique within the cohort."""
    name = " ".join(name.split())
    if not name:
        raise MentoringError(_("Give the circle a name."))
    if len(name) > 120:
        raise MentoringError(_("Keep the name under 120 characters."))
    taken = session.exec(
        select(LearningCircle.id).where(
            LearningCircle.cohort_id == cohort_id, func.lower(LearningCircle.name) == name.lower()
        )
    ).first()
    if taken is not None:
        raise MentoringError(_("This cohort already has a circle called %(name)s.", name=name))
    circle = LearningCircle(cohort_id=cohort_id, name=name)
    session.add(circle)
    session.flush()
    audit(
        session,
        actor_id=actor_id,
        action="circle.create",
        subject=f"cohort:{cohort_id}",
        detail=name,
    )
    return circle


def move_people(
    session: Session,
    *,
    cohort_id: int,
    membership_ids: list[int],
    circle_id: int | None,
    actor_id: int,
) -> int:
    """Put the chosen trainees and mentors into a circle of the same cohort (or take
    them out of every circle with None). Their posts stay where they wrote them.
    Returns how many people moved; each move is in the audit log."""
    wanted = sorted(set(membership_ids))
    if not wanted:
        raise MentoringError(_("Tick at least one person to move."))
    target_name = ""
    if circle_id is not None:
        target = session.get(LearningCircle, circle_id)
        if target is None or target.cohort_id != cohort_id:
            raise MentoringError(_("Choose a circle of this cohort."))
        target_name = target.name
    rows = session.exec(
        select(Membership).where(
            col(Membership.id).in_(wanted),
            Membership.cohort_id == cohort_id,
            col(Membership.role).in_(CIRCLE_ROLES),
        )
    ).all()
    if len(rows) != len(wanted):
        raise MentoringError(_("Some of the people chosen are not in this cohort."))
    moved = 0
    for membership in rows:
        if membership.circle_id == circle_id:
            continue
        audit(
            session,
            actor_id=actor_id,
            action="circle.move",
            subject=f"cohort:{cohort_id} user:{membership.user_id}",
            detail=f"{membership.circle_id or '-'} -> {circle_id or '-'} {target_name}",
        )
        membership.circle_id = circle_id
        session.add(membership)
        moved += 1
    session.flush()
    return moved
