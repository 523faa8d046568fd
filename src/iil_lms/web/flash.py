"""One-time messages shown on the next page, kept in a signed cookie."""

from __future__ import annotations

from fastapi import Request, Response

from iil_lms.web.security import dump_signed, load_signed

FLASH_COOKIE = "iil_flash"


def flash(request: Request, response: Response, message: str, kind: str = "success") -> None:
    """Queue a message; `kind` is success, info or error."""
    pending = list(getattr(request.state, "pending_flashes", []))
    pending.append({"kind": kind, "message": message})
    request.state.pending_flashes = pending
    response.set_cookie(
        FLASH_COOKIE,
        dump_signed(request.app.state.settings.secret_key, pending),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def pop_flashes(request: Request) -> list[dict[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    request.state.flash_consumed = True
    messages = load_signed(request.app.state.settings.secret_key, raw)
    if not isinstance(messages, list):
        return []
    return [m for m in messages if isinstance(m, dict) and {"kind", "message"} <= m.keys()]
