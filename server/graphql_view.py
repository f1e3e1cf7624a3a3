"""The strawberry ASGI view: authenticates each request (or WebSocket connection).

File uploads (GraphQL multipart requests) are on, with two guards strawberry does not give:
- CSRF: `multipart/form-data` is one of the types a cross-site HTML form may send without
  a CORS preflight, so such a request must carry a non-empty `Apollo-Require-Preflight` or
  `X-Apollo-Operation-Name` header (Apollo's convention). A page of another site cannot add
  a header without a preflight, which CORS refuses unless its origin is allowed. (A form
  cannot send the bearer token either: the header is a second, independent lock.)
- size: the body is refused (413) past `MAX_UPLOAD_BYTES` plus room for the operation,
  from its Content-Length or while it arrives, before it is parsed or spooled any further.
  (`server/body_limit.py` caps every route the same way; this view keeps its own cap.)

JSON (bodies, the `variables` of a GET, WebSocket messages) is decoded by orjson with a
bound on its nesting (`server/json_body.py`): too deep is a 400 with `JSON_TOO_DEEP`.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

import orjson
from cross_web import HTTPException
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from domain.accounts.sessions import viewer_from_access_token
from domain.accounts.viewer import Viewer
from domain.core.errors import ErrorCode
from domain.terminals.authentication import viewer_from_terminal_credential
from infra.settings import Settings
from infra.unavailable import RETRY_AFTER_SECONDS, is_unavailable
from resolvers.context import Context
from schema.messages import translate_http
from server.graphiql import graphiql_page
from server.json_body import JsonTooDeep, decode

PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name")
MULTIPART_OVERHEAD = 1024 * 1024  # the `operations` and `map` fields, the part headers
_TOO_LARGE = "Requête trop volumineuse : le fichier dépasse la taille permise."


def _refusal(status_code: int, message: str, code: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status_code
    )


class Refusal(HTTPException):
    """An HTTP-level refusal answered as a GraphQL error: French message, stable code."""

    def __init__(self, status_code: int, message: str, code: str) -> None:
        super().__init__(status_code, message)
        self.code = code


class _BodyTooLarge(Exception):
    pass


def _capped(receive: Receive, limit: int) -> Receive:
    """`receive`, failing once the body passes `limit` bytes."""
    received = 0

    async def capped_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _BodyTooLarge
        return message

    return capped_receive


# How a graphql-transport-ws connection_init is refused: the close code, and the error code
# as the reason. 4403 is strawberry's (the protocol's "Forbidden"); 1013 is WebSocket's own
# "Try Again Later".
REFUSED = 4403
TRY_AGAIN_LATER = 1013


class _WebSocket(ASGIWebSocketAdapter):
    """strawberry's adapter; a connection that on_ws_connect already closed, with its own
    code and reason, is not closed a second time with strawberry's."""

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state != WebSocketState.DISCONNECTED:
            await super().close(code, reason)


def _bearer(value: str | None) -> str | None:
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


def _terminal_credential(value: str | None) -> str | None:
    """`Authorization: Terminal <credential>`: a payment terminal's own credential."""
    if value and value[:9].lower() == "terminal ":
        return value[9:].strip()
    return None


class CJeuneGraphQL(GraphQL):
    websocket_adapter_class = _WebSocket

    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=settings.allowed_origins,
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            multipart_uploads_enabled=True,
        )
        self.max_multipart_bytes = settings.max_upload_bytes + MULTIPART_OVERHEAD
        self.max_json_depth = settings.max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            headers = Headers(scope=scope)
            if headers.get("content-type", "").lower().startswith("multipart/"):
                refusal = self._refuse_upload(headers)
                if refusal is not None:
                    await refusal(scope, receive, send)
                    return
                try:
                    await super().__call__(scope, _capped(receive, self.max_multipart_bytes), send)
                except _BodyTooLarge:  # raised while reading the body: nothing was sent yet
                    await _refusal(413, _TOO_LARGE, "REQUEST_TOO_LARGE")(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page, whose assets the app serves (server/graphiql.py)."""
        return graphiql_page()

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        """strawberry's HTTP refusals (plain English text) answered as French GraphQL
        errors with a code, the original reason in `extensions.detail`."""
        try:
            return await super().run(*args, **kwargs)
        except Refusal as refusal:
            return _refusal(refusal.status_code, refusal.reason, refusal.code)
        except HTTPException as refused:
            french = translate_http(refused.reason)
            return JSONResponse(
                {
                    "errors": [
                        {
                            "message": french.message,
                            "extensions": {"code": french.code, "detail": refused.reason},
                        }
                    ]
                },
                status_code=refused.status_code,
            )

    def decode_json(self, data: str | bytes) -> object:
        return decode(data, self.max_json_depth)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return self.decode_json(data)
        except JsonTooDeep as error:
            raise Refusal(
                400,
                f"JSON trop imbriqué : au plus {error.max_depth} niveaux de tableaux et d'objets.",
                "JSON_TOO_DEEP",
            ) from None
        except json.JSONDecodeError:
            message = "Corps de requête illisible : JSON invalide."
            raise Refusal(400, message, "INVALID_JSON") from None

    def encode_json(self, data: object) -> str:
        """Answers (HTTP and WebSocket) through orjson: a map page of 100 hits encodes
        several times faster than with the standard encoder. A string, so that WebSocket
        messages stay text frames. What orjson refuses (an integer past 64 bits or a
        non-string key inside a JSON scalar) goes through the standard encoder."""
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return json.dumps(data, separators=(",", ":"))

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        """A field that met the database out of reach (code SERVICE_UNAVAILABLE) is in a
        200 answer, as GraphQL over HTTP wants; Retry-After says when to send it again."""
        response = super().create_response(response_data, sub_response)
        answers = response_data if isinstance(response_data, list) else [response_data]
        if any(
            (error.get("extensions") or {}).get("code") == ErrorCode.SERVICE_UNAVAILABLE
            for answer in answers
            for error in answer.get("errors") or ()
        ):
            response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
        return response

    def _refuse_upload(self, headers: Headers) -> JSONResponse | None:
        if not any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS):
            return _refusal(
                400,
                "Envoi de fichier refusé : ajoutez l'en-tête « Apollo-Require-Preflight: true » "
                "(protection contre les requêtes d'autres sites).",
                "CSRF_PREFLIGHT_REQUIRED",
            )
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_multipart_bytes:
            return _refusal(413, _TOO_LARGE, "REQUEST_TOO_LARGE")
        return None

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        context = Context(request=request, response=response)
        if isinstance(request, Request):
            authorization = request.headers.get("authorization")
            token = _bearer(authorization)
            credential = _terminal_credential(authorization)
            if credential:
                # A revoked, rotated or unknown credential is no credential: UNAUTHENTICATED.
                context.viewer = (
                    await viewer_from_terminal_credential(credential, context.client_address)
                    or Viewer()
                )
            elif token:
                # An invalid or revoked token is treated as no token: the field rules then
                # answer UNAUTHENTICATED, so the app knows to sign in again; an expired one
                # gives an anonymous viewer for which they answer TOKEN_EXPIRED: refresh.
                context.viewer = (
                    await viewer_from_access_token(token, context.client_address) or Viewer()
                )
        return context

    async def on_ws_connect(self, context: Context) -> Any:
        """graphql-transport-ws: the access token travels in the connection_init payload.
        Refused with the close code 4403 and the reason UNAUTHENTICATED (no valid token) or
        TOKEN_EXPIRED (refresh it, then connect again); 1013 SERVICE_UNAVAILABLE when the
        database could not answer."""
        params = context.connection_params or {}
        token = _bearer(params.get("authorization")) or params.get("accessToken")
        try:
            viewer = (
                await viewer_from_access_token(str(token), context.client_address)
                if token
                else None
            )
        except Exception as error:
            if not is_unavailable(error):
                raise
            await self._refuse(context, TRY_AGAIN_LATER, ErrorCode.SERVICE_UNAVAILABLE)
        if viewer is not None and viewer.token_expired:
            await self._refuse(context, REFUSED, ErrorCode.TOKEN_EXPIRED)
        if viewer is None:
            await self._refuse(context, REFUSED, "UNAUTHENTICATED")
        context.viewer = viewer
        return None

    async def _refuse(self, context: Context, code: int, reason: str) -> NoReturn:
        assert isinstance(context.request, WebSocket)
        await context.request.close(code=code, reason=reason)
        raise ConnectionRejectionError({"code": reason})
