"""The strawberry ASGI view: authenticates each request (or WebSocket connection)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from domain.sessions import viewer_from_access_token
from domain.viewer import Viewer
from server.context import Context
from server.settings import Settings


def _bearer(value: str | None) -> str | None:
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


class CJeuneGraphQL(GraphQL):
    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=settings.allowed_origins,
            max_subscriptions_per_connection=20,
        )

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        context = Context(request=request, response=response)
        if isinstance(request, Request):
            token = _bearer(request.headers.get("authorization"))
            if token:
                # An invalid or revoked token is treated as no token: the field rules then
                # answer UNAUTHENTICATED, so the app knows to refresh or sign in again.
                context.viewer = (
                    await viewer_from_access_token(token, context.client_address) or Viewer()
                )
        return context

    async def on_ws_connect(self, context: Context) -> Any:
        """graphql-transport-ws: the access token travels in the connection_init payload."""
        params = context.connection_params or {}
        token = _bearer(params.get("authorization")) or params.get("accessToken")
        viewer = (
            await viewer_from_access_token(str(token), context.client_address) if token else None
        )
        if viewer is None:
            raise ConnectionRejectionError({"message": "Connexion requise."})
        context.viewer = viewer
        return None
