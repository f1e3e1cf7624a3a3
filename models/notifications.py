"""The in-app inbox: one row per notification, written in the transaction that causes it."""

from __future__ import annotations

import uuid

from tortoise import fields
from tortoise.models import Model


class Notification(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=48)
    title = fields.CharField(max_length=200)
    body = fields.CharField(max_length=1000)
    data = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications"
        indexes = (("user_id", "created_at"),)
