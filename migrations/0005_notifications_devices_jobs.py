from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.notifications import Channel, ConsentSource, DeliveryStatus, DevicePlatform
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0004_money_integrity")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Device",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="devices",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("token", fields.CharField(unique=True, max_length=512)),
                (
                    "platform",
                    fields.CharEnumField(
                        description="ANDROID: android\nIOS: ios\nWEB: web",
                        enum_type=DevicePlatform,
                        max_length=16,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("last_seen_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "devices",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A phone or browser that receives push notifications through its FCM registration token.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="JobFailure",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("task_name", fields.CharField(max_length=200)),
                ("task_id", fields.CharField(max_length=64)),
                (
                    "arguments",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("error", fields.TextField(unique=False)),
                ("attempts", fields.IntField()),
                ("failed_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("retried_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "resolved_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "job_failures",
                "app": "models",
                "indexes": [Index(fields=["resolved_at", "failed_at"])],
                "pk_attr": "id",
                "table_description": "A job that exhausted its retries, kept for staff to see and run again.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MarketingConsentEvent",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="consent_events",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("channel", fields.CharField(max_length=8)),
                ("opted_in", fields.BooleanField()),
                (
                    "source",
                    fields.CharEnumField(
                        description="APP: app\nUNSUBSCRIBE_LINK: unsubscribe_link\nSUPPORT: support\nPARENT: parent",
                        enum_type=ConsentSource,
                        max_length=24,
                    ),
                ),
                ("campaign_id", fields.UUIDField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "marketing_consent_events",
                "app": "models",
                "pk_attr": "id",
                "table_description": "Append-only proof of each marketing opt-in or opt-out, per channel.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="NotificationDelivery",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "notification",
                    fields.ForeignKeyField(
                        "models.Notification",
                        source_field="notification_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="deliveries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "channel",
                    fields.CharEnumField(
                        description="PUSH: push\nEMAIL: email",
                        enum_type=Channel,
                        max_length=8,
                    ),
                ),
                ("target", fields.CharField(max_length=64)),
                (
                    "status",
                    fields.CharEnumField(
                        default=DeliveryStatus.PENDING,
                        description="PENDING: pending\nSENT: sent\nFAILED: failed",
                        enum_type=DeliveryStatus,
                        max_length=8,
                    ),
                ),
                ("attempts", fields.IntField(default=0)),
                ("last_error", fields.CharField(null=True, max_length=500)),
                ("next_attempt_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "claimed_until",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("sent_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "notification_deliveries",
                "app": "models",
                "unique_together": (("notification_id", "channel", "target"),),
                "indexes": [Index(fields=["status", "next_attempt_at"])],
                "pk_attr": "id",
                "table_description": "One notification sent on one channel to one target (a device, or the email address).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ParentalConsent",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "young_person",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="young_person_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="parental_consents",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("parent_name", fields.CharField(max_length=200)),
                ("parent_email", fields.CharField(max_length=254)),
                ("requested_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("given_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "withdrawn_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "recorded_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="recorded_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="recorded_consents",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
            ],
            options={
                "table": "parental_consents",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A parent's agreement that an under-15 receives marketing messages (recorded, revocable).",
            },
            bases=["Model"],
        ),
        ops.AlterModelOptions(
            name="Notification",
            options={
                "table": "notifications",
                "app": "models",
                "indexes": [
                    Index(fields=["user_id", "created_at"]),
                    Index(fields=["dispatched_at", "created_at"]),
                ],
                "pk_attr": "id",
                "table_description": "One message in a user's inbox, written in the transaction of the event it reports.",
            },
        ),
        ops.AddField(
            model_name="Notification",
            name="dispatched_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name="Notification",
            index=Index(fields=["dispatched_at", "created_at"]),
        ),
        ops.AddField(
            model_name="User",
            name="notify_by_email",
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name="User",
            name="notify_by_push",
            field=fields.BooleanField(default=True, db_default=True),
        ),
    ]
