"""The web session: a signed cookie naming the API session a sign-in opened.

Signing in runs the `login` mutation (throttling, Argon2id and the session row are the
API's); the cookie then holds that session's id and its person's id, when it was opened,
and the partner the delegate acts for, signed with SECRET_KEY. Nothing else is stored,
on the server or in the cookie: on every request the viewer is read from the session row
by the same code a bearer token goes through once its signature is checked
(`Context.resume_session`), so a revoked session, a deactivated account or a suspended
delegate is signed out at the next click.

The access and refresh tokens `login` answers are not kept: the web has no use for a
bearer token (its pages run GraphQL in-process with the viewer), and rotating a refresh
token from a page would race with itself (a double click on « Valider le paiement » ten
minutes after the last request would replay the refresh token, which the API takes for a
theft and answers by closing the session). The session ends at sign-out (the `logout`
mutation), at a revocation, or REFRESH_TOKEN_DAYS after sign-in, like an app's.

The cookie is HttpOnly (no script reads it), SameSite=Lax (another site's form cannot
post with it) and, in production, Secure with the `__Host-` prefix (HTTPS only, this exact
host). `/graphql` never reads it: it takes the `Authorization` header only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from uuid import UUID

from starlette.responses import Response

from infra.settings import Settings
from web.signing import sign, unsign

PURPOSE = "session"


def cookie_name(settings: Settings) -> str:
    return "__Host-cjeune-session" if settings.is_production else "cjeune_session"


@dataclass(frozen=True)
class WebSession:
    user_id: UUID
    session_id: UUID
    opened_at: int  # Unix seconds
    partner_id: UUID | None = None  # the partner a delegate of several acts for

    def encode(self) -> str:
        partner = str(self.partner_id) if self.partner_id else "-"
        return f"{self.user_id}.{self.session_id}.{self.opened_at}.{partner}"

    @classmethod
    def decode(cls, value: str) -> WebSession | None:
        try:
            user, session, opened, partner = value.split(".")
            return cls(
                UUID(user), UUID(session), int(opened), None if partner == "-" else UUID(partner)
            )
        except ValueError:
            return None

    def acting_for(self, partner_id: UUID | None) -> WebSession:
        return replace(self, partner_id=partner_id)


def lifetime_seconds(settings: Settings) -> int:
    return settings.refresh_token_days * 86400


def read(settings: Settings, cookies: dict[str, str]) -> WebSession | None:
    """The session a request's cookie names, if it is signed by us and not too old."""
    raw = cookies.get(cookie_name(settings))
    value = unsign(settings.secret_key, PURPOSE, raw) if raw else None
    session = WebSession.decode(value) if value else None
    if session is None or session.opened_at + lifetime_seconds(settings) <= time.time():
        return None
    return session


def opened(user_id: UUID, session_id: UUID) -> WebSession:
    return WebSession(user_id, session_id, int(time.time()))


def set_cookie(response: Response, settings: Settings, session: WebSession) -> None:
    remaining = session.opened_at + lifetime_seconds(settings) - int(time.time())
    response.set_cookie(
        cookie_name(settings),
        sign(settings.secret_key, PURPOSE, session.encode()),
        max_age=max(remaining, 0),
        path="/",
        secure=settings.is_production,
        httponly=True,
        samesite="lax",
    )


def clear_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        cookie_name(settings),
        path="/",
        secure=settings.is_production,
        httponly=True,
        samesite="lax",
    )
