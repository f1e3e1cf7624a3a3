"""Reimbursing partners: bank details, fortnightly periods, reimbursements and their lines,
payment batches (SEPA transfers) and the daily collection report markers.

Amounts are integer cents. What must never happen is refused by the database too
(migrations/0020_finance_integrity.py): a transaction assigned twice, a line rewritten, a
reimbursement whose net is not the sum of its parts, a batch changed once set.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # for annotations only: Tortoise links the models by name ("models.X")
    from models.accounts import User
    from models.ledger import LedgerTransaction
    from models.partners import Partner
    from models.transactions import CardTransaction


class BankDetailsStatus(StrEnum):
    PENDING_VALIDATION = "pending_validation"  # entered by the partner, payments held
    VALIDATED = "validated"  # checked by finance staff: transfers go there
    SUPERSEDED = "superseded"  # replaced by newer details
    REFUSED = "refused"  # finance staff refused the change (e.g. a suspected fraud)


class BankDetails(Model):
    """One submission of a partner's bank details, kept for ever as history"""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="bank_details", on_delete=fields.RESTRICT
    )
    partner_id: uuid.UUID
    iban = fields.CharField(max_length=34)
    bic = fields.CharField(max_length=11)
    holder_name = fields.CharField(max_length=70)
    status = fields.CharEnumField(BankDetailsStatus, max_length=24)
    submitted_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.RESTRICT
    )
    submitted_by_id: uuid.UUID
    submitted_at = fields.DatetimeField()
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    decided_by_id: uuid.UUID | None
    decided_at = fields.DatetimeField(null=True)
    refusal_reason = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "bank_details"
        indexes = (("partner_id", "submitted_at"),)


class ReimbursementPeriod(Model):
    """A fortnight (1st-15th or 16th-end of month, Paris days) and when it was closed"""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    starts_on = fields.DateField(unique=True)
    ends_on = fields.DateField()
    closed_at = fields.DatetimeField(null=True)
    # The reconciliation at close: null when the figures added up, else per-partner gaps.
    discrepancies: list[dict[str, Any]] | None = fields.JSONField(null=True)

    class Meta:
        table = "reimbursement_periods"


class ReimbursementStatus(StrEnum):
    PENDING = "pending"  # closed, waiting for a payment batch (or held)
    IN_BATCH = "in_batch"  # in a SEPA file not yet paid
    PAID = "paid"
    REJECTED = "rejected"  # the transfer came back; carried over once the details are fixed
    CARRIED_OVER = "carried_over"  # held, then added to a later reimbursement


class Reimbursement(Model):
    """What the departement owes one partner for one period, and what became of it"""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    reference = fields.CharField(max_length=32, unique=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="reimbursements", on_delete=fields.RESTRICT
    )
    partner_id: uuid.UUID
    period: fields.ForeignKeyRelation[ReimbursementPeriod] = fields.ForeignKeyField(
        "models.ReimbursementPeriod", related_name="reimbursements", on_delete=fields.RESTRICT
    )
    period_id: uuid.UUID
    lines_count = fields.IntField(default=0, db_default=0)
    lines_cents = fields.BigIntField(default=0, db_default=0)  # the period's debits
    adjustments_cents = fields.BigIntField(default=0, db_default=0)  # later regularisations
    carried_in_cents = fields.BigIntField(default=0, db_default=0)  # from held reimbursements
    amount_cents = fields.BigIntField(default=0, db_default=0)  # the net: the sum of the three
    status = fields.CharEnumField(
        ReimbursementStatus, max_length=16, default=ReimbursementStatus.PENDING
    )
    batch: fields.ForeignKeyNullableRelation[PaymentBatch] = fields.ForeignKeyField(
        "models.PaymentBatch", related_name="reimbursements", null=True, on_delete=fields.RESTRICT
    )
    batch_id: uuid.UUID | None
    # The validated details the transfer was sent to (set when it joins a batch).
    bank_details: fields.ForeignKeyNullableRelation[BankDetails] = fields.ForeignKeyField(
        "models.BankDetails", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    bank_details_id: uuid.UUID | None
    paid_at = fields.DatetimeField(null=True)
    payout: fields.ForeignKeyNullableRelation[LedgerTransaction] = fields.ForeignKeyField(
        "models.LedgerTransaction", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    payout_id: int | None
    rejected_at = fields.DatetimeField(null=True)
    rejection_reason = fields.CharField(max_length=500, null=True)
    carried_over_to: fields.ForeignKeyNullableRelation[Reimbursement] = fields.ForeignKeyField(
        "models.Reimbursement", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    carried_over_to_id: uuid.UUID | None
    created_at = fields.DatetimeField()

    class Meta:
        table = "reimbursements"
        unique_together = (("partner", "period"),)
        indexes = (("period_id", "status"), ("batch_id",))


class ReimbursementWalletTotal(Model):
    """A reimbursement's debits of one wallet type (written at close)"""

    id = fields.BigIntField(primary_key=True)
    reimbursement: fields.ForeignKeyRelation[Reimbursement] = fields.ForeignKeyField(
        "models.Reimbursement", related_name="wallet_totals", on_delete=fields.RESTRICT
    )
    reimbursement_id: uuid.UUID
    wallet_kind = fields.CharField(max_length=32)
    transactions_count = fields.IntField()
    amount_cents = fields.BigIntField()

    class Meta:
        table = "reimbursement_wallet_totals"
        unique_together = (("reimbursement", "wallet_kind"),)


class ReimbursementLine(Model):
    """One debit assigned to the reimbursement that repays it (once: unique on the debit)"""

    # No foreign-key constraints: PostgreSQL checks them row by row, with a row lock on the
    # debit and on the reimbursement, which doubled the time of closing a million debits.
    # Lines are only written by the close, from rows it joins (domain/finance/reimbursements.py),
    # never updated or deleted (append-only), and a debit that disappeared would show as a
    # reconciliation gap. The uniqueness on the debit, what matters, stays in the database.
    id = fields.BigIntField(primary_key=True)
    reimbursement: fields.ForeignKeyRelation[Reimbursement] = fields.ForeignKeyField(
        "models.Reimbursement", related_name="lines", on_delete=fields.RESTRICT, db_constraint=False
    )
    reimbursement_id: uuid.UUID
    transaction: fields.OneToOneRelation[CardTransaction] = fields.OneToOneField(
        "models.CardTransaction",
        related_name="reimbursement_line",
        on_delete=fields.RESTRICT,
        db_constraint=False,
    )
    transaction_id: uuid.UUID
    wallet_kind = fields.CharField(max_length=32)
    amount_cents = fields.BigIntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "reimbursement_lines"
        indexes = (("reimbursement_id", "wallet_kind"),)


class ReimbursementAdjustment(Model):
    """A reimbursed debit reversed afterwards, taken back from a later reimbursement"""

    id = fields.BigIntField(primary_key=True)
    reimbursement: fields.ForeignKeyRelation[Reimbursement] = fields.ForeignKeyField(
        "models.Reimbursement", related_name="adjustments", on_delete=fields.RESTRICT
    )
    reimbursement_id: uuid.UUID
    transaction: fields.OneToOneRelation[CardTransaction] = fields.OneToOneField(
        "models.CardTransaction", related_name="reimbursement_adjustment", on_delete=fields.RESTRICT
    )
    transaction_id: uuid.UUID
    amount_cents = fields.BigIntField()  # negative: what is taken back
    created_at = fields.DatetimeField()

    class Meta:
        table = "reimbursement_adjustments"


class PaymentBatchStatus(StrEnum):
    GENERATED = "generated"  # the SEPA file is written, not yet sent to the bank
    SENT = "sent"
    PAID = "paid"


class PaymentBatch(Model):
    """The transfers of one period: a SEPA credit-transfer file and its accounting CSV"""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    reference = fields.CharField(max_length=35, unique=True)
    period: fields.OneToOneRelation[ReimbursementPeriod] = fields.OneToOneField(
        "models.ReimbursementPeriod", related_name="batch", on_delete=fields.RESTRICT
    )
    period_id: uuid.UUID
    status = fields.CharEnumField(
        PaymentBatchStatus, max_length=16, default=PaymentBatchStatus.GENERATED
    )
    transfers_count = fields.IntField()
    total_cents = fields.BigIntField()
    execution_date = fields.DateField()
    sepa_key = fields.CharField(max_length=255)
    sepa_sha256 = fields.CharField(max_length=64)
    csv_key = fields.CharField(max_length=255)
    csv_sha256 = fields.CharField(max_length=64)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    created_by_id: uuid.UUID | None
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    paid_at = fields.DatetimeField(null=True)

    class Meta:
        table = "payment_batches"


class DailyCollectionReport(Model):
    """The evening report of one partner's day, written before it is sent: sent once"""

    id = fields.BigIntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name=False, on_delete=fields.RESTRICT
    )
    partner_id: uuid.UUID
    day = fields.DateField()
    transactions_count = fields.IntField()
    amount_cents = fields.BigIntField()
    recipients_count = fields.IntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "daily_collection_reports"
        unique_together = (("partner", "day"),)
