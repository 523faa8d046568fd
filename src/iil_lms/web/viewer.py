"""Who is asking: the viewer of a request (their session, account, cohort roles and
language), resolved from the session cookie in one query."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from iil_lms import i18n
from iil_lms.accounts import service as accounts
from iil_lms.accounts.models import User, UserSession
from iil_lms.cohorts.models import Academy, Cohort, Membership
from iil_lms.db import as_utc, utcnow
from iil_lms.web.security import sign
from iil_lms.web.sessions import DbSession, run_db, settings_of

SESSION_COOKIE = "iil_session"
ANON_COOKIE = "iil_anon"
LANG_COOKIE = "iil_lang"


@dataclass(frozen=True)
class CohortRole:
    cohort_id: int
    cohort_name: str
    academy_name: str
    role: str
    membership_id: int
    circle_id: int | None = None
    timezone: str = "UTC"  # the academy's, for showing times


@dataclass
class Viewer:
    user: User | None = None
    user_session: UserSession | None = None
    session_token: str | None = None
    anon_id: str | None = None
    new_anon_id: bool = False
    roles: list[CohortRole] = field(default_factory=list)
    language: str = "en"
    # Each of the viewer's cohorts as a detached snapshot, loaded with the roles.
    cohort_snapshots: dict[int, Cohort] = field(default_factory=dict, repr=False)
    # Roles in archived cohorts: out of every day-to-day list, read-only for their staff.
    archived_roles: list[CohortRole] = field(default_factory=list)

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
    def archived_cohort_ids(self) -> set[int]:
        return {i for i, c in self.cohort_snapshots.items() if c.archived_at is not None}

    @property
    def active_cohort_id(self) -> int | None:
        wanted = self.user_session.active_cohort_id if self.user_session else None
        ids = [r.cohort_id for r in self.roles]
        if wanted in ids:
            return wanted
        return ids[0] if ids else None

    @property
    def timezone(self) -> str:
        """The time zone of the academy of the viewer's active cohort (UTC without one):
        where they read the times a page shows."""
        cohort_id = self.active_cohort_id
        for role in self.roles:
            if role.cohort_id == cohort_id:
                return role.timezone
        return "UTC"

    def use_locale(self) -> None:
        """Show the rest of the request in the viewer's language and time zone."""
        i18n.set_language(self.language)
        i18n.set_timezone(self.timezone)

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


def load_viewer(request: Request, session: Session) -> Viewer:
    """Resolve the session cookie to a user with their cohort roles (one query), and
    fix the request's language."""
    cached: Viewer | None = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    settings = settings_of(request)
    viewer = Viewer(anon_id=request.cookies.get(ANON_COOKIE))
    token = request.cookies.get(SESSION_COOKIE)
    cohort_language: str | None = None
    if token:
        found = _signed_in(session, token)
        if found is not None:
            viewer.user_session, viewer.user, roles, viewer.cohort_snapshots = found
            viewer.roles = [r for r in roles if r.cohort_id not in viewer.archived_cohort_ids]
            viewer.archived_roles = [r for r in roles if r.cohort_id in viewer.archived_cohort_ids]
            viewer.session_token = token
            if viewer.roles:
                cohort_language = viewer.cohort_snapshots[viewer.roles[0].cohort_id].language
    viewer.language = i18n.negotiate_language(
        user_language=viewer.user.language if viewer.user else None,
        chosen_language=request.cookies.get(LANG_COOKIE),
        cohort_language=cohort_language,
        accept_language=request.headers.get("accept-language"),
        default=settings.default_language,
    )
    viewer.use_locale()
    request.state.viewer = viewer
    return viewer


# Session, user and cohort roles in one statement, built once (a bound parameter for the
# token hash), outer-joined so a user without a membership still has a row. The ORM
# loads the session, user and cohorts; they are then detached (as if expunged), so a
# route that changes one adds it back to its session.
_VIEWER_QUERY = (
    select(
        UserSession,
        User,
        col(Membership.id),
        col(Membership.cohort_id),
        col(Membership.role),
        col(Membership.circle_id),
        Cohort,
        col(Academy.name),
        col(Academy.timezone),
    )
    .join(User, col(User.id) == col(UserSession.user_id))
    .outerjoin(Membership, col(Membership.user_id) == col(User.id))
    .outerjoin(Cohort, col(Cohort.id) == col(Membership.cohort_id))
    .outerjoin(Academy, col(Academy.id) == col(Cohort.academy_id))
    .where(col(UserSession.token_hash) == bindparam("token_hash"))
    .order_by(col(Cohort.starts_on).desc(), col(Membership.id))
)


def _signed_in(
    session: Session, token: str
) -> tuple[UserSession, User, list[CohortRole], dict[int, Cohort]] | None:
    """The live session of `token`, its user (active), their cohort roles (newest
    cohort first) and those cohorts; None when unknown or expired. One query."""
    rows: Any = session.execute(_VIEWER_QUERY, {"token_hash": accounts.hash_token(token)}).all()
    if not rows:
        return None
    user_session, user = rows[0][0], rows[0][1]
    cohorts = {row[3]: row[6] for row in rows if row[2] is not None}
    for loaded in (user_session, user, *cohorts.values()):
        session.expunge(loaded)
    if as_utc(user_session.expires_at) <= utcnow() or not user.is_active:
        return None
    roles = [
        CohortRole(
            cohort_id=cohort_id,
            cohort_name=cohort.name,
            academy_name=academy_name,
            timezone=academy_timezone or "UTC",
            role=role,
            membership_id=membership_id,
            circle_id=circle_id,
        )
        for (
            _s,
            _u,
            membership_id,
            cohort_id,
            role,
            circle_id,
            cohort,
            academy_name,
            academy_timezone,
        ) in rows
        if membership_id is not None
    ]
    return user_session, user, roles, cohorts


async def get_viewer(request: Request, session: DbSession) -> Viewer:
    cached: Viewer | None = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    return await run_db(request, load_viewer, request, session)


AnyViewer = Annotated[Viewer, Depends(get_viewer)]
