"""Login, logout, invitations, password reset and the account page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from iil_lms.accounts import service, throttle
from iil_lms.accounts.models import User
from iil_lms.api import tokens as api_tokens
from iil_lms.cohorts import service as cohorts
from iil_lms.i18n import gettext as _
from iil_lms.i18n import ngettext, set_language
from iil_lms.notifications import account_mail
from iil_lms.settings import LANGUAGES
from iil_lms.web.auth import (
    SESSION_COOKIE,
    AnyViewer,
    DbSession,
    SignedIn,
    inline_reads,
    run_db,
    settings_of,
)
from iil_lms.web.home import home_url
from iil_lms.web.responses import redirect, safe_local_path
from iil_lms.web.templating import render

router = APIRouter(include_in_schema=False)


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_page(request: Request, viewer: AnyViewer, next: str = "") -> Response:
    if viewer.user is not None:
        return redirect(request, safe_local_path(next, home_url(viewer)))
    return render(request, "accounts/login.html", {"next": next, "email": ""})


@router.post("/login")
def login(
    request: Request,
    viewer: AnyViewer,
    session: DbSession,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    settings = settings_of(request)
    result = service.authenticate(
        session,
        settings,
        email=email,
        password=password,
        address=_client_address(request),
        device=request.cookies.get(throttle.DEVICE_COOKIE),
    )
    if result.owner is not None and result.unlock_token is not None:
        account_mail.send_unlock_link(session, settings, result.owner, result.unlock_token)
    if result.user is None:
        return _failed_login(request, result, email, next)
    if viewer.session_token:
        service.end_session(session, viewer.session_token)
    token = service.start_session(session, settings, result.user)
    set_language(result.user.language or viewer.language)
    response = redirect(request, safe_local_path(next, "/"))
    _signed_in(request, response, token, result.user)
    return response


def _failed_login(request: Request, result: service.LoginResult, email: str, next: str) -> Response:
    """The login page again, saying why; the same for an account that does not exist."""
    if not result.throttled:
        error = _("That email and password do not match an account.")
        return render(
            request,
            "accounts/login.html",
            {"next": next, "email": email, "error": error},
            status_code=401,
        )
    error = ngettext(
        "Too many failed attempts. Try again in %(num)s second.",
        "Too many failed attempts. Try again in %(num)s seconds.",
        result.retry_after,
    )
    response = render(
        request,
        "accounts/login.html",
        {"next": next, "email": email, "error": error, "unlock_hint": result.scope == "account"},
        status_code=429,
    )
    response.headers["Retry-After"] = str(result.retry_after)
    return response


def _signed_in(request: Request, response: Response, token: str, user: User) -> None:
    """The session cookie of a new sign-in, and this browser remembered as `user`'s."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings_of(request).session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    _remember_device(request, response, user)


def _remember_device(request: Request, response: Response, user: User) -> None:
    """Mark this browser as one `user` signs in from (see accounts/throttle.py)."""
    settings = settings_of(request)
    response.set_cookie(
        throttle.DEVICE_COOKIE,
        throttle.device_cookie_with(settings, request.cookies.get(throttle.DEVICE_COOKIE), user),
        max_age=settings.login_known_device_days * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


@router.get("/login/unlock/{token}")
def unlock_page(request: Request, token: str, session: DbSession, _viewer: AnyViewer) -> Response:
    try:
        _auth_token, user = service.find_token(session, token, "unlock")
    except service.TokenProblem as problem:
        return _token_problem(request, problem, "unlock")
    return render(request, "accounts/unlock.html", {"token": token, "user": user})


@router.post("/login/unlock/{token}")
def unlock(request: Request, token: str, session: DbSession, _viewer: AnyViewer) -> Response:
    """Let this device sign in to the account without waiting; the password is still
    needed."""
    try:
        user = service.unlock_device(session, token)
    except service.TokenProblem as problem:
        return _token_problem(request, problem, "unlock")
    response = redirect(
        request,
        "/login",
        _("This device may now sign in to your account without waiting. Enter your password."),
    )
    _remember_device(request, response, user)
    return response


def _token_problem(request: Request, problem: service.TokenProblem, purpose: str) -> Response:
    return render(
        request,
        "accounts/token_problem.html",
        {"reason": problem.reason, "purpose": purpose},
        status_code=410 if problem.reason != "unknown" else 404,
    )


@router.post("/logout")
def logout(request: Request, viewer: AnyViewer, session: DbSession) -> Response:
    if viewer.session_token:
        service.end_session(session, viewer.session_token)
    response = redirect(request, "/login", _("You are signed out."), "info")
    response.delete_cookie(SESSION_COOKIE)
    return response


def _token_page(request: Request, token: str, purpose: str, session: DbSession) -> Response:
    try:
        _auth_token, user = service.find_token(session, token, purpose)
    except service.TokenProblem as problem:
        return render(
            request,
            "accounts/token_problem.html",
            {"reason": problem.reason, "purpose": purpose},
            status_code=410 if problem.reason != "unknown" else 404,
        )
    return render(
        request,
        "accounts/set_password.html",
        {"purpose": purpose, "token": token, "user": user},
    )


def _redeem(
    request: Request, session: DbSession, token: str, purpose: str, password: str, confirm: str
) -> Response:
    settings = settings_of(request)
    try:
        _auth_token, user = service.find_token(session, token, purpose)
    except service.TokenProblem as problem:
        return render(
            request,
            "accounts/token_problem.html",
            {"reason": problem.reason, "purpose": purpose},
            status_code=410 if problem.reason != "unknown" else 404,
        )
    error = None
    if password != confirm:
        error = _("The two passwords are not the same.")
    else:
        try:
            service.check_password_rules(password)
        except service.AccountError:
            error = _("Use at least %(count)s characters.", count=service.MIN_PASSWORD_LENGTH)
    if error:
        return render(
            request,
            "accounts/set_password.html",
            {"purpose": purpose, "token": token, "user": user, "error": error},
            status_code=400,
        )
    user = service.redeem_token(session, token, purpose, password)
    session_token = service.start_session(session, settings, user)
    response = redirect(request, "/", _("Your password is set. Welcome!"))
    _signed_in(request, response, session_token, user)
    return response


@router.get("/invite/{token}")
def invitation_page(
    request: Request, token: str, session: DbSession, _viewer: AnyViewer
) -> Response:
    return _token_page(request, token, "invite", session)


@router.post("/invite/{token}")
def accept_invitation(
    request: Request,
    token: str,
    session: DbSession,
    _viewer: AnyViewer,
    password: Annotated[str, Form(max_length=1024)] = "",
    confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    return _redeem(request, session, token, "invite", password, confirm)


@router.get("/password/forgot")
def forgot_page(request: Request, _viewer: AnyViewer) -> Response:
    return render(request, "accounts/forgot.html", {})


@router.post("/password/forgot")
def forgot(
    request: Request,
    session: DbSession,
    _viewer: AnyViewer,
    email: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    """Always the same answer, so the page does not reveal who has an account or that
    the limit on reset emails was reached."""
    settings = settings_of(request)
    email = service.normalise_email(email)
    allowed = throttle.reset_email_allowed(
        session, settings, email=email, address=_client_address(request)
    )
    user = service.user_by_email(session, email) if allowed else None
    if user is not None and user.is_active:
        token = service.issue_token(session, settings, user, "reset")
        account_mail.send_reset_link(session, settings, user, token)
    return render(request, "accounts/forgot.html", {"sent": True})


@router.get("/password/reset/{token}")
def reset_page(request: Request, token: str, session: DbSession, _viewer: AnyViewer) -> Response:
    return _token_page(request, token, "reset", session)


@router.post("/password/reset/{token}")
def reset(
    request: Request,
    token: str,
    session: DbSession,
    _viewer: AnyViewer,
    password: Annotated[str, Form(max_length=1024)] = "",
    confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    return _redeem(request, session, token, "reset", password, confirm)


def _account_page(
    request: Request,
    viewer: SignedIn,
    session: DbSession,
    status_code: int = 200,
    **context: object,
) -> Response:
    assert viewer.user is not None
    user = viewer.user
    profile = {
        "display_name": user.display_name,
        "gender": user.gender or "",
        "disability": user.disability or "",
        "service_group": user.service_group or "",
    }
    tokens = context.pop("api_tokens", None)
    if tokens is None:
        tokens = api_tokens.of_user(session, user.id or 0)
    page: dict[str, object] = {
        "languages": LANGUAGES,
        "profile": profile,
        "profile_errors": {},
        "min_password": service.MIN_PASSWORD_LENGTH,
        "api_tokens": tokens,
        "token_scopes": api_tokens.SCOPES,
        "token_form": {"name": "", "scope": api_tokens.READ},
        "token_errors": {},
    }
    page.update(context)
    return render(request, "accounts/account.html", page, status_code=status_code)


@router.get("/account")
@inline_reads
async def account_page(request: Request, viewer: SignedIn, session: DbSession) -> Response:
    assert viewer.user is not None
    tokens = await run_db(request, api_tokens.of_user, session, viewer.user.id or 0)
    return _account_page(request, viewer, session, api_tokens=tokens)


@router.post("/account/profile")
def change_profile(
    request: Request,
    viewer: SignedIn,
    session: DbSession,
    display_name: Annotated[str, Form(max_length=1000)] = "",
    gender: Annotated[str, Form(max_length=1000)] = "",
    disability: Annotated[str, Form(max_length=1000)] = "",
    service_group: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    assert viewer.user is not None
    values = {
        "display_name": display_name,
        "gender": gender,
        "disability": disability,
        "service_group": service_group,
    }
    try:
        cohorts.update_profile(session, viewer.user, **values)
    except service.ProfileProblem as problem:
        errors = {
            name: _("Enter your name.")
            if reason == "required"
            else _("Use at most %(count)s characters.", count=service.PROFILE_LIMITS[name])
            for name, reason in problem.fields.items()
        }
        return _account_page(request, viewer, session, 400, profile=values, profile_errors=errors)
    return redirect(request, "/account", _("Your profile is saved."))


@router.post("/account/password")
def change_password(
    request: Request,
    viewer: SignedIn,
    session: DbSession,
    current: Annotated[str, Form(max_length=1024)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """The current password is needed; a wrong one counts like a failed login. Every
    other session of the person ends; this one stays."""
    assert viewer.user is not None
    result = service.change_password(
        session,
        settings_of(request),
        viewer.user,
        current=current,
        new=password,
        confirm=confirm,
        address=_client_address(request),
        keep_session_token=viewer.session_token,
    )
    if result.problem is None:
        return redirect(
            request,
            "/account",
            _("Your password is changed. You are signed out everywhere else."),
        )
    errors = {
        "current": (
            "current",
            _("That is not your current password."),
            400,
        ),
        "mismatch": ("confirm", _("The two passwords are not the same."), 400),
        "short": (
            "password",
            _("Use at least %(count)s characters.", count=service.MIN_PASSWORD_LENGTH),
            400,
        ),
        "throttled": (
            "current",
            ngettext(
                "Too many failed attempts. Try again in %(num)s second.",
                "Too many failed attempts. Try again in %(num)s seconds.",
                result.retry_after,
            ),
            429,
        ),
    }
    field, message, status = errors[result.problem]
    response = _account_page(request, viewer, session, status, password_errors={field: message})
    if result.problem == "throttled":
        response.headers["Retry-After"] = str(result.retry_after)
    return response


@router.post("/account/language")
def change_language(
    request: Request,
    viewer: SignedIn,
    session: DbSession,
    language: Annotated[str, Form()],
) -> Response:
    assert viewer.user is not None
    try:
        service.set_language(session, viewer.user, language)
    except service.AccountError:
        return redirect(request, "/account", _("Choose one of the listed languages."), "error")
    set_language(language)
    return redirect(request, "/account", _("Language saved."))
