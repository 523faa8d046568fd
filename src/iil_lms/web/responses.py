from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from iil_lms.web.flash import flash
from iil_lms.web.templating import is_htmx


def redirect(
    request: Request, url: str, message: str | None = None, kind: str = "success"
) -> Response:
    """See-other after a form post; htmx requests get HX-Redirect so the whole page moves."""
    response: Response
    if is_htmx(request):
        response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if message:
        flash(request, response, message, kind)
    return response


def safe_local_path(target: str | None, default: str = "/") -> str:
    """Only same-site paths, so `?next=` and Referer cannot send anyone elsewhere."""
    if not target:
        return default
    parsed = urlsplit(target)
    if parsed.scheme or parsed.netloc:
        return default
    path = parsed.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    return path + (f"?{parsed.query}" if parsed.query else "")


def download(data: bytes, media_type: str, filename: str) -> Response:
    """A file the browser saves (attachment) and no cache keeps: every export holds
    personal data."""
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
