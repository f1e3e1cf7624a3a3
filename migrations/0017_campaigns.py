from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.campaigns import CampaignStatus, RecipientStatus
from models.notifications import Channel
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0016_partner_pin_commune_centre")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Campaign",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("name", fields.CharField(max_length=200)),
                (
                    "channels",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("subject", fields.CharField(default="", max_length=150)),
                ("title", fields.CharField(max_length=100)),
                ("body", fields.CharField(max_length=1000)),
                (
                    "offer_ids",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "segment",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=CampaignStatus.DRAFT,
                        description="DRAFT: draft\nSCHEDULED: scheduled\nSENDING: sending\nPAUSED: paused\nCOMPLETED: completed\nCANCELLED: cancelled",
                        enum_type=CampaignStatus,
                        max_length=12,
                    ),
                ),
                (
                    "scheduled_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "materialized_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("targeted", fields.IntField(default=0, db_default=0)),
                ("started_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "completed_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "cancelled_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "last_progress_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "campaigns",
                "app": "models",
                "indexes": [Index(fields=["status", "scheduled_at"])],
                "pk_attr": "id",
                "table_description": "A message of the marketing team to a segment of young people on chosen channels.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CampaignRecipient",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "campaign",
                    fields.ForeignKeyField(
                        "models.Campaign",
                        source_field="campaign_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="recipients",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "channel",
                    fields.CharEnumField(
                        description="EMAIL: email\nPUSH: push\nIN_APP: in_app",
                        enum_type=Channel,
                        max_length=8,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=RecipientStatus.PENDING,
                        description="PENDING: pending\nCLAIMED: claimed\nSENT: sent\nFAILED: failed\nSKIPPED: skipped",
                        enum_type=RecipientStatus,
                        max_length=8,
                    ),
                ),
                ("reason", fields.CharField(null=True, max_length=300)),
                ("attempts", fields.IntField(default=0, db_default=0)),
                ("claimed_by", fields.CharField(null=True, max_length=64)),
                (
                    "claimed_until",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("sent_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "campaign_recipients",
                "app": "models",
                "unique_together": (("campaign_id", "user_id", "channel"),),
                "indexes": [Index(fields=["campaign_id", "channel", "status", "id"])],
                "pk_attr": "id",
                "table_description": "One young person on one channel of a campaign: sent at most once.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ThemeInterest",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("theme", fields.CharField(max_length=32)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "theme_interests",
                "app": "models",
                "unique_together": (("user_id", "theme"),),
                "indexes": [Index(fields=["theme", "user_id"])],
                "pk_attr": "id",
                "table_description": "A theme a young person said they like, for the segments of campaigns.",
            },
            bases=["Model"],
        ),
    ]
