"""Dependencies for pages without a cohort in their path (`/mentees`, `/mentoring`,
`/outreach`...): the viewer must hold the role in some cohort; the page works in the
viewer's active cohort when they hold the role there, else in the newest such cohort.
A signed-in person without the role gets 403 (the menu shows these pages by role, so
their existence is no secret)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Cohort, Role
from iil_lms.web.auth import DbSession, SignedIn, Viewer


@dataclass(frozen=True)
class Seat:
    viewer: Viewer
    cohort: Cohort
    role: str

    @property
    def user(self) -> User:
        assert self.viewer.user is not None
        return self.viewer.user

    @property
    def user_id(self) -> int:
        assert self.viewer.user is not None and self.viewer.user.id is not None
        return self.viewer.user.id

    @property
    def cohort_id(self) -> int:
        assert self.cohort.id is not None
        return self.cohort.id


def role_seat(role: Role) -> Callable[..., Seat]:
    def dependency(viewer: SignedIn, session: DbSession) -> Seat:
        cohort_ids = [r.cohort_id for r in viewer.roles if r.role == role.value]
        if not cohort_ids:
            raise HTTPException(status_code=403)
        active = viewer.active_cohort_id
        cohort_id = active if active in cohort_ids else cohort_ids[0]
        cohort = session.get(Cohort, cohort_id)
        if cohort is None:
            raise HTTPException(status_code=404)
        return Seat(viewer, cohort, role.value)

    return dependency
