"""Short-lived signed access tokens (JWT, HS256). Refresh tokens are opaque: see sessions."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import jwt

from domain.core import clock
from infra.settings import get_settings

ISSUER = "cjeune"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: UUID
    session_id: UUID


def issue_access_token(user_id: UUID, session_id: UUID) -> tuple[str, int]:
    settings = get_settings()
    issued = clock.now()
    lifetime = timedelta(minutes=settings.access_token_minutes)
    payload = {
        "iss": ISSUER,
        "typ": "access",
        "sub": str(user_id),
        "sid": str(session_id),
        "iat": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
    }
    token = jwt.encode(payload, settings.secret_key, algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


@dataclass(frozen=True)
class _Verified:
    claims: AccessClaims
    expires_at: int
    secret_key: str  # what it was verified with: a changed key verifies again


# Verified tokens, by their exact text: a terminal sends the same token all day and checking
# an HS256 signature costs PyJWT about 0.13 ms. Only a token that passed every check is
# remembered, so a forged or altered token never matches; expiry is still checked each time.
_verified: OrderedDict[str, _Verified] = OrderedDict()
VERIFIED_TOKENS_KEPT = 10_000


def read_access_token(token: str) -> AccessClaims | None:
    """The claims of a valid, unexpired access token; None for anything else."""
    genuine = genuine_access_token(token)
    if genuine is None or genuine[1] <= clock.now().timestamp():
        return None
    return genuine[0]


def genuine_access_token(token: str) -> tuple[AccessClaims, int] | None:
    """The claims and expiry (a POSIX timestamp) of an access token we signed, expired or
    not; None for anything else. An expired one tells the client to refresh."""
    secret_key = get_settings().secret_key
    known = _verified.get(token)
    if known is None or known.secret_key != secret_key:
        known = _verify(token, secret_key)
        if known is None:
            return None
        _verified[token] = known
        if len(_verified) > VERIFIED_TOKENS_KEPT:
            _verified.popitem(last=False)
    return known.claims, known.expires_at


def _verify(token: str, secret_key: str) -> _Verified | None:
    """Signature, issuer, type and required claims (expiry is the caller's check)."""
    try:
        payload = jwt.decode(
            token,
            secret_key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            # PyJWT checks expiry against the wall clock; compare with domain.core.clock instead.
            options={
                "require": ["exp", "iat", "sub", "sid"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
        if payload.get("typ") != "access":
            return None
        claims = AccessClaims(user_id=UUID(payload["sub"]), session_id=UUID(payload["sid"]))
        return _Verified(claims, int(payload["exp"]), secret_key)
    except (jwt.PyJWTError, ValueError, KeyError, TypeError):
        return None
