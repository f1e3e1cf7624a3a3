"""Types for the in-app inbox, devices and notification preferences."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from domain.notifications.preferences import wants
from models.accounts import User
from models.notifications import Channel
from models.notifications import Device as DeviceModel
from models.notifications import DevicePlatform as DevicePlatformModel
from models.notifications import Notification as NotificationModel

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
