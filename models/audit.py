"""The append-only audit trail. The database refuses UPDATE and DELETE on it (see migrations)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # for annotations only: Tortoise links the models by name ("models.X")
    from models.accounts import User
    from models.partners import Partner


class AuditEntry(Model):
    id = fields.BigIntField(primary_key=True)
    occurred_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    actor_id: uuid.UUID | None
    actor_kind = fields.CharField(max_length=16)
    partner: fields.ForeignKeyNullableRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    partner_id: uuid.UUID | None
    action = fields.CharField(max_length=64, db_index=True)
    object_type = fields.CharField(max_length=32)
    object_id = fields.CharField(max_length=64)
    before: dict[str, Any] | None = fields.JSONField(null=True)
    after: dict[str, Any] | None = fields.JSONField(null=True)
    client_address = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "audit_entries"
        indexes = (("partner_id", "id"),)
