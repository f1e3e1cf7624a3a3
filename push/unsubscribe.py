"""Signed links that need no database row: the marketing unsubscribe link, and the helpers
other emailed links (the parental consent) are signed with.

A token is the URL-safe base64 (no padding) of a version byte, the payload and an
HMAC-SHA256 of both under a key derived from SECRET_KEY and the link's purpose, so a token
made for one purpose is worthless for another. Verification is constant-time; changing a
single character of a token makes it invalid.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from uuid import UUID

from infra.settings import Settings
from models.notifications import Channel

_VERSION = b"\x01"
_MAC_SIZE = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,400}")
UNSUBSCRIBE_PURPOSE = "marketing-unsubscribe"
# A channel is written in the link as the first letter of its value ("e" for email, "p" for
# push): links already sent never expire, so a channel's letter never changes.
_CHANNEL_CODES = {channel: channel.value[:1].encode() for channel in Channel}
if len(set(_CHANNEL_CODES.values())) != len(Channel):
    raise RuntimeError("two channels start with the same letter: their unsubscribe links clash")


def _key(settings: Settings, purpose: str) -> bytes:
    return _derived_key(settings.secret_key, purpose)


@functools.lru_cache(maxsize=16)
def _derived_key(secret_key: str, purpose: str) -> bytes:
    return hmac.new(secret_key.encode(), f"cjeune:{purpose}".encode(), "sha256").digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sign_link(settings: Settings, purpose: str, payload: bytes) -> str:
    body = _VERSION + payload
    return _b64(body + hmac.new(_key(settings, purpose), body, hashlib.sha256).digest())


def read_signed_link(settings: Settings, purpose: str, token: str) -> bytes | None:
    """The payload of an authentic token for `purpose`; None for anything else."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        return None
    if _b64(raw) != token or len(raw) <= _MAC_SIZE + 1:  # one spelling per token
        return None
    body, mac = raw[:-_MAC_SIZE], raw[-_MAC_SIZE:]
    expected = hmac.new(_key(settings, purpose), body, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected) or body[:1] != _VERSION:
        return None
    return body[1:]


@dataclass(frozen=True)
class UnsubscribeLink:
    user_id: UUID
    channel: Channel
    campaign_id: UUID | None = None


def unsubscribe_token(
    settings: Settings,
    user_id: UUID,
    channel: Channel | str,
    campaign_id: UUID | None = None,
) -> str:
    payload = _CHANNEL_CODES[Channel(channel)] + user_id.bytes
    if campaign_id is not None:
        payload += campaign_id.bytes
    return sign_link(settings, UNSUBSCRIBE_PURPOSE, payload)


def unsubscribe_url(
    settings: Settings,
    user_id: UUID,
    channel: Channel | str,
    campaign_id: UUID | None = None,
) -> str:
    """The person's own one-click link (no expiry: an old email must still unsubscribe)."""
    token = unsubscribe_token(settings, user_id, channel, campaign_id)
    return f"{settings.public_url}/desabonnement?jeton={token}"


def read_unsubscribe_token(settings: Settings, token: str) -> UnsubscribeLink | None:
    payload = read_signed_link(settings, UNSUBSCRIBE_PURPOSE, token)
    if payload is None or len(payload) not in (17, 33):
        return None
    channel = next((c for c, code in _CHANNEL_CODES.items() if code == payload[:1]), None)
    if channel is None:
        return None
    campaign_id = UUID(bytes=payload[17:]) if len(payload) == 33 else None
    return UnsubscribeLink(UUID(bytes=payload[1:17]), channel, campaign_id)
