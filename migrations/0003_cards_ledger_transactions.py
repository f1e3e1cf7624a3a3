from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.cards import BeneficiaryKind, CardKind, CardStatus
from models.ledger import AccountKind, LedgerTransactionKind
from models.transactions import TransactionStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0002_integrity")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Beneficiary",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="MIDDLE_SCHOOLER: middle_schooler\nYOUNG_ADULT: young_adult",
                        enum_type=BeneficiaryKind,
                        max_length=16,
                    ),
                ),
                ("school_identifier", fields.CharField(null=True, unique=True, max_length=32)),
                ("first_name", fields.CharField(max_length=100)),
                ("last_name", fields.CharField(max_length=100)),
                ("birth_date", fields.DateField()),
                ("school_name", fields.CharField(null=True, max_length=200)),
                ("commune_code", fields.CharField(max_length=5)),
                ("photo_url", fields.CharField(null=True, max_length=500)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="beneficiaries",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={"table": "beneficiaries", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LedgerTransaction",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="YEAR_CREDIT: year_credit\nCARD_DEBIT: card_debit\nCARD_CANCELLATION: card_cancellation\nREGULARIZATION: regularization\nYEAR_FORFEIT: year_forfeit",
                        enum_type=LedgerTransactionKind,
                        max_length=24,
                    ),
                ),
                ("description", fields.CharField(max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "ledger_transactions", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Notification",
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
                        related_name="notifications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("kind", fields.CharField(max_length=48)),
                ("title", fields.CharField(max_length=200)),
                ("body", fields.CharField(max_length=1000)),
                (
                    "data",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("read_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "notifications",
                "app": "models",
                "indexes": [Index(fields=["user_id", "created_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SchoolYear",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("label", fields.CharField(unique=True, max_length=9)),
                ("starts_on", fields.DateField()),
                ("ends_on", fields.DateField()),
                ("closed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "school_years",
                "app": "models",
                "pk_attr": "id",
                "table_description": "From the first day of school to 31 August (Europe/Paris), with its wallet types.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Card",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("code", fields.CharField(unique=True, max_length=14)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="PHYSICAL: physical\nDIGITAL: digital",
                        enum_type=CardKind,
                        max_length=16,
                    ),
                ),
                (
                    "beneficiary",
                    fields.ForeignKeyField(
                        "models.Beneficiary",
                        source_field="beneficiary_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="cards",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "school_year",
                    fields.ForeignKeyField(
                        "models.SchoolYear",
                        source_field="school_year_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="cards",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=CardStatus.NOT_ACTIVATED,
                        description="NOT_ACTIVATED: not_activated\nACTIVE: active\nOPPOSED: opposed\nEXPIRED: expired",
                        enum_type=CardStatus,
                        max_length=16,
                    ),
                ),
                (
                    "activated_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("opposed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("opposition_reason", fields.CharField(null=True, max_length=16)),
                (
                    "replaces",
                    fields.ForeignKeyField(
                        "models.Card",
                        source_field="replaces_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("pin_hash", fields.CharField(null=True, max_length=64)),
                ("pin_failures", fields.IntField(default=0, db_default=0)),
                (
                    "pin_locked_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={"table": "cards", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LedgerAccount",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="FUNDING: funding\nWALLET: wallet\nPARTNER_PAYABLE: partner_payable",
                        enum_type=AccountKind,
                        max_length=16,
                    ),
                ),
                (
                    "school_year",
                    fields.ForeignKeyField(
                        "models.SchoolYear",
                        source_field="school_year_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "beneficiary",
                    fields.ForeignKeyField(
                        "models.Beneficiary",
                        source_field="beneficiary_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="wallets",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("wallet_kind", fields.CharField(null=True, max_length=32)),
                (
                    "partner",
                    fields.ForeignKeyField(
                        "models.Partner",
                        source_field="partner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("balance_cents", fields.BigIntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "ledger_accounts", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CardTransaction",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("reference", fields.CharField(unique=True, max_length=16)),
                (
                    "partner",
                    fields.ForeignKeyField(
                        "models.Partner",
                        source_field="partner_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="card_transactions",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "delegate_user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="delegate_user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "card",
                    fields.ForeignKeyField(
                        "models.Card",
                        source_field="card_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="transactions",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "wallet",
                    fields.ForeignKeyField(
                        "models.LedgerAccount",
                        source_field="wallet_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("wallet_kind", fields.CharField(max_length=32)),
                ("amount_cents", fields.IntField()),
                (
                    "status",
                    fields.CharEnumField(
                        default=TransactionStatus.COMPLETED,
                        description="COMPLETED: completed\nCANCELLED: cancelled\nREGULARIZED: regularized",
                        enum_type=TransactionStatus,
                        max_length=16,
                    ),
                ),
                ("idempotency_key", fields.CharField(max_length=64)),
                ("request_fingerprint", fields.CharField(max_length=64)),
                (
                    "ledger_transaction",
                    fields.ForeignKeyField(
                        "models.LedgerTransaction",
                        source_field="ledger_transaction_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "created_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "reversed_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "reversed_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="reversed_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("reversal_reason", fields.CharField(null=True, max_length=500)),
                (
                    "reversal",
                    fields.ForeignKeyField(
                        "models.LedgerTransaction",
                        source_field="reversal_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
            ],
            options={
                "table": "card_transactions",
                "app": "models",
                "unique_together": (("partner", "idempotency_key"),),
                "indexes": [Index(fields=["partner_id", "created_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LedgerEntry",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "ledger_transaction",
                    fields.ForeignKeyField(
                        "models.LedgerTransaction",
                        source_field="ledger_transaction_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="entries",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "models.LedgerAccount",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="entries",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("amount_cents", fields.BigIntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "ledger_entries",
                "app": "models",
                "indexes": [Index(fields=["account_id", "id"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SchoolYearWallet",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "school_year",
                    fields.ForeignKeyField(
                        "models.SchoolYear",
                        source_field="school_year_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="wallet_types",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("kind", fields.CharField(max_length=32)),
                ("label", fields.CharField(max_length=100)),
                ("amount_cents", fields.IntField()),
            ],
            options={
                "table": "school_year_wallets",
                "app": "models",
                "unique_together": (("school_year", "kind"),),
                "pk_attr": "id",
                "table_description": "A wallet type of a school year and the amount credited to each middle-schooler.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Partner",
            name="requires_pin",
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
