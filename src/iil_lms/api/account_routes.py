"""The account page's API token forms: make a token (shown once, on the page that
answers the form, never in a URL or a cookie) and revoke one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from iil_lms.accounts.routes import _account_page
from iil_lms.api import tokens
from iil_lms.i18n import gettext as _
from iil_lms.web.auth import DbSession, SignedIn
from iil_lms.web.params import PathId
from iil_lms.web.responses import redirect

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "private, no-store"}


@router.post("/account/api-tokens")
def create_token(
    request: Request,
    viewer: SignedIn,
    session: DbSession,
    token_name: Annotated[str, Form(max_length=1000)] = "",
    scope: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    assert viewer.user is not None
    form = {"name": token_name, "scope": scope or tokens.READ}
    try:
        row, token = tokens.create(session, viewer.user, token_name, scope)
    except tokens.TokenInvalid as invalid:
        errors = {
            field: _(message, count=tokens.NAME_LIMIT) if "%(count)s" in message else _(message)
            for field, message in invalid.errors.items()
        }
        return _account_page(request, viewer, session, 400, token_form=form, token_errors=errors)
    response = _account_page(request, viewer, session, new_token=token, new_token_row=row)
    response.headers.update(NO_STORE)
    return response


@router.post("/account/api-tokens/{token_id}/revoke")
def revoke_token(
    request: Request, viewer: SignedIn, session: DbSession, token_id: PathId
) -> Response:
    assert viewer.user is not None
    if not tokens.revoke(session, viewer.user, token_id):
        # Not one of the person's working tokens: whose it is stays unsaid.
        raise HTTPException(status_code=404)
    return redirect(request, "/account#api-tokens", _("The token is revoked: it no longer works."))
