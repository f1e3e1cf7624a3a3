"""Bons plans used at the till (models/transactions.py `BonPlanUse`): no money moves, so no
ledger rows; the till's idempotency key is used once per partner (unique, as for debits),
the channel is a known one, and a cancellation always says who made it.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

from migrations._dialect import check_constraint


class Migration(migrations.Migration):
    dependencies = [("models", "0026_refresh_token_successor")]

    initial = False

    operations = [
        ops.CreateModel(
            name="BonPlanUse",
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
                        related_name="bon_plan_uses",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "offer",
                    fields.ForeignKeyField(
                        "models.Offer",
                        source_field="offer_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="uses",
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
                        related_name="bon_plan_uses",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "beneficiary",
                    fields.ForeignKeyField(
                        "models.Beneficiary",
                        source_field="beneficiary_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="bon_plan_uses",
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
                ("title", fields.CharField(max_length=200)),
                ("channel", fields.CharField(max_length=16)),
                ("idempotency_key", fields.CharField(max_length=64)),
                ("request_fingerprint", fields.CharField(max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "cancelled_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "cancelled_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="cancelled_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
            ],
            options={
                "table": "bon_plan_uses",
                "app": "models",
                "unique_together": (("partner", "idempotency_key"),),
                "indexes": [
                    Index(fields=["partner_id", "created_at"]),
                    Index(fields=["offer_id", "created_at"]),
                    Index(fields=["beneficiary_id", "created_at"]),
                ],
                "pk_attr": "id",
                "table_description": 'A young person used a partner\'s deal ("bon plan") on presentation of the card: no',
            },
            bases=["Model"],
        ),
        check_constraint(
            "bon_plan_uses",
            "bon_plan_uses_channel_known",
            "channel IN ('till', 'terminal')",
            "NEW.channel IN ('till', 'terminal')",
        ),
        check_constraint(
            "bon_plan_uses",
            "bon_plan_uses_cancelled_by_someone",
            "(cancelled_at IS NULL) = (cancelled_by_id IS NULL)",
            "(NEW.cancelled_at IS NULL) = (NEW.cancelled_by_id IS NULL)",
        ),
    ]
