"""The JSON API under /api/v1, for integrations. Only bearer tokens sign in here (never
the session cookie), so a page on another site cannot make a browser call it, and no
CSRF token is needed. A token acts as its person with their roles: every route uses the
same permission dependencies (cohort_role) as the pages it mirrors, and the same
service functions for what it reads and writes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from iil_lms import i18n
from iil_lms.accounts.models import User
from iil_lms.api import schemas, tokens
from iil_lms.cohorts import roster
from iil_lms.cohorts.models import Academy, Cohort, Membership, Role
from iil_lms.db import utcnow
from iil_lms.i18n import gettext as _
from iil_lms.i18n import local_today
from iil_lms.learning import progress
from iil_lms.reports import surveys
from iil_lms.web import gate
from iil_lms.web.auth import (
    CohortAccess,
    CohortRole,
    DbSession,
    Viewer,
    cohort_role,
    run_db,
    settings_of,
)
from iil_lms.web.params import PathId

API_PREFIX = "/api/v1"
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="A personal API token, made on your account page (/account).",
)
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": schemas.Error, "description": "No token, or an unknown or revoked one"},
    403: {"model": schemas.Error, "description": "Your roles in the cohort do not allow this"},
    404: {"model": schemas.Error, "description": "No such cohort (or not one of yours)"},
}


class ApiToken:
    """What the request's token may do (kept on request.state)."""

    def __init__(self, token_id: int, scope: str) -> None:
        self.token_id = token_id
        self.scope = scope


def _roles_of(session: Session, user: User) -> tuple[list[CohortRole], dict[int, Cohort]]:
    """The person's cohort roles (newest cohort first) and those cohorts, in one query."""
    rows = session.exec(
        select(Membership, Cohort, Academy)
        .join(Cohort, col(Cohort.id) == Membership.cohort_id)
        .join(Academy, col(Academy.id) == Cohort.academy_id)
        .where(Membership.user_id == user.id)
        .order_by(col(Cohort.starts_on).desc(), col(Membership.id))
    ).all()
    roles = [
        CohortRole(
            cohort_id=cohort.id or 0,
            cohort_name=cohort.name,
            academy_name=academy.name,
            timezone=academy.timezone or "UTC",
            role=membership.role,
            membership_id=membership.id or 0,
            circle_id=membership.circle_id,
        )
        for membership, cohort, academy in rows
    ]
    return roles, {cohort.id or 0: cohort for _m, cohort, _a in rows}


def _token_viewer(request: Request, session: Session, token: str) -> Viewer | None:
    found = tokens.authenticate(session, token)
    if found is None:
        return None
    roles, cohorts = _roles_of(session, found.user)
    archived = {i for i, c in cohorts.items() if c.archived_at is not None}
    viewer = Viewer(
        user=found.user,
        roles=[r for r in roles if r.cohort_id not in archived],
        archived_roles=[r for r in roles if r.cohort_id in archived],
        cohort_snapshots=cohorts,
    )
    viewer.language = i18n.negotiate_language(
        user_language=found.user.language,
        chosen_language=None,
        cohort_language=None,
        accept_language=request.headers.get("accept-language"),
        default=settings_of(request).default_language,
    )
    viewer.use_locale()
    request.state.api_token = ApiToken(found.token_id, found.scope)
    if tokens.due_for_touch(found.last_used_at, utcnow()):
        request.state.api_token_touch = True
    return viewer


async def require_token(
    request: Request,
    session: DbSession,
    background: BackgroundTasks,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Viewer:
    """The person of the request's bearer token, as the viewer every permission
    dependency reads (request.state.viewer); 401 without a working token. Runs before
    the route's other dependencies (it is the router's own)."""
    viewer = None
    if credentials is not None:
        viewer = await run_db(request, _token_viewer, request, session, credentials.credentials)
    if viewer is None:
        raise HTTPException(
            status_code=401,
            detail=_("Send a working API token: Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.viewer = viewer
    if getattr(request.state, "api_token_touch", False):
        token_id = request.state.api_token.token_id
        if request.method in gate.SAFE_METHODS:
            # A read writes nothing in its own transaction: noted after the response.
            background.add_task(gate.write_later, request.app, tokens.touch, token_id=token_id)
        else:
            await run_db(request, tokens.touch, session, token_id)
    return viewer


require_token.permission = "token"  # type: ignore[attr-defined]


def require_write(request: Request) -> None:
    token: ApiToken | None = getattr(request.state, "api_token", None)
    if token is None or token.scope != tokens.WRITE:
        raise HTTPException(
            status_code=403,
            detail=_("This token may only read. Make a token that may also write."),
        )


router = APIRouter(
    prefix=API_PREFIX,
    tags=["cohorts"],
    dependencies=[Depends(require_token)],
    responses=ERRORS,
)

MemberAccess = Annotated[
    CohortAccess,
    Depends(cohort_role(Role.TRAINEE, Role.MENTOR, Role.TRAINER, Role.ORGANISER)),
]
# The same rules as the roster, progress and feedback pages.
TrainerAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER))]
StaffAccess = Annotated[CohortAccess, Depends(cohort_role(Role.TRAINER, Role.ORGANISER))]
GroupFilter = Annotated[
    str | None,
    Query(
        max_length=60,
        pattern=surveys.GROUP_PATTERN,
        description="Results of one group only, e.g. circle:3 or gender:female.",
    ),
]


def _cohort_out(cohort: Cohort, academy: str, roles: set[str]) -> schemas.CohortOut:
    return schemas.CohortOut(
        id=cohort.id or 0,
        name=cohort.name,
        slug=cohort.slug,
        academy=academy,
        language=cohort.language,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        archived=cohort.archived_at is not None,
        roles=sorted(roles),
    )


def _visible_cohorts(session: Session, viewer: Viewer) -> list[schemas.CohortOut]:
    assert viewer.user is not None
    query = sa_select(Cohort, col(Academy.name)).join(Academy, col(Academy.id) == Cohort.academy_id)
    if not viewer.user.is_admin:
        query = query.where(col(Cohort.id).in_(list(viewer.cohort_snapshots)))
    query = query.order_by(col(Cohort.starts_on).desc(), col(Cohort.id))
    mine: dict[int, set[str]] = {}
    for role in [*viewer.roles, *viewer.archived_roles]:
        mine.setdefault(role.cohort_id, set()).add(role.role)
    return [
        _cohort_out(cohort, academy, mine.get(cohort.id or 0, set()))
        for cohort, academy in session.execute(query).all()
    ]


@router.get("/cohorts", response_model=list[schemas.CohortOut])
def list_cohorts(request: Request, session: DbSession) -> list[schemas.CohortOut]:
    """The cohorts you hold a role in (every cohort for a site admin), newest first."""
    return _visible_cohorts(session, request.state.viewer)


@router.get("/cohorts/{cohort_id}", response_model=schemas.CohortOut)
def one_cohort(access: MemberAccess, session: DbSession) -> schemas.CohortOut:
    """One cohort you hold a role in."""
    academy = session.get(Academy, access.cohort.academy_id)
    roles = access.viewer.roles_in(access.cohort.id or 0) or {
        r.role for r in access.viewer.archived_roles if r.cohort_id == access.cohort.id
    }
    return _cohort_out(access.cohort, academy.name if academy else "", roles)


@router.get("/cohorts/{cohort_id}/roster", response_model=schemas.Roster, tags=["roster"])
def read_roster(access: TrainerAccess, session: DbSession) -> schemas.Roster:
    """The cohort's trainees, as on the roster page (trainers)."""
    people = roster.people(session, access.cohort.id or 0)
    return schemas.Roster(
        cohort_id=access.cohort.id or 0,
        trainees=[schemas.Person(**person.__dict__) for person in people],
    )


def _problems(preview: roster.Preview) -> list[dict[str, Any]]:
    """The import's problems in the shape of FastAPI's 422 errors: which row (from 1),
    which field, why (the page's words, in the token owner's language)."""
    found = []
    for problem in preview.problems:
        message = _(problem.reason, **problem.params)
        found.append(
            {
                "loc": ["body", "rows", problem.row - 1, problem.field],
                "msg": message,
                "type": "roster_row",
                "row": problem.row,
                "field": problem.field,
            }
        )
    return found


class RosterRefused(HTTPException):
    """Answered as FastAPI answers invalid input (422, a list of problems); the session
    rolls back, though nothing was written."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(status_code=422, detail=problems)


@router.post(
    "/cohorts/{cohort_id}/roster",
    response_model=schemas.RosterImported,
    tags=["roster"],
    dependencies=[Depends(require_write)],
    responses={
        403: {"model": schemas.Error, "description": "A read-only token, or not a trainer"},
        409: {"model": schemas.Error, "description": "The cohort is archived"},
        422: {
            "model": schemas.Invalid,
            "description": "Rows with problems (which row, which field, why); nothing is imported",
        },
    },
)
def import_roster(
    request: Request, access: TrainerAccess, session: DbSession, body: schemas.RosterImport
) -> schemas.RosterImported:
    """Add trainees as the roster page's import does, with the same checks: all rows or
    none. New accounts get an invitation link by email."""
    rows: list[dict[str, str | int]] = [
        {"row": number, **{key: str(value).strip() for key, value in row.model_dump().items()}}
        for number, row in enumerate(body.rows, start=1)
    ]
    preview, result = roster.import_rows(
        session, settings_of(request), access.cohort, rows, access.user.id
    )
    if result is None:
        problems = _problems(preview) or [
            {
                "loc": ["body", "rows"],
                "msg": _("There are no rows to import."),
                "type": "roster_empty",
            }
        ]
        raise RosterRefused(problems)
    return schemas.RosterImported(**result.__dict__)


@router.get("/cohorts/{cohort_id}/progress", response_model=schemas.Progress, tags=["progress"])
def cohort_progress(
    access: StaffAccess, session: DbSession, include_withdrawn: bool = False
) -> schemas.Progress:
    """Each trainee's standing on each milestone of their plan, as the progress page
    shows it (trainers and organisers), by name."""
    report = progress.cohort_progress(
        session,
        access.cohort.id or 0,
        today=local_today(),
        language=access.viewer.language,
        show_withdrawn=include_withdrawn,
    )
    columns = report.milestones
    return schemas.Progress(
        cohort_id=report.cohort_id,
        has_plan=report.has_plan,
        trainee_count=report.trainee_count,
        milestones=[schemas.MilestoneSummary(**column.__dict__) for column in columns],
        trainees=[
            schemas.TraineeProgress(
                user_id=row.user_id,
                name=row.name,
                email=row.email,
                circle=row.circle_name,
                mentor=row.mentor_name,
                withdrawn=row.withdrawn,
                at_risk=row.at_risk,
                days_behind=row.days_behind,
                idle_days=row.idle_days,
                done=row.done,
                total=row.total,
                milestones=[
                    schemas.MilestoneProgress(
                        milestone_id=column.milestone_id,
                        status=cell.status,
                        done=cell.done,
                        total=cell.total,
                    )
                    for column, cell in zip(columns, row.cells, strict=False)
                ],
            )
            for row in report.rows
        ],
    )


def _survey_out(info: surveys.SurveyInfo) -> schemas.SurveyOut:
    return schemas.SurveyOut(
        exercise_id=info.exercise_id,
        title=info.title,
        milestone_position=info.milestone_position,
        milestone_title=info.milestone_title,
        convening=info.convening_title,
        respondents=info.respondents,
        shown=info.shown,
    )


@router.get(
    "/cohorts/{cohort_id}/surveys", response_model=list[schemas.SurveyOut], tags=["surveys"]
)
def list_surveys(access: StaffAccess, session: DbSession) -> list[schemas.SurveyOut]:
    """The cohort's feedback surveys with how many answered (trainers and organisers)."""
    return [_survey_out(info) for info in surveys.cohort_surveys(session, access.cohort)]


@router.get(
    "/cohorts/{cohort_id}/surveys/{exercise_id}/results",
    response_model=schemas.SurveyResultsOut,
    tags=["surveys"],
)
def survey_results(
    access: StaffAccess,
    session: DbSession,
    exercise_id: PathId,
    group: GroupFilter = None,
) -> schemas.SurveyResultsOut:
    """One survey's results as its page shows them: no figures and no comments when
    fewer than 5 answered (in the group, or in another group of its kind)."""
    try:
        results = surveys.survey_results(session, access.cohort, exercise_id, group)
    except surveys.SurveyNotFound as missing:
        raise HTTPException(
            status_code=404, detail=_("No such survey in this cohort.")
        ) from missing
    return schemas.SurveyResultsOut(
        survey=_survey_out(results.survey),
        group=results.group.key if results.group else None,
        hidden=results.hidden or None,
        respondents=results.respondents,
        statements=[
            schemas.StatementOut(
                text=s.text, counts=s.counts, answered=s.answered, average=s.average
            )
            for s in results.statements
        ],
        comments=[
            schemas.QuestionComments(
                question=question,
                comments=None
                if comments is None
                else [schemas.CommentOut(text=text, count=count) for text, count in comments],
            )
            for question, comments in results.comments
        ],
        overall_trend=[
            schemas.TrendOut(
                exercise_id=p.survey.exercise_id,
                title=p.survey.title,
                average=p.average,
                current=p.current,
            )
            for p in results.overall_trend
        ],
        replies=[
            schemas.ReplyOut(body=r.body, created_at=r.created_at.isoformat())
            for r in results.replies
        ],
    )


def api_error_detail(status_code: int, detail: Any) -> Any:
    """A clear message for the API's errors raised without one (the permission
    dependencies raise bare 403s and 404s, as the pages show their own error pages)."""
    if detail == "archived":
        return _("The cohort is archived: it is read-only.")
    if detail == "csrf":
        return _("This request needs a CSRF token.")
    plain = {
        403: _("Your roles do not allow this."),
        404: _("Not found (or not one of your cohorts)."),
    }
    if status_code in plain and (not detail or detail in ("Forbidden", "Not Found")):
        return plain[status_code]
    return detail
