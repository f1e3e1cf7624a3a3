"""The secrets a terminal holds: a one-time pairing code, then its credential.

Both are long random values from the CSPRNG, so a keyed SHA-256 (HMAC with a key derived
from SECRET_KEY) is the right digest: Argon2 is for low-entropy passwords and would cost
about 60 ms on every till request. Without SECRET_KEY a stolen table of digests tells
nothing; changing SECRET_KEY ends every credential (the terminals pair again).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache
from uuid import UUID

from domain.cards.codes import ALPHABET
from infra.settings import get_settings

CREDENTIAL_PREFIX = "cjt"
CREDENTIAL_BYTES = 32  # 256 bits
PAIRING_CODE_LENGTH = 10  # 10 symbols of 31: about 49.5 bits, shown as XXXXX-XXXXX


@cache
def _key(secret_key: str, purpose: bytes) -> bytes:
    return hmac.new(secret_key.encode(), b"cjeune terminal " + purpose, hashlib.sha256).digest()


def digest(secret: str, purpose: bytes) -> str:
    key = _key(get_settings().secret_key, purpose)
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def new_pairing_code() -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(PAIRING_CODE_LENGTH))
    return f"{symbols[:5]}-{symbols[5:]}"


def normalize_pairing_code(typed: str) -> str | None:
    """The code as stored, from what a person typed or a camera read (case, spaces and
    dashes do not matter; the letters a person confuses are read as the digits)."""
    symbols = "".join(ch for ch in (typed or "").upper() if ch not in " -\t")
    symbols = symbols.translate(str.maketrans("OIL", "011"))
    if len(symbols) != PAIRING_CODE_LENGTH or any(ch not in ALPHABET for ch in symbols):
        return None
    return f"{symbols[:5]}-{symbols[5:]}"


def pairing_digest(code: str) -> str:
    return digest(code, b"pairing code")


def new_credential(terminal_id: UUID) -> tuple[str, str]:
    """A credential for the terminal and the digest we keep of it."""
    secret = secrets.token_urlsafe(CREDENTIAL_BYTES)
    return f"{CREDENTIAL_PREFIX}_{terminal_id.hex}_{secret}", credential_digest(secret)


def credential_digest(secret: str) -> str:
    return digest(secret, b"credential")


def parse_credential(raw: str) -> tuple[UUID, str] | None:
    prefix, _, rest = (raw or "").partition("_")
    terminal_hex, _, secret = rest.partition("_")
    if prefix != CREDENTIAL_PREFIX or len(secret) < 40:
        return None
    try:
        return UUID(hex=terminal_hex), secret
    except ValueError:
        return None


def same_digest(secret: str, stored: str | None) -> bool:
    return stored is not None and hmac.compare_digest(credential_digest(secret), stored)
