"""Marketing campaigns by email, push and in-app, one row per recipient and channel."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.notifications import Channel

if TYPE_CHECKING:  # for annotations only: Tortoise links the models by name ("models.X")
    from models.accounts import User


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class RecipientStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # a worker holds it until claimed_until
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # no longer eligible, or the campaign was cancelled


class Campaign(Model):
    """A message of the marketing team to a segment of young people on chosen channels."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    name = fields.CharField(max_length=200)
    channels: list[str] = fields.JSONField(default=list)  # Channel values
    subject = fields.CharField(max_length=150, default="")  # the email's subject
    title = fields.CharField(max_length=100)  # push title, email and inbox heading
    body = fields.CharField(max_length=1000)
    offer_ids: list[str] = fields.JSONField(default=list)  # deals and events shown as cards
    # {"kinds": [...], "minAge", "maxAge", "communes": [...], "partnerIds": [...],
    #  "themes": [...], "cardActivated": bool | null}; empty: every young person.
    segment: dict[str, object] = fields.JSONField(default=dict)
    status = fields.CharEnumField(CampaignStatus, max_length=12, default=CampaignStatus.DRAFT)
    scheduled_at = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by_id: uuid.UUID | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # Set once the recipients are written: the audience is frozen from then on.
    materialized_at = fields.DatetimeField(null=True)
    targeted = fields.IntField(default=0, db_default=0)  # recipient rows, all channels
    started_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    # The last batch recorded: the sweeper restarts a sending campaign that stopped moving.
    last_progress_at = fields.DatetimeField(null=True)

    class Meta:
        table = "campaigns"
        indexes = (("status", "scheduled_at"),)


class CampaignRecipient(Model):
    """One young person on one channel of a campaign: sent at most once."""

    id = fields.BigIntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "models.Campaign", related_name="recipients", on_delete=fields.CASCADE
    )
    campaign_id: uuid.UUID
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    # The description stays as the migrations recorded it: a new Channel must not alter this
    # field (on SQLite that rebuilds the table and drops its CHECK triggers); the accepted
    # values are the CHECK constraint's (migrations/0018_campaigns_integrity.py).
    channel = fields.CharEnumField(
        Channel, max_length=8, description="EMAIL: email\nPUSH: push\nIN_APP: in_app"
    )
    status = fields.CharEnumField(RecipientStatus, max_length=8, default=RecipientStatus.PENDING)
    reason = fields.CharField(max_length=300, null=True)  # why failed or skipped
    attempts = fields.IntField(default=0, db_default=0)
    claimed_by = fields.CharField(max_length=64, null=True)  # the batch holding it
    claimed_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "campaign_recipients"
        unique_together = (("campaign_id", "user_id", "channel"),)
        indexes = (("campaign_id", "channel", "status", "id"),)


class ThemeInterest(Model):
    """A theme a young person said they like, for the segments of campaigns."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    theme = fields.CharField(max_length=32)  # an OfferTheme value
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "theme_interests"
        unique_together = (("user_id", "theme"),)
        indexes = (("theme", "user_id"),)
