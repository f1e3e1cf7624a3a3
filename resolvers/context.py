"""What every resolver receives: who is asking, from where, and the request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from domain.accounts.viewer import Viewer
from resolvers.loaders import Loaders


@dataclass
class Context:
    request: Request | WebSocket
    response: Any = None
    viewer: Viewer = field(default_factory=Viewer)
    loaders: Loaders = field(default_factory=Loaders)
    # Filled by strawberry from the graphql-transport-ws connection_init payload.
    connection_params: dict[str, Any] | None = None

    @property
    def client_address(self) -> str:
        client = self.request.client
        return client.host if client else "inconnue"

    @property
    def user_agent(self) -> str | None:
        return self.request.headers.get("user-agent")


Info = StrawberryInfo[Context, None]
