"""Resolvers for my inbox, my devices, my notification channels and the live stream."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from domain.accounts.sessions import load_viewer
from domain.core.errors import DomainError, invalid
from domain.notifications import devices, inbox
from domain.notifications.preferences import set_channels
from push.realtime import notification_channel, subscribe
from resolvers.ids import parse_id
from schema.errors import Done, UserError
from schema.notifications import (
    Device,
    DevicePlatform,
    DeviceRegistered,
    MarkedRead,
    Notification,
    NotificationPage,
    NotificationPreferences,
)
from server.context import Info

MarkReadResult = Annotated[MarkedRead | UserError, strawberry.union("MarkReadResult")]
RegisterDeviceResult = Annotated[
    DeviceRegistered | UserError, strawberry.union("RegisterDeviceResult")
]


async def notifications(
    info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
) -> NotificationPage:
    user_id = info.context.viewer.user.id
    try:
        rows, has_more = await inbox.page(user_id, first, after, unread_only)
    except DomainError:
        rows, has_more = [], False
    return NotificationPage(
        notifications=[Notification.from_model(n) for n in rows],
        unread_count=await inbox.unread_count(user_id),
        next_cursor=inbox.encode_cursor(rows[-1]) if has_more else None,
    )


async def unread_notification_count(info: Info) -> int:
    return await inbox.unread_count(info.context.viewer.user.id)


async def mark_notifications_read(
    info: Info,
    ids: list[strawberry.ID] | None = None,
    all: bool = False,
) -> MarkReadResult:
    """Either the listed notifications, or `all: true` for the whole inbox."""
    user_id = info.context.viewer.user.id
    try:
        if all == (ids is not None):
            raise invalid("ids", "Indiquez soit les notifications, soit all: true.")
        parsed = None if all else [parse_id(i, "ids") for i in ids or []]
        marked = await inbox.mark_read(user_id, parsed)
    except DomainError as error:
        return UserError.from_domain(error)
    return MarkedRead(marked=marked, unread_count=await inbox.unread_count(user_id))


async def register_device(info: Info, token: str, platform: DevicePlatform) -> RegisterDeviceResult:
    try:
        device = await devices.register_device(
            info.context.viewer.user.id, token, DevicePlatform(platform).value
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return DeviceRegistered(device=Device.from_model(device))


async def unregister_device(info: Info, token: str) -> Done:
    """Idempotent: unknown tokens and other people's tokens change nothing."""
    await devices.unregister_device(info.context.viewer.user.id, token)
    return Done()


async def notification_preferences(info: Info) -> NotificationPreferences:
    return NotificationPreferences.from_user(info.context.viewer.user)


async def update_notification_preferences(
    info: Info, push: bool | None = None, email: bool | None = None
) -> NotificationPreferences:
    user = await set_channels(info.context.viewer.user.id, push, email)
    return NotificationPreferences.from_user(user)


async def notification_added(info: Info) -> AsyncGenerator[Notification]:
    """My new notifications, as they are committed (from any API process)."""
    viewer = info.context.viewer
    async for event in subscribe(notification_channel(viewer.user.id)):
        # Re-checked on every event: a revoked session stops the stream at once.
        current = await load_viewer(viewer.user.id, viewer.session_id, viewer.client_address)
        if current is None:
            return
        yield Notification.from_event(event)
