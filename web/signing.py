"""HMAC-SHA256 signatures of the web's cookie and form values, with SECRET_KEY.

Each use has its own purpose string, so a value signed for one (a CSRF token) is never
accepted as another (a session cookie).
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def mac(secret_key: str, purpose: str, value: str) -> str:
    digest = hmac.new(
        secret_key.encode(), f"cjeune-web|{purpose}|{value}".encode(), hashlib.sha256
    ).digest()
    return _b64(digest)


def sign(secret_key: str, purpose: str, value: str) -> str:
    """`value` followed by its signature; `value` must not contain '~'."""
    return f"{value}~{mac(secret_key, purpose, value)}"


def unsign(secret_key: str, purpose: str, signed: str) -> str | None:
    """The value of a signed string, or None if it was altered or signed for another use."""
    value, separator, signature = signed.rpartition("~")
    if not separator or not hmac.compare_digest(signature, mac(secret_key, purpose, value)):
        return None
    return value
