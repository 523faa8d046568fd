"""The request layer's names in one import, for the routes: the request's database
session (web/sessions.py), the viewer (web/viewer.py) and the permission dependencies
(web/permissions.py)."""

from iil_lms.web.permissions import (
    Admin,
    CohortAccess,
    LoginRequired,
    SignedIn,
    cohort_role,
    require_admin,
    require_user,
)
from iil_lms.web.sessions import DbSession, inline_reads, request_session, run_db, settings_of
from iil_lms.web.viewer import (
    ANON_COOKIE,
    LANG_COOKIE,
    SESSION_COOKIE,
    AnyViewer,
    CohortRole,
    Viewer,
    get_viewer,
    load_viewer,
)

__all__ = [
    "ANON_COOKIE",
    "LANG_COOKIE",
    "SESSION_COOKIE",
    "Admin",
    "AnyViewer",
    "CohortAccess",
    "CohortRole",
    "DbSession",
    "LoginRequired",
    "SignedIn",
    "Viewer",
    "cohort_role",
    "get_viewer",
    "inline_reads",
    "load_viewer",
    "request_session",
    "require_admin",
    "require_user",
    "run_db",
    "settings_of",
]
