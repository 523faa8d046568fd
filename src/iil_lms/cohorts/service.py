"""Cohorts, memberships and circles: the rules and queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from iil_lms.accounts import service as accounts
from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Academy, Cohort, Convening, LearningCircle, Membership, Role


class CohortError(ValueError):
    """A user-facing reason a cohort change was refused."""


def get_or_create_academy(
    session: Session, *, slug: str, name: str, country: str, timezone: str, local_language: str
) -> Academy:
    academy = session.exec(select(Academy).where(Academy.slug == slug)).first()
    if academy is None:
        academy = Academy(
            slug=slug,
            name=name,
            country=country,
            timezone=timezone,
            local_language=local_language,
            languages="en" if local_language == "en" else f"en,{local_language}",
        )
        session.add(academy)
        session.flush()
    return academy


def add_member(
    session: Session,
    *,
    cohort: Cohort,
    user_id: int,
    role: Role | str,
    department: str = "",
    district: str = "",
    province: str = "",
    circle_id: int | None = None,
) -> Membership:
    """Give a person a role in a cohort; holding the same role twice is refused."""
    role = Role(role)
    existing = session.exec(
        select(Membership).where(
            Membership.cohort_id == cohort.id,
            Membership.user_id == user_id,
            Membership.role == role.value,
        )
    ).first()
    if existing is not None:
        raise CohortError(f"This person is already a {role.value} in {cohort.name}.")
    membership = Membership(
        cohort_id=cohort.id,  # type: ignore[arg-type]
        user_id=user_id,
        role=role.value,
        department=department,
        district=district,
        province=province,
        circle_id=circle_id,
    )
    session.add(membership)
    session.flush()
    return membership


def update_profile(
    session: Session,
    user: User,
    *,
    display_name: str,
    gender: str,
    disability: str,
    service_group: str,
) -> None:
    """Save a person's name and self-declared profile (`accounts.service.update_profile`:
    nothing is written when a field is wrong), and give their cohort memberships the same
    self-declared values, so the cohort's reports agree with what the person said."""
    accounts.update_profile(
        session,
        user,
        display_name=display_name,
        gender=gender,
        disability=disability,
        service_group=service_group,
    )
    session.execute(
        update(Membership)
        .where(col(Membership.user_id) == user.id)
        .values(
            gender=gender.strip(),
            disability=disability.strip(),
            service_group=service_group.strip(),
        )
    )
    session.flush()


def cohort_circles(session: Session, cohort_id: int) -> list[LearningCircle]:
    """The cohort's learning circles, by name."""
    return list(
        session.exec(
            select(LearningCircle)
            .where(LearningCircle.cohort_id == cohort_id)
            .order_by(col(LearningCircle.name))
        )
    )


@dataclass(frozen=True)
class CohortOverview:
    cohort: Cohort
    academy: Academy
    counts: dict[str, int]
    circles: list[tuple[LearningCircle, int]]
    convenings: list[Convening]


def cohort_overview(session: Session, cohort: Cohort) -> CohortOverview:
    """Everything the cohort home page shows, in four queries whatever the cohort size."""
    academy = session.get(Academy, cohort.academy_id)
    assert academy is not None
    counts = dict(
        session.exec(
            select(Membership.role, func.count())
            .where(Membership.cohort_id == cohort.id)
            .group_by(Membership.role)
        ).all()
    )
    circle_rows = session.exec(
        select(LearningCircle, func.count(Membership.id))  # type: ignore[arg-type]
        .join(Membership, Membership.circle_id == LearningCircle.id, isouter=True)  # type: ignore[arg-type]
        .where(LearningCircle.cohort_id == cohort.id)
        .group_by(LearningCircle.id)  # type: ignore[arg-type]
        .order_by(LearningCircle.name)
    ).all()
    convenings = list(
        session.exec(
            select(Convening).where(Convening.cohort_id == cohort.id).order_by(Convening.starts_on)  # type: ignore[arg-type]
        )
    )
    return CohortOverview(
        cohort=cohort,
        academy=academy,
        counts={role.value: int(counts.get(role.value, 0)) for role in Role},
        circles=[(circle, int(n)) for circle, n in circle_rows],
        convenings=convenings,
    )
