"""The process's delivery channels, built once from the settings and reused.

A firebase-admin app (with its OAuth token) and the push outbox are costly to set up per
message; the worker keeps one of each for its whole life.
"""

from __future__ import annotations

from infra.settings import Settings, get_settings
from push.email import EmailSender, email_sender
from push.mobile import PushSender, push_sender

_push: tuple[Settings, PushSender] | None = None


def push_channel() -> PushSender:
    global _push
    settings = get_settings()
    if _push is None or _push[0] is not settings:
        _push = (settings, push_sender(settings))
    return _push[1]


async def warm_channels() -> None:
    """Build the push channel and fetch what its first message would wait for."""
    await push_channel().warm()


def email_channel() -> EmailSender:
    return email_sender(get_settings())


async def close_channels() -> None:
    global _push
    if _push is not None:
        await _push[1].close()
        _push = None
