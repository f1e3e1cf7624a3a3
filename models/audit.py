"""The append-only audit trail. The database refuses UPDATE and DELETE on it (see migrations)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    id = fields.BigIntField(primary_key=True)
    occurred_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    actor_kind = fields.CharField(max_length=16)
    partner: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Partner", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    action = fields.CharField(max_length=64, db_index=True)
    object_type = fields.CharField(max_length=32)
    object_id = fields.CharField(max_length=64)
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)
    client_address = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "audit_entries"
        indexes = (("partner_id", "id"),)
