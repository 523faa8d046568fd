"""Who is asking: the viewer of a request, and the permission dependencies that routes
put in their signatures (the authorization matrix test reads them from the route table)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from iil_lms.accounts import service as accounts
from iil_lms.accounts.models import User, UserSession
from iil_lms.cohorts.models import Academy, Cohort, Membership, Role
from iil_lms.db import get_session
from iil_lms.settings import Settings
from iil_lms.web import i18n
from iil_lms.web.security import sign

SESSION_COOKIE = "iil_session"
ANON_COOKIE = "iil_anon"
LANG_COOKIE = "iil_lang"

DbSession = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class CohortRole:
    cohort_id: int
    cohort_name: str
    academy_name: str
    role: str
    membership_id: int


@dataclass
class Viewer:
    user: User | None = None
    user_session: UserSession | None = None
    session_token: str | None = None
    anon_id: str | None = None
    new_anon_id: bool = False
    roles: list[CohortRole] = field(default_factory=list)
    language: str = "en"

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def cohorts(self) -> list[CohortRole]:
        """One entry per cohort (the first role listed), for the header's cohort switcher."""
        seen: dict[int, CohortRole] = {}
        for role in self.roles:
            seen.setdefault(role.cohort_id, role)
        return list(seen.values())

    def roles_in(self, cohort_id: int) -> set[str]:
        return {r.role for r in self.roles if r.cohort_id == cohort_id}

    @property
    def active_cohort_id(self) -> int | None:
        wanted = self.user_session.active_cohort_id if self.user_session else None
        ids = [r.cohort_id for r in self.roles]
        if wanted in ids:
            return wanted
        return ids[0] if ids else None

    @property
    def active_roles(self) -> set[str]:
        cohort_id = self.active_cohort_id
        return self.roles_in(cohort_id) if cohort_id is not None else set()

    def csrf_token(self, secret: str) -> str:
        if self.session_token:
            return sign(secret, "session:" + accounts.hash_token(self.session_token))
        if self.anon_id is None:
            self.anon_id = secrets.token_urlsafe(18)
            self.new_anon_id = True
        return sign(secret, "anon:" + self.anon_id)


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def load_viewer(request: Request, session: Session) -> Viewer:
    """Resolve the session cookie to a user with their cohort roles (two queries), and
    fix the request's language."""
    cached: Viewer | None = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    settings = settings_of(request)
    viewer = Viewer(anon_id=request.cookies.get(ANON_COOKIE))
    token = request.cookies.get(SESSION_COOKIE)
    cohort_language: str | None = None
    if token:
        found = accounts.session_user(session, token)
        if found is not None:
            viewer.user_session, viewer.user = found
            # Detached snapshots: an error page rendered after a rollback can still read
            # them. Routes that change them add them back to their session.
            session.expunge(viewer.user_session)
            session.expunge(viewer.user)
            viewer.session_token = token
            rows = session.execute(
                sa_select(
                    col(Membership.id),
                    col(Membership.cohort_id),
                    col(Membership.role),
                    col(Cohort.name),
                    col(Cohort.language),
                    col(Academy.name),
                )
                .join(Cohort, col(Cohort.id) == Membership.cohort_id)
                .join(Academy, col(Academy.id) == Cohort.academy_id)
                .where(col(Membership.user_id) == viewer.user.id)
                .order_by(col(Cohort.starts_on).desc(), col(Membership.id))
            ).all()
            viewer.roles = [
                CohortRole(
                    cohort_id=c_id,
                    cohort_name=c_name,
                    academy_name=a_name,
                    role=role,
                    membership_id=m_id,
                )
                for m_id, c_id, role, c_name, _lang, a_name in rows
            ]
            cohort_language = rows[0][4] if rows else None
    viewer.language = i18n.negotiate_language(
        user_language=viewer.user.language if viewer.user else None,
        chosen_language=request.cookies.get(LANG_COOKIE),
        cohort_language=cohort_language,
        accept_language=request.headers.get("accept-language"),
        default=settings.default_language,
    )
    i18n.set_language(viewer.language)
    request.state.viewer = viewer
    return viewer


def get_viewer(request: Request, session: DbSession) -> Viewer:
    return load_viewer(request, session)


AnyViewer = Annotated[Viewer, Depends(get_viewer)]


class LoginRequired(Exception):
    """Raised for pages that need a login; answered with a redirect to /login."""


def require_user(viewer: AnyViewer) -> Viewer:
    if viewer.user is None:
        raise LoginRequired
    return viewer


require_user.permission = "user"  # type: ignore[attr-defined]
SignedIn = Annotated[Viewer, Depends(require_user)]


def require_admin(viewer: SignedIn) -> Viewer:
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


def cohort_role(*allowed: Role | str) -> Callable[..., CohortAccess]:
    """Dependency for `/cohorts/{cohort_id}/...` routes: the viewer must hold one of the
    allowed roles in that cohort (site admins hold all). Someone with no role in the
    cohort gets 404, so its existence does not leak; a member without the role, 403."""
    allowed_set = frozenset(str(r) for r in allowed)

    def dependency(cohort_id: int, viewer: SignedIn, session: DbSession) -> CohortAccess:
        cohort = session.get(Cohort, cohort_id)
        if cohort is None:
            raise HTTPException(status_code=404)
        roles = viewer.roles_in(cohort_id)
        assert viewer.user is not None
        if viewer.user.is_admin:
            return CohortAccess(viewer, cohort, frozenset(allowed_set | roles))
        if not roles:
            raise HTTPException(status_code=404)
        if not roles & allowed_set:
            raise HTTPException(status_code=403)
        return CohortAccess(viewer, cohort, frozenset(roles))

    dependency.permission = ("cohort", tuple(sorted(allowed_set)))  # type: ignore[attr-defined]
    return dependency
