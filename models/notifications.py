"""The in-app inbox, devices, per-channel deliveries and marketing consent."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # for annotations only: Tortoise links the models by name ("models.X")
    from models.accounts import User


class Notification(Model):
    """One message in a user's inbox, written in the transaction of the event it reports."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    kind = fields.CharField(max_length=48)
    title = fields.CharField(max_length=200)
    body = fields.CharField(max_length=1000)
    data: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)
    # Set once the deliveries (push, email) are planned; the sweeper plans the forgotten ones.
    dispatched_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications"
        indexes = (("user_id", "created_at"), ("dispatched_at", "created_at"))


class DevicePlatform(StrEnum):
    ANDROID = "android"
    IOS = "ios"
    WEB = "web"


class Device(Model):
    """A phone or browser that receives push notifications through its FCM registration token."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="devices", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    token = fields.CharField(max_length=512, unique=True)
    platform = fields.CharEnumField(DevicePlatform, max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "devices"


class Channel(StrEnum):
    """The ways CJeune reaches a person; what each one does is in domain/notifications/channels/.

    Stored in notification_deliveries.channel, campaign_recipients.channel and
    marketing_consent_events.channel (CHECK constraints list the values the database accepts).
    """

    EMAIL = "email"
    PUSH = "push"
    IN_APP = "in_app"  # the app's inbox


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class NotificationDelivery(Model):
    """One notification sent on one channel to one target (a device, or the email address)."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    notification: fields.ForeignKeyRelation[Notification] = fields.ForeignKeyField(
        "models.Notification", related_name="deliveries", on_delete=fields.CASCADE
    )
    notification_id: uuid.UUID
    # Only the channels that deliver notifications one by one have rows (the inbox is the
    # notification itself). The description stays as the migrations recorded it: a new
    # Channel must not alter this field (on SQLite that rebuilds the table and drops its
    # CHECK triggers).
    channel = fields.CharEnumField(Channel, max_length=8, description="PUSH: push\nEMAIL: email")
    target = fields.CharField(max_length=64)  # the device id, or "email"
    status = fields.CharEnumField(DeliveryStatus, max_length=8, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    last_error = fields.CharField(max_length=500, null=True)
    next_attempt_at = fields.DatetimeField()
    claimed_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notification_deliveries"
        unique_together = (("notification_id", "channel", "target"),)
        indexes = (("status", "next_attempt_at"),)


class ConsentSource(StrEnum):
    APP = "app"
    UNSUBSCRIBE_LINK = "unsubscribe_link"
    SUPPORT = "support"
    PARENT = "parent"


class MarketingConsentEvent(Model):
    """Append-only proof of each marketing opt-in or opt-out, per channel."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="consent_events", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    channel = fields.CharField(max_length=8)  # a Channel with a marketing opt-in
    opted_in = fields.BooleanField()
    source = fields.CharEnumField(ConsentSource, max_length=24)
    campaign_id = fields.UUIDField(null=True)  # the campaign whose link was used to unsubscribe
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "marketing_consent_events"


class ParentalConsent(Model):
    """A parent's agreement that an under-15 receives marketing messages (recorded, revocable)."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    young_person: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="parental_consents", on_delete=fields.CASCADE
    )
    young_person_id: uuid.UUID
    parent_name = fields.CharField(max_length=200)
    parent_email = fields.CharField(max_length=254)
    requested_at = fields.DatetimeField(auto_now_add=True)
    given_at = fields.DatetimeField(null=True)
    withdrawn_at = fields.DatetimeField(null=True)
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="recorded_consents", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: uuid.UUID | None

    class Meta:
        table = "parental_consents"
