"""The permission dependencies that routes put in their signatures (the authorization
matrix test reads them from the route table)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from iil_lms.accounts.models import User
from iil_lms.cohorts.models import Cohort, Role
from iil_lms.web.gate import SAFE_METHODS
from iil_lms.web.params import PathId
from iil_lms.web.sessions import DbSession, run_db
from iil_lms.web.viewer import Viewer, get_viewer


class LoginRequired(Exception):
    """Raised for pages that need a login; answered with a redirect to /login."""


async def require_user(request: Request, session: DbSession) -> Viewer:
    # Calls get_viewer itself rather than depending on it: every signed-in page goes
    # through here, and each level of dependency costs FastAPI a resolution.
    viewer = await get_viewer(request, session)
    if viewer.user is None:
        raise LoginRequired
    return viewer


require_user.permission = "user"  # type: ignore[attr-defined]
SignedIn = Annotated[Viewer, Depends(require_user)]


async def require_admin(viewer: SignedIn) -> Viewer:
    if viewer.user is None or not viewer.user.is_admin:
        raise HTTPException(status_code=404)
    return viewer


require_admin.permission = "admin"  # type: ignore[attr-defined]
Admin = Annotated[Viewer, Depends(require_admin)]


@dataclass(frozen=True)
class CohortAccess:
    viewer: Viewer
    cohort: Cohort
    roles: frozenset[str]

    @property
    def user(self) -> User:
        assert self.viewer.user is not None
        return self.viewer.user

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def cohort_role(*allowed: Role | str) -> Callable[..., Awaitable[CohortAccess]]:
    """Dependency for `/cohorts/{cohort_id}/...` routes: the viewer must hold one of the
    allowed roles in that cohort (site admins hold all). Someone with no role in the
    cohort gets 404, so its existence does not leak; a member without the role, 403."""
    allowed_set = frozenset(str(r) for r in allowed)

    async def dependency(
        request: Request, cohort_id: PathId, viewer: SignedIn, session: DbSession
    ) -> CohortAccess:
        # A read uses the viewer's own snapshot of their cohort (loaded with the viewer,
        # no second query); a write, or a site admin outside the cohort, loads it.
        cohort = viewer.cohort_snapshots.get(cohort_id) if request.method in SAFE_METHODS else None
        if cohort is None:
            cohort = await run_db(request, session.get, Cohort, cohort_id)
        if cohort is None:
            raise HTTPException(status_code=404)
        roles = viewer.roles_in(cohort_id) or {
            r.role for r in viewer.archived_roles if r.cohort_id == cohort_id
        }
        assert viewer.user is not None
        if not viewer.user.is_admin:
            if not roles:
                raise HTTPException(status_code=404)
            if not roles & allowed_set:
                raise HTTPException(status_code=403)
        if cohort.archived_at is not None and request.method not in SAFE_METHODS:
            # An archived cohort is read-only for everyone, site admins included.
            raise HTTPException(status_code=409, detail="archived")
        if viewer.user.is_admin:
            return CohortAccess(viewer, cohort, frozenset(allowed_set | roles))
        return CohortAccess(viewer, cohort, frozenset(roles))

    dependency.permission = ("cohort", tuple(sorted(allowed_set)))  # type: ignore[attr-defined]
    return dependency
