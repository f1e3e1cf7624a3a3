"""Cross-site request forgery: every form carries a token that another site cannot know.

A signed double submit (OWASP): the browser holds a random value in an HttpOnly cookie,
set on the first page it loads; each form's hidden `csrf` field is the HMAC of that value
and of the web session it belongs to (none before sign-in). A POST is refused (403, with a
French page) unless its field is the HMAC of its own cookie and session. Another site can
make a browser post a form, but cannot read the cookie nor compute the HMAC without
SECRET_KEY; a token taken from one session is refused in another.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.responses import Response

from infra.settings import Settings
from web.signing import mac

FIELD = "csrf"
PURPOSE = "csrf"


def cookie_name(settings: Settings) -> str:
    return "__Host-cjeune-csrf" if settings.is_production else "cjeune_csrf"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def token(settings: Settings, secret: str, session_id: object | None) -> str:
    return mac(settings.secret_key, PURPOSE, f"{secret}|{session_id or ''}")


def is_valid(settings: Settings, secret: str | None, session_id: object | None, sent: str) -> bool:
    if not secret or not sent:
        return False
    return hmac.compare_digest(sent, token(settings, secret, session_id))


def set_cookie(response: Response, settings: Settings, secret: str) -> None:
    response.set_cookie(
        cookie_name(settings),
        secret,
        max_age=None,  # the browser's session: a form left open past a restart is re-sent once
        path="/",
        secure=settings.is_production,
        httponly=True,
        samesite="lax",
    )
