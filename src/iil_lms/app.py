"""The application factory."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

import iil_lms.all_models  # noqa: F401 - every table known before any query
from iil_lms import __version__, i18n
from iil_lms.accounts.routes import router as accounts_router
from iil_lms.api.account_routes import router as api_tokens_router
from iil_lms.api.routes import api_error_detail
from iil_lms.api.routes import router as api_router
from iil_lms.audit.routes import router as audit_router
from iil_lms.certificates.routes import api_router as certificates_api_router
from iil_lms.certificates.routes import router as certificates_router
from iil_lms.cohorts.admin_routes import router as cohorts_admin_router
from iil_lms.cohorts.convening_routes import router as convenings_router
from iil_lms.cohorts.roster_routes import router as roster_router
from iil_lms.cohorts.routes import router as cohorts_router
from iil_lms.cohorts.staff_routes import router as cohorts_staff_router
from iil_lms.curriculum.routes import router as curriculum_router
from iil_lms.db import make_engine
from iil_lms.learning.progress_routes import router as learning_progress_router
from iil_lms.learning.routes import router as learning_router
from iil_lms.learning.trainer_routes import router as learning_trainer_router
from iil_lms.mentoring.circle_routes import router as circles_router
from iil_lms.mentoring.routes import router as mentoring_router
from iil_lms.notifications.routes import router as notifications_router
from iil_lms.outreach.routes import router as outreach_router
from iil_lms.reports.at_risk_routes import router as at_risk_router
from iil_lms.reports.gesi_routes import router as gesi_router
from iil_lms.reports.survey_routes import router as survey_router
from iil_lms.reports.trainee_routes import router as trainee_report_router
from iil_lms.settings import Settings, get_settings
from iil_lms.summit.judge_routes import router as summit_judge_router
from iil_lms.summit.output_routes import router as summit_output_router
from iil_lms.summit.pitch_routes import router as summit_pitch_router
from iil_lms.summit.routes import router as summit_router
from iil_lms.web import gate
from iil_lms.web.auth import LANG_COOKIE, LoginRequired, Viewer
from iil_lms.web.csrf import csrf_protect
from iil_lms.web.head import HeadAsGet
from iil_lms.web.home import router as home_router
from iil_lms.web.middleware import SECURITY_HEADERS, RequestContextMiddleware
from iil_lms.web.outbox import background_sender
from iil_lms.web.params import invalid_fields
from iil_lms.web.templating import build_environment, render

log = logging.getLogger("iil_lms")
# What nginx logs for a request the client closed before the answer.
CLIENT_CLOSED_REQUEST = 499

# Routes are matched in this order, one by one: the trainee's pages (the busiest, and
# sharing no path with another router) come first.
ROUTERS = [
    learning_router,
    home_router,
    accounts_router,
    cohorts_router,
    curriculum_router,
    mentoring_router,
    circles_router,
    notifications_router,
    outreach_router,
    learning_trainer_router,
    learning_progress_router,
    survey_router,
    cohorts_admin_router,
    cohorts_staff_router,
    roster_router,
    convenings_router,
    summit_router,
    summit_output_router,
    summit_pitch_router,
    summit_judge_router,
    certificates_router,
    certificates_api_router,
    audit_router,
    gesi_router,
    trainee_report_router,
    at_risk_router,
    api_tokens_router,
    api_router,
]


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="iil-lms",
        version=__version__,
        dependencies=[Depends(csrf_protect)],
        # No Swagger UI page: it loads its scripts from a CDN, which the CSP (and an
        # offline install) rules out; /openapi.json describes the JSON routes.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=background_sender,
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.templates = build_environment(settings)
    app.add_middleware(HeadAsGet)
    gate.install(app)
    app.add_middleware(RequestContextMiddleware)
    # Outermost: pages, CSS and JS go compressed to browsers that ask (a 149 KB progress
    # page is 6 KB gzipped; trainees are often on slow links). nginx can do it instead.
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _install_error_pages(app)

    @app.get("/healthz", include_in_schema=True, tags=["operations"])
    def healthz() -> Response:
        try:
            with app.state.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
            log.error("health check failed: %s", error)
            return JSONResponse(
                {"status": "error", "database": f"unavailable: {type(error).__name__}"},
                status_code=503,
            )
        return JSONResponse({"status": "ok", "database": "ok"})

    return app


def _negotiate_for_error(request: Request) -> None:
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    if viewer is not None:
        viewer.use_locale()
        return
    i18n.set_language(
        i18n.negotiate_language(
            user_language=None,
            chosen_language=request.cookies.get(LANG_COOKIE),
            cohort_language=None,
            accept_language=request.headers.get("accept-language"),
        )
    )


async def client_gone(request: Request, _exc: ClientDisconnect) -> Response:
    """A phone that lost its signal while sending a form: nobody is left to answer and
    nothing failed here, so one line rather than an error with a traceback."""
    log.info(
        "client disconnected",
        extra={
            "fields": {
                "event": "client disconnected",
                "method": request.method,
                "path": request.url.path,
            }
        },
    )
    return Response(status_code=CLIENT_CLOSED_REQUEST)


def _plain_errors(errors: Any) -> list[dict[str, Any]]:
    """Validation errors as JSON can carry them: where, why and what kind; the input
    only when it is plain text or a number (a body that is not JSON arrives as bytes)."""
    plain = []
    for error in errors:
        item = {key: error[key] for key in ("loc", "msg", "type") if key in error}
        value = error.get("input")
        if isinstance(value, str | int | float | bool) and len(str(value)) <= 200:
            item["input"] = value
        plain.append(item)
    return plain


def _install_error_pages(app: FastAPI) -> None:
    app.add_exception_handler(ClientDisconnect, client_gone)  # type: ignore[arg-type]

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        if request.headers.get("hx-request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if isinstance(exc.__cause__, ClientDisconnect):
            # FastAPI reads declared form fields itself and turns the disconnect into a 400.
            return await client_gone(request, exc.__cause__)
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": api_error_detail(exc.status_code, exc.detail)},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        _negotiate_for_error(request)
        template = {403: "errors/403.html", 404: "errors/404.html"}.get(
            exc.status_code, "errors/error.html"
        )
        return render(
            request,
            template,
            {
                "status_code": exc.status_code,
                "csrf_refused": exc.detail == "csrf",
                "archived": exc.detail == "archived",
            },
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": _plain_errors(exc.errors())}, status_code=422)
        _negotiate_for_error(request)
        context = {"status_code": 400, "problems": invalid_fields(exc.errors())}
        return render(request, "errors/error.html", context, status_code=400)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        request_id = getattr(request.state, "request_id", "-")
        log.exception(
            "unhandled error request_id=%s path=%s",
            request_id,
            request.url.path,
            extra={"request_id": request_id},
        )
        _negotiate_for_error(request)
        response = render(request, "errors/500.html", {"request_id": request_id}, status_code=500)
        # Starlette answers unhandled errors outside the middleware stack, so the
        # security headers the middleware adds everywhere else are set here.
        for name, value in SECURITY_HEADERS:
            response.headers[name.decode()] = value.decode()
        return response
