"""The in-app inbox, devices and notification preferences: the types, and the root fields
`NotificationQueries`, `NotificationMutations` and `NotificationSubscriptions` (composed in
schema/root.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from domain.notifications.preferences import wants
from models.accounts import User
from models.notifications import Channel
from models.notifications import Device as DeviceModel
from models.notifications import DevicePlatform as DevicePlatformModel
from models.notifications import Notification as NotificationModel
from resolvers import notifications as resolvers
from resolvers.context import Info
from resolvers.permissions import SIGNED_IN, allow
from schema.errors import Done, UserError, user_errors

DevicePlatform = strawberry.enum(DevicePlatformModel, name="DevicePlatform")


@strawberry.type(description="One message of my inbox.")
class Notification:
    id: strawberry.ID
    kind: str = strawberry.field(description="card_debit, card_cancelled, moderation_decision…")
    title: str
    body: str
    data: JSON = strawberry.field(description="What the app needs to open the right screen.")
    created_at: datetime
    read_at: datetime | None

    @strawberry.field
    def read(self) -> bool:
        return self.read_at is not None

    @classmethod
    def from_model(cls, notification: NotificationModel) -> Notification:
        return cls(
            id=strawberry.ID(str(notification.id)),
            kind=notification.kind,
            title=notification.title,
            body=notification.body,
            data=notification.data,
            created_at=notification.created_at,
            read_at=notification.read_at,
        )

    @classmethod
    def from_event(cls, event: dict) -> Notification:
        return cls(
            id=strawberry.ID(event["id"]),
            kind=event["kind"],
            title=event["title"],
            body=event["body"],
            data=event["data"],
            created_at=datetime.fromisoformat(event["createdAt"]),
            read_at=None,
        )


@strawberry.type
class NotificationPage:
    notifications: list[Notification]
    unread_count: int
    next_cursor: str | None = strawberry.field(
        description="Pass as `after` to get the next (older) page; null at the end."
    )


@strawberry.type
class MarkedRead:
    marked: int = strawberry.field(
        description="How many notifications were unread and now are read."
    )
    unread_count: int


@strawberry.type(description="A device registered for push notifications.")
class Device:
    id: strawberry.ID
    platform: DevicePlatform
    registered_at: datetime

    @classmethod
    def from_model(cls, device: DeviceModel) -> Device:
        return cls(
            id=strawberry.ID(str(device.id)),
            platform=device.platform,
            registered_at=device.created_at,
        )


@strawberry.type
class DeviceRegistered:
    device: Device


@strawberry.type(description="Channels for notifications other than marketing.")
class NotificationPreferences:
    push: bool = strawberry.field(description="Push notifications on my phones.")
    email: bool = strawberry.field(description="Emails, for the notifications that have one.")
    in_app: bool = strawberry.field(
        description="Always true: transactions and account messages always reach the inbox."
    )

    @classmethod
    def from_user(cls, user: User) -> NotificationPreferences:
        return cls(
            push=wants(user, Channel.PUSH),
            email=wants(user, Channel.EMAIL),
            in_app=wants(user, Channel.IN_APP),
        )


MarkReadResult = Annotated[MarkedRead | UserError, strawberry.union("MarkReadResult")]
RegisterDeviceResult = Annotated[
    DeviceRegistered | UserError, strawberry.union("RegisterDeviceResult")
]


@strawberry.type
class NotificationQueries:
    @strawberry.field(extensions=allow(SIGNED_IN), description="My inbox, newest first.")
    async def notifications(
        self, info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> NotificationPage:
        rows, cursor = await resolvers.notifications(info, first, after, unread_only)
        return NotificationPage(
            notifications=[Notification.from_model(n) for n in rows],
            unread_count=await resolvers.unread_notification_count(info),
            next_cursor=cursor,
        )

    @strawberry.field(extensions=allow(SIGNED_IN))
    async def unread_notification_count(self, info: Info) -> int:
        return await resolvers.unread_notification_count(info)

    @strawberry.field(extensions=allow(SIGNED_IN))
    async def notification_preferences(self, info: Info) -> NotificationPreferences:
        return NotificationPreferences.from_user(await resolvers.notification_preferences(info))


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(extensions=allow(SIGNED_IN))
    @user_errors
    async def mark_notifications_read(
        self, info: Info, ids: list[strawberry.ID] | None = None, all: bool = False
    ) -> MarkReadResult:
        marked = await resolvers.mark_notifications_read(info, ids, all)
        return MarkedRead(
            marked=marked, unread_count=await resolvers.unread_notification_count(info)
        )

    @strawberry.mutation(
        extensions=allow(SIGNED_IN),
        description="Receive my notifications by push on this device (FCM registration token).",
    )
    @user_errors
    async def register_device(
        self, info: Info, token: str, platform: DevicePlatform
    ) -> RegisterDeviceResult:
        device = await resolvers.register_device(info, token, platform)
        return DeviceRegistered(device=Device.from_model(device))

    @strawberry.mutation(extensions=allow(SIGNED_IN))
    async def unregister_device(self, info: Info, token: str) -> Done:
        await resolvers.unregister_device(info, token)
        return Done()

    @strawberry.mutation(extensions=allow(SIGNED_IN))
    async def update_notification_preferences(
        self, info: Info, push: bool | None = None, email: bool | None = None
    ) -> NotificationPreferences:
        user = await resolvers.update_notification_preferences(info, push, email)
        return NotificationPreferences.from_user(user)


@strawberry.type
class NotificationSubscriptions:
    @strawberry.subscription(extensions=allow(SIGNED_IN))
    async def notification_added(self, info: Info) -> AsyncGenerator[Notification]:
        # aclosing: when the client leaves, the resolver's Redis subscription ends with it.
        async with aclosing(resolvers.notification_added(info)) as events:
            async for event in events:
                yield Notification.from_event(event)
