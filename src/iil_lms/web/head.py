"""HEAD for every GET: link checkers, monitors and some browsers ask with HEAD, and the
routes are declared for GET only (FastAPI adds no HEAD), so they would answer 405. The
request is served as a GET and only its status and headers are sent."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                # The headers (Content-Length included) stay those of the GET.
                message = {**message, "body": b""}
            await send(message)

        # A copy: the outer middleware still sees (and logs) a HEAD.
        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
