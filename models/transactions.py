"""What happens at the till: a partner debiting a young person's wallet (and what became of
it), and a deal used on presentation of the card."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # for annotations only: Tortoise links the models by name ("models.X")
    from models.accounts import User
    from models.cards import Beneficiary, Card
    from models.ledger import LedgerAccount, LedgerTransaction
    from models.offers import Offer
    from models.partners import Partner
    from models.terminals import Terminal


class TransactionStatus(StrEnum):
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # by the partner, the same day
    REGULARIZED = "regularized"  # by support staff, afterwards


class CardTransaction(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    reference = fields.CharField(max_length=16, unique=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="card_transactions", on_delete=fields.RESTRICT
    )
    partner_id: uuid.UUID
    delegate_user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.RESTRICT
    )
    delegate_user_id: uuid.UUID
    # The payment terminal that made it; null for a person's till.
    terminal: fields.ForeignKeyNullableRelation[Terminal] = fields.ForeignKeyField(
        "models.Terminal", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    terminal_id: uuid.UUID | None
    card: fields.ForeignKeyRelation[Card] = fields.ForeignKeyField(
        "models.Card", related_name="transactions", on_delete=fields.RESTRICT
    )
    card_id: uuid.UUID
    wallet: fields.ForeignKeyRelation[LedgerAccount] = fields.ForeignKeyField(
        "models.LedgerAccount", related_name=False, on_delete=fields.RESTRICT
    )
    wallet_id: uuid.UUID
    wallet_kind = fields.CharField(max_length=32)
    amount_cents = fields.IntField()
    status = fields.CharEnumField(
        TransactionStatus, max_length=16, default=TransactionStatus.COMPLETED
    )
    idempotency_key = fields.CharField(max_length=64)
    request_fingerprint = fields.CharField(max_length=64)
    ledger_transaction: fields.ForeignKeyRelation[LedgerTransaction] = fields.ForeignKeyField(
        "models.LedgerTransaction", related_name=False, on_delete=fields.RESTRICT
    )
    ledger_transaction_id: int
    created_at = fields.DatetimeField(db_index=True)  # set from domain.core.clock: same-day rules
    reversed_at = fields.DatetimeField(null=True)
    reversed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    reversed_by_id: uuid.UUID | None
    reversal_reason = fields.CharField(max_length=500, null=True)
    reversal: fields.ForeignKeyNullableRelation[LedgerTransaction] = fields.ForeignKeyField(
        "models.LedgerTransaction", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    reversal_id: int | None

    class Meta:
        table = "card_transactions"
        unique_together = (("partner", "idempotency_key"),)
        indexes = (("partner_id", "created_at"),)


class BonPlanUse(Model):
    """A young person used a partner's deal ("bon plan") on presentation of the card: no
    money moves. Recorded at the till, counted per deal, shown in the holder's history."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    reference = fields.CharField(max_length=16, unique=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="bon_plan_uses", on_delete=fields.RESTRICT
    )
    partner_id: uuid.UUID
    offer: fields.ForeignKeyRelation[Offer] = fields.ForeignKeyField(
        "models.Offer", related_name="uses", on_delete=fields.RESTRICT
    )
    offer_id: uuid.UUID
    card: fields.ForeignKeyRelation[Card] = fields.ForeignKeyField(
        "models.Card", related_name="bon_plan_uses", on_delete=fields.RESTRICT
    )
    card_id: uuid.UUID
    beneficiary: fields.ForeignKeyRelation[Beneficiary] = fields.ForeignKeyField(
        "models.Beneficiary", related_name="bon_plan_uses", on_delete=fields.RESTRICT
    )
    beneficiary_id: uuid.UUID
    delegate_user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.RESTRICT
    )
    delegate_user_id: uuid.UUID
    title = fields.CharField(max_length=200)  # the deal's published title when it was used
    channel = fields.CharField(max_length=16)  # till | terminal
    idempotency_key = fields.CharField(max_length=64)
    request_fingerprint = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()  # set from domain.core.clock: same-day rules
    cancelled_at = fields.DatetimeField(null=True)
    cancelled_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    cancelled_by_id: uuid.UUID | None

    class Meta:
        table = "bon_plan_uses"
        unique_together = (("partner", "idempotency_key"),)
        indexes = (
            ("partner_id", "created_at"),
            ("offer_id", "created_at"),
            ("beneficiary_id", "created_at"),
        )
