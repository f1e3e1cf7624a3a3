"""503 instead of 500 when the database cannot answer before a response has started.

A GraphQL field that meets the database out of reach is answered inside the GraphQL
response (schema/: code SERVICE_UNAVAILABLE, queries retried once). What fails before
execution (reading the bearer token's session in `get_context`) and the other routes
(media, finance files, consent and unsubscribe pages) come here: `503 Service Unavailable`
with `Retry-After`, a GraphQL error body on /graphql (as the rate limiter's 429 does) and a
French sentence elsewhere.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.core.errors import ErrorCode
from infra.unavailable import MESSAGE, RETRY_AFTER_SECONDS, is_unavailable

logger = logging.getLogger("cjeune")


def unavailable_response(path: str) -> Response:
    headers = {"retry-after": str(RETRY_AFTER_SECONDS)}
    if path.startswith("/graphql"):
        body = {
            "errors": [
                {"message": MESSAGE, "extensions": {"code": ErrorCode.SERVICE_UNAVAILABLE.value}}
            ]
        }
        return JSONResponse(body, status_code=503, headers=headers)
    return PlainTextResponse(MESSAGE, status_code=503, headers=headers)


class ServiceUnavailableMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            if started or not is_unavailable(error):
                raise
            logger.warning("%s: database unavailable: %s", scope["path"], error)
            await unavailable_response(scope["path"])(scope, receive, send)
