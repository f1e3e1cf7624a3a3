"""Request bodies are capped by the app itself, on every route, whatever proxy is in front.

A body announced larger than the limit (Content-Length) is refused before a byte of it is
read; a body sent without a length (chunked) is counted as it arrives and refused as soon
as it passes the limit, so a 60 MB upload costs at most the limit in memory. Multipart
bodies (file uploads) get their own, larger limit. The answer is 413 with a GraphQL-shaped
error (`REQUEST_TOO_LARGE`) when nothing has been sent yet.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """The body passed its limit while the app was reading it."""


def too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": "Requête trop volumineuse : le corps dépasse la taille permise "
                    f"({_size(limit)}).",
                    "extensions": {"code": "REQUEST_TOO_LARGE", "limit": limit},
                }
            ]
        },
        status_code=413,
        headers={"Connection": "close"},
    )


def _size(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} Mio"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} Kio"
    return f"{limit} octets"


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int, max_multipart_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_multipart_bytes = max_multipart_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        limit = self.max_multipart_bytes if multipart else self.max_bytes
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await too_large(limit)(scope, receive, send)
            return

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:  # pragma: no cover - no route answers before reading its body
                raise
            await too_large(limit)(scope, receive, send)
