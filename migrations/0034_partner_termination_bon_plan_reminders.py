"""A partner's convention may be terminated (`PartnerStatus.TERMINATED`), and a suspension or
a termination keeps its day and reason (`Partner.status_since`, `status_reason`); the
reminders of the yearly « at least one bon plan » commitment are kept (`BonPlanReminder`)."""

from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from migrations._dialect import AddColumn, DescribeField
from models.partners import PartnerStatus


class Migration(migrations.Migration):
    dependencies = [("models", "0033_daily_collection_email")]

    initial = False

    operations = [
        ops.CreateModel(
            name="BonPlanReminder",
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
                        related_name="bon_plan_reminders",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("school_year", fields.CharField(max_length=9)),
                ("recipient_email", fields.CharField(max_length=254)),
                (
                    "sent_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="sent_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("sent_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "bon_plan_reminders",
                "app": "models",
                "indexes": [Index(fields=["partner_id", "sent_at"])],
                "pk_attr": "id",
                "table_description": "A reminder of the yearly « at least one bon plan » "
                "commitment, emailed by the",
            },
            bases=["Model"],
        ),
        DescribeField(
            model_name="Partner",
            name="status",
            field=fields.CharEnumField(
                default=PartnerStatus.ACTIVE,
                description="ACTIVE: active\nSUSPENDED: suspended\nTERMINATED: terminated",
                enum_type=PartnerStatus,
                max_length=16,
            ),
        ),
        AddColumn(
            model_name="Partner",
            name="status_reason",
            field=fields.TextField(default="", db_default="", unique=False),
        ),
        AddColumn(
            model_name="Partner",
            name="status_since",
            field=fields.DateField(null=True),
        ),
    ]
