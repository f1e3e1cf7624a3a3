"""Card transactions: a partner debiting a young person's wallet, and what became of it."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class TransactionStatus(StrEnum):
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # by the partner, the same day
    REGULARIZED = "regularized"  # by support staff, afterwards


class CardTransaction(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    reference = fields.CharField(max_length=16, unique=True)
    partner: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Partner", related_name="card_transactions", on_delete=fields.RESTRICT
    )
    delegate_user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.RESTRICT
    )
    card: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Card", related_name="transactions", on_delete=fields.RESTRICT
    )
    wallet: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.LedgerAccount", related_name=False, on_delete=fields.RESTRICT
    )
    wallet_kind = fields.CharField(max_length=32)
    amount_cents = fields.IntField()
    status = fields.CharEnumField(
        TransactionStatus, max_length=16, default=TransactionStatus.COMPLETED
    )
    idempotency_key = fields.CharField(max_length=64)
    request_fingerprint = fields.CharField(max_length=64)
    ledger_transaction: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.LedgerTransaction", related_name=False, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(db_index=True)  # set from domain.core.clock: same-day rules
    reversed_at = fields.DatetimeField(null=True)
    reversed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    reversal_reason = fields.CharField(max_length=500, null=True)
    reversal: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.LedgerTransaction", related_name=False, null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "card_transactions"
        unique_together = (("partner", "idempotency_key"),)
        indexes = (("partner_id", "created_at"),)
