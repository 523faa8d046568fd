"""Who is asking: the viewer of a request, and the permission dependencies that routes
put in their signatures (the authorization matrix test reads them from the route table)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request
from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.base import instance_state
from sqlmodel import Session, SQLModel
from starlette.concurrency import run_in_threadpool

from iil_lms import i18n
from iil_lms.accounts import service as accounts
from iil_lms.accounts.models import User, UserSession
from iil_lms.cohorts.models import Academy, Cohort, Membership, Role
from iil_lms.db import as_utc, utcnow
from iil_lms.settings import Settings
from iil_lms.web.gate import SAFE_METHODS, enter_for_request
from iil_lms.web.params import PathId
from iil_lms.web.security import sign

SESSION_COOKIE = "iil_session"
ANON_COOKIE = "iil_anon"
LANG_COOKIE = "iil_lang"

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])
_M = TypeVar("_M", bound=SQLModel)


def inline_reads(endpoint: _F) -> _F:
    """Mark an `async def` GET route whose database work (and that of its
    dependencies) is a few short reads that never wait for anything else: on SQLite it
    then runs on the event loop, on the loop's own connection, without a thread-pool
    hop (a hop costs more than such a read, and a page has several dependencies). The
    route must not await anything while it uses the session (no thread pool, no I/O)."""
    endpoint.inline_reads = True  # type: ignore[attr-defined]
    return endpoint


def runs_inline(request: Request) -> bool:
    """Whether this request's database work runs on the event loop: a safe method, to
    a route marked with inline_reads, on SQLite (which answers reads from the local
    file in WAL mode without waiting for a writer). Everything else (writes, which may
    wait for SQLite's write lock; any query to a database server; routes that hand
    work to the thread pool) runs in the thread pool, as plain FastAPI does."""
    if request.method not in SAFE_METHODS:
        return False
    if not getattr(request.scope.get("endpoint"), "inline_reads", False):
        return False
    engine = request.app.state.engine
    return bool(engine.dialect.name == "sqlite")


def _loop_connection(request: Request) -> Connection:
    """The event loop's own connection for inline reads, outside the pool: the loop
    must never wait for a pooled connection (the requests holding them need the loop
    to give them back). Inline requests never suspend while they hold it, so they use
    it one after the other."""
    state = request.app.state
    connection: Connection | None = getattr(state, "loop_connection", None)
    if connection is None or connection.closed or connection.invalidated:
        connection = state.engine.connect()
        state.loop_connection = connection
    elif connection.in_transaction():  # left open by a request that failed to finish
        connection.rollback()
    return connection


async def run_db(request: Request, function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Call `function` inline for an inline read (see runs_inline), else in the thread
    pool."""
    if runs_inline(request):
        return function(*args, **kwargs)
    return await run_in_threadpool(function, *args, **kwargs)


def _finish(session: Session, failed: bool) -> None:
    try:
        if failed:
            session.rollback()
        else:
            session.commit()
    finally:
        session.close()


async def request_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: rolled back when the request
    raised, otherwise committed before the response leaves. Inline reads (see
    runs_inline) use the event loop's connection and finish without a hop. A writing
    request on SQLite holds the one-writer gate (web/gate.py) from here to its commit."""
    gate = await enter_for_request(request)
    try:
        if runs_inline(request):
            session = Session(bind=_loop_connection(request), expire_on_commit=False)
        else:
            session = Session(request.app.state.engine, expire_on_commit=False)
        try:
            yield session
        except BaseException:
            await run_db(request, _finish, session, True)
            raise
        await run_db(request, _finish, session, False)
    finally:
        if gate is not None:
            gate.release()


DbSession = Annotated[Session, Depends(request_session, scope="function")]


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


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


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


def _viewer_query() -> Any:
    """Session, user and cohort roles in one statement, built once (a bound parameter
    for the token hash), outer-joined so a user without a membership still has a row."""
    sessions = UserSession.__table__  # type: ignore[attr-defined]
    users = User.__table__  # type: ignore[attr-defined]
    memberships = Membership.__table__  # type: ignore[attr-defined]
    cohorts = Cohort.__table__  # type: ignore[attr-defined]
    academies = Academy.__table__  # type: ignore[attr-defined]
    return (
        sa_select(
            *(c.label(f"s_{c.name}") for c in sessions.c),
            *(c.label(f"u_{c.name}") for c in users.c),
            memberships.c.id.label("m_id"),
            memberships.c.cohort_id.label("m_cohort_id"),
            memberships.c.role.label("m_role"),
            memberships.c.circle_id.label("m_circle_id"),
            *(c.label(f"c_{c.name}") for c in cohorts.c),
            academies.c.name.label("a_name"),
            academies.c.timezone.label("a_timezone"),
        )
        .select_from(sessions)
        .join(users, users.c.id == sessions.c.user_id)
        .outerjoin(memberships, memberships.c.user_id == users.c.id)
        .outerjoin(cohorts, cohorts.c.id == memberships.c.cohort_id)
        .outerjoin(academies, academies.c.id == cohorts.c.academy_id)
        .where(sessions.c.token_hash == bindparam("token_hash"))
        .order_by(cohorts.c.starts_on.desc(), memberships.c.id)
    )


_VIEWER_QUERY = _viewer_query()


def snapshot(model: type[_M], row: Any, prefix: str = "") -> _M:
    """A detached instance from a row's columns, built as the ORM builds a loaded one
    (no validation: the values come from the database) and then detached, as if
    expunged: a route that changes it adds it back to its session."""
    if not model.__mapper__.configured:  # type: ignore[attr-defined]
        configure_mappers()  # once per process: the viewer may be its first ORM use
    instance: _M = model._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    values = instance_state(instance).dict
    for column in model.__table__.c:  # type: ignore[attr-defined]
        values[column.key] = row[f"{prefix}{column.name}"]
    make_transient_to_detached(instance)
    return instance


def _signed_in(
    session: Session, token: str
) -> tuple[UserSession, User, list[CohortRole], dict[int, Cohort]] | None:
    """The live session of `token`, its user (active), their cohort roles (newest
    cohort first) and those cohorts; None when unknown or expired. One query."""
    rows = (
        session.connection()
        .execute(_VIEWER_QUERY, {"token_hash": accounts.hash_token(token)})
        .mappings()
        .all()
    )
    if not rows:
        return None
    first = rows[0]
    if as_utc(first["s_expires_at"]) <= utcnow() or not first["u_is_active"]:
        return None
    roles = [
        CohortRole(
            cohort_id=r["m_cohort_id"],
            cohort_name=r["c_name"],
            academy_name=r["a_name"],
            timezone=r["a_timezone"] or "UTC",
            role=r["m_role"],
            membership_id=r["m_id"],
            circle_id=r["m_circle_id"],
        )
        for r in rows
        if r["m_id"] is not None
    ]
    cohorts = {r["m_cohort_id"]: r for r in rows if r["m_id"] is not None}
    return (
        snapshot(UserSession, first, "s_"),
        snapshot(User, first, "u_"),
        roles,
        {cohort_id: snapshot(Cohort, r, "c_") for cohort_id, r in cohorts.items()},
    )


async def get_viewer(request: Request, session: DbSession) -> Viewer:
    cached: Viewer | None = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    return await run_db(request, load_viewer, request, session)


AnyViewer = Annotated[Viewer, Depends(get_viewer)]


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
