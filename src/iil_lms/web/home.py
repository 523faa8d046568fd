"""The front door: where `/` sends each person, language and cohort switching."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from iil_lms.settings import LANGUAGES
from iil_lms.web.auth import LANG_COOKIE, AnyViewer, DbSession, SignedIn, Viewer
from iil_lms.web.params import FormId
from iil_lms.web.responses import redirect, safe_local_path

router = APIRouter(include_in_schema=False)

# Where each role starts, most specific first; later capabilities register their pages.
ROLE_HOME = {
    "trainee": "/journey",
    "mentor": "/mentees",
    "trainer": "/cohorts/{cohort_id}",
    "organiser": "/summits",
}


def home_url(viewer: Viewer) -> str:
    cohort_id = viewer.active_cohort_id
    roles = viewer.active_roles
    for role in ("trainer", "organiser", "mentor", "trainee"):
        if role in roles:
            return ROLE_HOME[role].format(cohort_id=cohort_id)
    if viewer.user is not None and viewer.user.is_admin:
        return "/admin"
    return "/account"


@router.get("/")
def index(viewer: AnyViewer) -> Response:
    if viewer.user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(home_url(viewer), status_code=303)


@router.post("/language")
def choose_language(request: Request, language: Annotated[str, Form()]) -> Response:
    """The login page's language switcher, for people not signed in."""
    if language not in LANGUAGES:
        raise HTTPException(status_code=400)
    referer = urlsplit(request.headers.get("referer") or "")
    back = referer.path if referer.netloc == request.url.netloc else "/login"
    response = redirect(request, safe_local_path(back, "/login"))
    response.set_cookie(LANG_COOKIE, language, max_age=60 * 60 * 24 * 365, samesite="lax")
    return response


@router.post("/cohorts/switch")
def switch_cohort(
    request: Request, viewer: SignedIn, session: DbSession, cohort_id: FormId
) -> Response:
    if cohort_id not in {r.cohort_id for r in viewer.roles}:
        raise HTTPException(status_code=404)
    assert viewer.user_session is not None
    viewer.user_session.active_cohort_id = cohort_id
    session.add(viewer.user_session)
    return redirect(request, home_url(viewer))
