"""A cohort's staff: trainers, organisers and mentors, invited by email. A new person
gets an account and an invitation link through the email outbox; an existing account
gains the role and is told. Roles are per cohort, so one person may train in one cohort
and mentor in another. A cohort always keeps at least one trainer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms import i18n
from iil_lms.accounts import service as accounts
from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Academy, Cohort, Membership, Role
from iil_lms.cohorts.service import add_member
from iil_lms.i18n import gettext as _
from iil_lms.mentoring.models import MentorAssignment
from iil_lms.notifications.models import OutboxMessage
from iil_lms.notifications.service import notify
from iil_lms.settings import Settings

STAFF_ROLES = (Role.TRAINER, Role.ORGANISER, Role.MENTOR)
STAFF_ROLE_VALUES = tuple(role.value for role in STAFF_ROLES)


def N_(message: str) -> str:
    """Mark for extraction; translated into the invitee's language when sent."""
    return message


# The invitation email, per role (whole sentences, never pieced together).
INVITATION_SUBJECT = N_("You are invited to the Integrity Innovation Lab")
INVITATION_BODY = {
    "trainer": N_(
        "%(author)s invites you to be a trainer of %(cohort)s (%(academy)s). Open the link "
        "below to choose your password; it works for %(days)s days."
    ),
    "organiser": N_(
        "%(author)s invites you to be an organiser of %(cohort)s (%(academy)s). Open the "
        "link below to choose your password; it works for %(days)s days."
    ),
    "mentor": N_(
        "%(author)s invites you to be a mentor in %(cohort)s (%(academy)s). Open the link "
        "below to choose your password; it works for %(days)s days."
    ),
}


class StaffError(ValueError):
    """Field-by-field reasons a staff change was refused."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class StaffMember:
    membership_id: int
    user_id: int
    name: str
    email: str
    role: str
    invited: bool  # has not yet chosen a password


def staff_of(session: Session, cohort_id: int) -> list[StaffMember]:
    """The cohort's trainers, organisers and mentors, by role then name. One query."""
    rows = session.execute(
        sa_select(
            col(Membership.id),
            col(User.id),
            col(User.display_name),
            col(User.email),
            col(Membership.role),
            col(User.password_hash),
        )
        .join(User, col(User.id) == Membership.user_id)
        .where(col(Membership.cohort_id) == cohort_id, col(Membership.role).in_(STAFF_ROLE_VALUES))
        .order_by(col(Membership.role), col(User.display_name), col(Membership.id))
    ).all()
    order = {role: i for i, role in enumerate(STAFF_ROLE_VALUES)}
    members = [
        StaffMember(m_id or 0, u_id or 0, name, email, role, password_hash is None)
        for m_id, u_id, name, email, role, password_hash in rows
    ]
    return sorted(members, key=lambda m: order.get(m.role, 9))


def _check_writable(cohort: Cohort) -> None:
    if cohort.archived_at is not None:
        raise StaffError({"cohort": _("This cohort is archived; its staff cannot change.")})


def _role(value: str) -> Role:
    if value not in STAFF_ROLE_VALUES:
        raise StaffError({"role": _("Choose trainer, organiser or mentor.")})
    return Role(value)


def _queue_invitation(
    session: Session, settings: Settings, *, user: User, cohort: Cohort, role: Role, author: str
) -> None:
    token = accounts.issue_token(session, settings, user, "invite")
    academy = session.get(Academy, cohort.academy_id)
    catalog = i18n.translations(user.language)
    body = catalog.ugettext(INVITATION_BODY[role.value]) % {
        "author": author,
        "cohort": cohort.name,
        "academy": academy.name if academy else "",
        "days": settings.invitation_days,
    }
    session.add(
        OutboxMessage(
            user_id=user.id,
            to_address=user.email,
            subject=catalog.ugettext(INVITATION_SUBJECT),
            body=body,
            link=f"/invite/{token}",
            language=user.language or "en",  # an account that never chose one
        )
    )


@dataclass(frozen=True)
class Invited:
    user: User
    membership: Membership
    new_account: bool
    emailed: bool  # an invitation link went to the outbox


def invite(
    session: Session,
    settings: Settings,
    cohort: Cohort,
    *,
    email: str,
    name: str,
    role: str,
    actor: User,
) -> Invited:
    """Give someone a staff role in the cohort. A new email gets an account (in the
    cohort's language) and an invitation link by email; an account that exists gains the
    role and a notification, or a fresh invitation link if it never chose a password.
    The same role twice is refused."""
    _check_writable(cohort)
    errors: dict[str, str] = {}
    email = accounts.normalise_email(email)
    name = name.strip()
    try:
        chosen = _role(role)
    except StaffError as invalid:
        errors.update(invalid.errors)
        chosen = Role.TRAINER
    if "@" not in email or len(email) > 254 or " " in email or email.startswith("@"):
        errors["email"] = _("Enter a valid email address.")
    if len(name) > 120:
        errors["name"] = _("The name is too long: at most %(count)s characters.", count=120)
    user = accounts.user_by_email(session, email) if "email" not in errors else None
    if user is None and "email" not in errors and not name:
        errors["name"] = _("Enter the name of the person you invite.")
    if user is not None and "role" not in errors:
        already = session.exec(
            select(Membership.id).where(
                Membership.cohort_id == cohort.id,
                Membership.user_id == user.id,
                Membership.role == chosen.value,
            )
        ).first()
        if already is not None:
            errors["email"] = _("%(email)s already holds this role in this cohort.", email=email)
    if errors:
        raise StaffError(errors)
    new_account = user is None
    if user is None:
        user = accounts.create_user(
            session, email=email, display_name=name, language=cohort.language
        )
    membership = add_member(session, cohort=cohort, user_id=user.id or 0, role=chosen)
    emailed = user.password_hash is None
    if emailed:
        _queue_invitation(
            session, settings, user=user, cohort=cohort, role=chosen, author=actor.display_name
        )
    else:
        notify(
            session,
            user_ids=[user.id or 0],
            kind="staff",
            params={
                "message": f"role_{chosen.value}",
                "author": actor.display_name,
                "cohort": cohort.name,
            },
            link="/",
            actor_id=actor.id,
        )
    accounts.audit(
        session,
        actor.id,
        "staff.invite",
        f"cohort:{cohort.id}",
        f"{email} as {chosen.value}",
        after={"user_id": user.id, "email": email, "role": chosen.value},
    )
    session.flush()
    return Invited(user, membership, new_account, emailed)


def _staff_membership(session: Session, cohort: Cohort, membership_id: int) -> Membership:
    membership = session.get(Membership, membership_id)
    if (
        membership is None
        or membership.cohort_id != cohort.id
        or membership.role not in STAFF_ROLE_VALUES
    ):
        raise LookupError(membership_id)
    return membership


def _trainer_count(session: Session, cohort_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Membership)
            .where(Membership.cohort_id == cohort_id, Membership.role == Role.TRAINER.value)
        ).one()
    )


def _check_not_last_trainer(session: Session, cohort: Cohort, membership: Membership) -> None:
    if membership.role == Role.TRAINER.value and _trainer_count(session, cohort.id or 0) <= 1:
        raise StaffError(
            {
                "role": _(
                    "This is the cohort's only trainer. Invite another trainer first, then "
                    "change or remove this one."
                )
            }
        )


def _check_no_mentees(session: Session, cohort: Cohort, membership: Membership) -> None:
    if membership.role != Role.MENTOR.value:
        return
    mentees = session.exec(
        select(func.count())
        .select_from(MentorAssignment)
        .where(
            MentorAssignment.cohort_id == cohort.id,
            MentorAssignment.mentor_id == membership.user_id,
            col(MentorAssignment.ended_at).is_(None),
        )
    ).one()
    if mentees:
        raise StaffError(
            {
                "role": i18n.ngettext(
                    "This mentor has %(num)s mentee. Give them another mentor first.",
                    "This mentor has %(num)s mentees. Give them another mentor first.",
                    int(mentees),
                )
            }
        )


def change_role(
    session: Session, cohort: Cohort, membership_id: int, role: str, *, actor_id: int | None
) -> Membership:
    """Turn one staff role into another (a mentor into a trainer, say). The last trainer
    keeps their role, a mentor with mentees keeps theirs, and nobody holds a role twice.
    LookupError when the membership is not one of this cohort's staff."""
    _check_writable(cohort)
    membership = _staff_membership(session, cohort, membership_id)
    chosen = _role(role)
    if chosen.value == membership.role:
        return membership
    _check_not_last_trainer(session, cohort, membership)
    _check_no_mentees(session, cohort, membership)
    duplicate = session.exec(
        select(Membership.id).where(
            Membership.cohort_id == cohort.id,
            Membership.user_id == membership.user_id,
            Membership.role == chosen.value,
        )
    ).first()
    if duplicate is not None:
        raise StaffError({"role": _("This person already holds that role in this cohort.")})
    before = membership.role
    membership.role = chosen.value
    session.add(membership)
    session.flush()
    accounts.audit(
        session,
        actor_id,
        "staff.change",
        f"cohort:{cohort.id}",
        f"user:{membership.user_id} {before} -> {chosen.value}",
        before={"user_id": membership.user_id, "role": before},
        after={"user_id": membership.user_id, "role": chosen.value},
    )
    return membership


def remove(session: Session, cohort: Cohort, membership_id: int, *, actor_id: int | None) -> None:
    """Take a staff role away. The account stays (with its other roles); the last
    trainer and a mentor who still has mentees cannot be removed."""
    _check_writable(cohort)
    membership = _staff_membership(session, cohort, membership_id)
    _check_not_last_trainer(session, cohort, membership)
    _check_no_mentees(session, cohort, membership)
    accounts.audit(
        session,
        actor_id,
        "staff.remove",
        f"cohort:{cohort.id}",
        f"user:{membership.user_id} {membership.role}",
        before={"user_id": membership.user_id, "role": membership.role},
    )
    session.delete(membership)
    session.flush()
