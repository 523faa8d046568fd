"""The database session of a request, and where its reads run: in the thread pool, or
inline on the event loop for the few hot pages marked with `inline_reads`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.engine import Connection
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from iil_lms.settings import Settings
from iil_lms.web.gate import SAFE_METHODS, enter_for_request

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def inline_reads(endpoint: _F) -> _F:
    """Mark an `async def` GET route whose database work (and that of its
    dependencies) is a few short reads: on SQLite each `run_db` call then runs on the
    event loop, on the loop's own connection, without a thread-pool hop (a hop costs
    more than such a read, and a page has several dependencies; bench/README.md)."""
    endpoint.inline_reads = True  # type: ignore[attr-defined]
    return endpoint


def runs_inline(request: Request) -> bool:
    """Whether this request's database work runs on the event loop: a safe method, to
    a route marked with inline_reads, on SQLite (which answers reads from the local
    file in WAL mode without waiting for a writer). Everything else (writes, which may
    wait for SQLite's write lock; any query to a database server) runs in the thread
    pool, as plain FastAPI does."""
    if request.method not in SAFE_METHODS:
        return False
    if not getattr(request.scope.get("endpoint"), "inline_reads", False):
        return False
    engine = request.app.state.engine
    return bool(engine.dialect.name == "sqlite")


def _loop_connection(request: Request) -> Connection:
    """The event loop's own connection for inline reads, outside the pool: the loop
    must never wait for a pooled connection (the requests holding them need the loop
    to give them back)."""
    state = request.app.state
    connection: Connection | None = getattr(state, "loop_connection", None)
    if connection is None or connection.closed or connection.invalidated:
        connection = state.engine.connect()
        state.loop_connection = connection
    elif connection.in_transaction():  # left open by a read that failed to finish
        connection.rollback()
    return connection


def _read_inline(request: Request, function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Run `function` with the request's session bound to the loop's connection, and
    end the read transaction before returning. Inline requests share that one
    connection; the rule that makes sharing safe (nobody holds it across an await) is
    kept by this function's shape: it is synchronous, so nothing in it can await, and
    the session is bound only while it runs. Outside it, an inline request's session
    has no connection at all: using it raises at once instead of holding the shared
    connection while other requests run."""
    session: Session = request.state.db_session
    session.bind = _loop_connection(request)
    try:
        result = function(*args, **kwargs)
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("an inline read changed rows; a GET never writes")
        session.commit()  # only ends the read transaction; loaded objects stay loaded
        return result
    except BaseException:
        session.rollback()
        raise
    finally:
        session.bind = None


async def run_db(request: Request, function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Call `function` (a plain function doing the request's database work) inline for
    an inline read (see runs_inline, _read_inline), else in the thread pool."""
    if runs_inline(request):
        return _read_inline(request, function, *args, **kwargs)
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
    """One session per request: rolled back when the request raised, otherwise
    committed before the response leaves. An inline read's session is bound to a
    connection only inside run_db (see _read_inline). A writing request on SQLite
    holds the one-writer gate (web/gate.py) from here to its commit."""
    gate = await enter_for_request(request)
    try:
        if runs_inline(request):
            session = Session(expire_on_commit=False)
            request.state.db_session = session
            try:
                yield session
            finally:
                session.close()
            return
        session = Session(request.app.state.engine, expire_on_commit=False)
        try:
            yield session
        except BaseException:
            await run_in_threadpool(_finish, session, True)
            raise
        await run_in_threadpool(_finish, session, False)
    finally:
        if gate is not None:
            gate.release()


DbSession = Annotated[Session, Depends(request_session, scope="function")]
