from tortoise import migrations
from tortoise.migrations import operations as ops

from migrations._dialect import DescribeField
import functools
from json import dumps, loads
from models.finance import BankDetailsStatus, PaymentBatchStatus, ReimbursementStatus
from models.ledger import AccountKind, LedgerTransactionKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0018_campaigns_integrity")]

    initial = False

    operations = [
        ops.CreateModel(
            name="BankDetails",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "partner",
                    fields.ForeignKeyField(
                        "models.Partner",
                        source_field="partner_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="bank_details",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("iban", fields.CharField(max_length=34)),
                ("bic", fields.CharField(max_length=11)),
                ("holder_name", fields.CharField(max_length=70)),
                (
                    "status",
                    fields.CharEnumField(
                        description="PENDING_VALIDATION: pending_validation\nVALIDATED: validated\nSUPERSEDED: superseded\nREFUSED: refused",
                        enum_type=BankDetailsStatus,
                        max_length=24,
                    ),
                ),
                (
                    "submitted_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="submitted_by_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("submitted_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "decided_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="decided_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("decided_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("refusal_reason", fields.CharField(null=True, max_length=500)),
            ],
            options={
                "table": "bank_details",
                "app": "models",
                "indexes": [Index(fields=["partner_id", "submitted_at"])],
                "pk_attr": "id",
                "table_description": "One submission of a partner's bank details, kept for ever as history",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="DailyCollectionReport",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "partner",
                    fields.ForeignKeyField(
                        "models.Partner",
                        source_field="partner_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("day", fields.DateField()),
                ("transactions_count", fields.IntField()),
                ("amount_cents", fields.BigIntField()),
                ("recipients_count", fields.IntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "daily_collection_reports",
                "app": "models",
                "unique_together": (("partner", "day"),),
                "pk_attr": "id",
                "table_description": "The evening report of one partner's day, written before it is sent: sent once",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ReimbursementPeriod",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("starts_on", fields.DateField(unique=True)),
                ("ends_on", fields.DateField()),
                ("closed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "discrepancies",
                    fields.JSONField(
                        null=True,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
            ],
            options={
                "table": "reimbursement_periods",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A fortnight (1st-15th or 16th-end of month, Paris days) and when it was closed",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PaymentBatch",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("reference", fields.CharField(unique=True, max_length=35)),
                (
                    "period",
                    fields.OneToOneField(
                        "models.ReimbursementPeriod",
                        source_field="period_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="batch",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=PaymentBatchStatus.GENERATED,
                        description="GENERATED: generated\nSENT: sent\nPAID: paid",
                        enum_type=PaymentBatchStatus,
                        max_length=16,
                    ),
                ),
                ("transfers_count", fields.IntField()),
                ("total_cents", fields.BigIntField()),
                ("execution_date", fields.DateField()),
                ("sepa_key", fields.CharField(max_length=255)),
                ("sepa_sha256", fields.CharField(max_length=64)),
                ("csv_key", fields.CharField(max_length=255)),
                ("csv_sha256", fields.CharField(max_length=64)),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("sent_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("paid_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "payment_batches",
                "app": "models",
                "pk_attr": "id",
                "table_description": "The transfers of one period: a SEPA credit-transfer file and its accounting CSV",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Reimbursement",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("reference", fields.CharField(unique=True, max_length=32)),
                (
                    "partner",
                    fields.ForeignKeyField(
                        "models.Partner",
                        source_field="partner_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="reimbursements",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "period",
                    fields.ForeignKeyField(
                        "models.ReimbursementPeriod",
                        source_field="period_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="reimbursements",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("lines_count", fields.IntField(default=0, db_default=0)),
                ("lines_cents", fields.BigIntField(default=0, db_default=0)),
                ("adjustments_cents", fields.BigIntField(default=0, db_default=0)),
                ("carried_in_cents", fields.BigIntField(default=0, db_default=0)),
                ("amount_cents", fields.BigIntField(default=0, db_default=0)),
                (
                    "status",
                    fields.CharEnumField(
                        default=ReimbursementStatus.PENDING,
                        description="PENDING: pending\nIN_BATCH: in_batch\nPAID: paid\nREJECTED: rejected\nCARRIED_OVER: carried_over",
                        enum_type=ReimbursementStatus,
                        max_length=16,
                    ),
                ),
                (
                    "batch",
                    fields.ForeignKeyField(
                        "models.PaymentBatch",
                        source_field="batch_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="reimbursements",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "bank_details",
                    fields.ForeignKeyField(
                        "models.BankDetails",
                        source_field="bank_details_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("paid_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "payout",
                    fields.ForeignKeyField(
                        "models.LedgerTransaction",
                        source_field="payout_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "rejected_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("rejection_reason", fields.CharField(null=True, max_length=500)),
                (
                    "carried_over_to",
                    fields.ForeignKeyField(
                        "models.Reimbursement",
                        source_field="carried_over_to_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "reimbursements",
                "app": "models",
                "unique_together": (("partner", "period"),),
                "indexes": [Index(fields=["period_id", "status"]), Index(fields=["batch_id"])],
                "pk_attr": "id",
                "table_description": "What the departement owes one partner for one period, and what became of it",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ReimbursementAdjustment",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "reimbursement",
                    fields.ForeignKeyField(
                        "models.Reimbursement",
                        source_field="reimbursement_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="adjustments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "transaction",
                    fields.OneToOneField(
                        "models.CardTransaction",
                        source_field="transaction_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="reimbursement_adjustment",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("amount_cents", fields.BigIntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "reimbursement_adjustments",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A reimbursed debit reversed afterwards, taken back from a later reimbursement",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ReimbursementLine",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "reimbursement",
                    fields.ForeignKeyField(
                        "models.Reimbursement",
                        source_field="reimbursement_id",
                        db_constraint=False,
                        to_field="id",
                        related_name="lines",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "transaction",
                    fields.OneToOneField(
                        "models.CardTransaction",
                        source_field="transaction_id",
                        db_constraint=False,
                        to_field="id",
                        related_name="reimbursement_line",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("wallet_kind", fields.CharField(max_length=32)),
                ("amount_cents", fields.BigIntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "reimbursement_lines",
                "app": "models",
                "indexes": [Index(fields=["reimbursement_id", "wallet_kind"])],
                "pk_attr": "id",
                "table_description": "One debit assigned to the reimbursement that repays it (once: unique on the debit)",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ReimbursementWalletTotal",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "reimbursement",
                    fields.ForeignKeyField(
                        "models.Reimbursement",
                        source_field="reimbursement_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="wallet_totals",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("wallet_kind", fields.CharField(max_length=32)),
                ("transactions_count", fields.IntField()),
                ("amount_cents", fields.BigIntField()),
            ],
            options={
                "table": "reimbursement_wallet_totals",
                "app": "models",
                "unique_together": (("reimbursement", "wallet_kind"),),
                "pk_attr": "id",
                "table_description": "A reimbursement's debits of one wallet type (written at close)",
            },
            bases=["Model"],
        ),
        DescribeField(
            model_name="LedgerAccount",
            name="kind",
            field=fields.CharEnumField(
                description="FUNDING: funding\nWALLET: wallet\nPARTNER_PAYABLE: partner_payable\nDISBURSED: disbursed",
                enum_type=AccountKind,
                max_length=16,
            ),
        ),
        DescribeField(
            model_name="LedgerTransaction",
            name="kind",
            field=fields.CharEnumField(
                description="YEAR_CREDIT: year_credit\nCARD_DEBIT: card_debit\nCARD_CANCELLATION: card_cancellation\nREGULARIZATION: regularization\nYEAR_FORFEIT: year_forfeit\nREIMBURSEMENT_PAYOUT: reimbursement_payout",
                enum_type=LedgerTransactionKind,
                max_length=24,
            ),
        ),
    ]
