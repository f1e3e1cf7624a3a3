"""What every resolver receives: who is asking, from where, and the request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from domain.accounts.sessions import IssuedTokens, load_viewer, viewer_from_access_token
from domain.accounts.viewer import Viewer
from domain.terminals.authentication import viewer_from_terminal_credential
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

    async def signed_in(self, issued: IssuedTokens) -> IssuedTokens:
        """A mutation that opens a session (login, refresh, an accepted invitation) answers
        as the person it signed in: the fields under its answer (`user { delegations {
        partner { siret } } }`), and the fields after it in the same operation, are resolved
        with that person's viewer, as the next request bearing the new token will be."""
        viewer = await viewer_from_access_token(issued.access_token, self.client_address)
        if viewer is not None:
            self.viewer = viewer
            self.loaders = Loaders()  # nothing read for the previous viewer is reused
        return issued

    async def resume_session(self, user_id: UUID, session_id: UUID) -> bool:
        """A web page's person, from the session its signed cookie names (web/session.py):
        the read a bearer token gets once its signature and expiry are checked, so a
        revoked session, a deactivated account or a suspended delegate is signed out of
        the web at its next request. False (and the viewer left anonymous) when it is not
        valid any more."""
        viewer = await load_viewer(user_id, session_id, self.client_address)
        if viewer is None:
            return False
        self.viewer = viewer
        return True

    async def resume_terminal(self, credential: str) -> bool:
        """A payment terminal's page (the web till in terminal mode), from the credential
        its HttpOnly cookie holds: the check a request with `Authorization: Terminal …`
        gets, so a revoked or rotated terminal is refused at its next page. False (and
        the viewer left anonymous) when the credential is not valid any more."""
        viewer = await viewer_from_terminal_credential(credential, self.client_address)
        if viewer is None:
            self.viewer = Viewer(client_address=self.client_address)
            return False
        self.viewer = viewer
        self.loaders = Loaders()
        return True


Info = StrawberryInfo[Context, None]
