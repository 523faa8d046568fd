"""Authorization expectations for the foundation's routes outside a cohort: home,
language, cohort switch, login/logout, invitations, password reset, account, healthz.

Roles: anonymous, trainee_a (trainee in cohort A), trainee_b (trainee in cohort B only),
mentor_other (mentor in cohort A with no mentees), mentor_a (mentor of trainee_a),
trainer (cohort A), organiser (cohort A), admin (site admin). Outcomes: "allow" (anything
but 401/403/404/login redirect), "login" (303 to /login), 401, 403, 404.

The matrix sends forms that are empty but for the CSRF token, so the form routes answer
with their validation error (400), which counts as "allow": the person got past the
permission check. Login and logout are for everyone; an empty login is a failed login
(401) and logging out sends everyone to the login page ("login").
"""

from __future__ import annotations

from typing import Any

from tests.security.world import ROLES

PUBLIC = {role: "allow" for role in ROLES}
SIGNED_IN = PUBLIC | {"anonymous": "login"}
EVERYONE_401 = {role: 401 for role in ROLES}
EVERYONE_TO_LOGIN = {role: "login" for role in ROLES}

EXPECTATIONS: dict[tuple[str, str], dict[str, Any]] = {
    # home sends each person to their role's start page; anonymous to /login
    ("GET", "/"): SIGNED_IN,
    ("POST", "/language"): PUBLIC,
    ("POST", "/cohorts/switch"): SIGNED_IN,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): EVERYONE_401,
    ("POST", "/logout"): EVERYONE_TO_LOGIN,
    # a link from an email: whoever holds the token may open it
    ("GET", "/invite/{token}"): PUBLIC,
    ("POST", "/invite/{token}"): PUBLIC,
    ("GET", "/password/forgot"): PUBLIC,
    ("POST", "/password/forgot"): PUBLIC,
    ("GET", "/password/reset/{token}"): PUBLIC,
    ("POST", "/password/reset/{token}"): PUBLIC,
    ("GET", "/login/unlock/{token}"): PUBLIC,
    # the link works once: the first to post it (anonymous) is sent to sign in with
    # their password; everyone after is told it was used (410)
    ("POST", "/login/unlock/{token}"): PUBLIC | {"anonymous": "login"},
    ("GET", "/account"): SIGNED_IN,
    ("POST", "/account/language"): SIGNED_IN,
    ("POST", "/account/profile"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("GET", "/healthz"): PUBLIC,
}


def path_params(world: Any) -> dict[str, object]:
    """An invitation token for a new person (every route but the reset ones) and raised
    login throttles: eight empty logins from one test address must each be a plain
    failed login, not a throttled one (throttling is proved in tests/accounts)."""
    from iil_lms.accounts import service

    world.settings.login_max_failures_per_account = 1000
    world.settings.login_max_failures_per_address = 1000
    invited = world.factory.user(name="Invited Person", email="invited@example.test")
    token = service.issue_token(world.session, world.settings, invited, "invite")
    world.session.commit()
    return {"token": token}


def path_params_for(world: Any, method: str, path: str) -> dict[str, object]:
    """The reset and unlock routes need a token of their own instead of an invitation
    one."""
    params = path_params(world)
    purpose = {"/password/reset/": "reset", "/login/unlock/": "unlock"}
    for prefix, kind in purpose.items():
        if path.startswith(prefix):
            from iil_lms.accounts import service

            user = world.users["trainee_a"]
            params["token"] = service.issue_token(world.session, world.settings, user, kind)
            world.session.commit()
    return params
