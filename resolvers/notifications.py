"""Resolvers for my inbox, my devices, my notification channels and the live stream: they
answer the models (schema/notifications.py shapes them); a refused rule raises DomainError."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from domain.accounts.sessions import load_viewer
from domain.core.errors import DomainError, invalid
from domain.notifications import devices, inbox
from domain.notifications.preferences import set_channels
from models.accounts import User
from models.notifications import Channel, Device, DevicePlatform, Notification
from push.realtime import notification_channel, subscribe
from resolvers.arguments import parse_id
from resolvers.context import Info


async def notifications(
    info: Info, first: int, after: str | None, unread_only: bool
) -> tuple[list[Notification], str | None]:
    """A page of my inbox, newest first, and the cursor of the next one."""
    user_id = info.context.viewer.user.id
    try:
        rows, has_more = await inbox.page(user_id, first, after, unread_only)
    except DomainError:
        rows, has_more = [], False
    return rows, inbox.encode_cursor(rows[-1]) if has_more else None


async def unread_notification_count(info: Info) -> int:
    return await inbox.unread_count(info.context.viewer.user.id)


async def mark_notifications_read(info: Info, ids: list[strawberry.ID] | None, all: bool) -> int:
    """Either the listed notifications, or `all: true` for the whole inbox; how many were
    unread."""
    if all == (ids is not None):
        raise invalid("ids", "Indiquez soit les notifications, soit all: true.")
    parsed = None if all else [parse_id(i, "ids") for i in ids or []]
    return await inbox.mark_read(info.context.viewer.user.id, parsed)


async def register_device(info: Info, token: str, platform: DevicePlatform) -> Device:
    return await devices.register_device(
        info.context.viewer.user.id, token, DevicePlatform(platform).value
    )


async def unregister_device(info: Info, token: str) -> None:
    """Idempotent: unknown tokens and other people's tokens change nothing."""
    await devices.unregister_device(info.context.viewer.user.id, token)


async def notification_preferences(info: Info) -> User:
    return info.context.viewer.user


async def update_notification_preferences(
    info: Info, push: bool | None, email: bool | None
) -> User:
    choices = {Channel.PUSH: push, Channel.EMAIL: email}
    return await set_channels(info.context.viewer.user.id, choices)


async def notification_added(info: Info) -> AsyncGenerator[dict[str, Any]]:
    """My new notifications, as they are committed (from any API process)."""
    viewer = info.context.viewer
    async for event in subscribe(notification_channel(viewer.user.id)):
        # Re-checked on every event: a revoked session stops the stream at once.
        current = await load_viewer(viewer.user.id, viewer.session_id, viewer.client_address)
        if current is None:
            return
        yield event
