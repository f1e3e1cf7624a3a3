"""Each import of the schools' file is kept with its report (models/cards.py
`BeneficiaryImport`): the back office shows the lines refused and why, and gives that
report as a CSV; the counts can never be negative."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

from migrations._dialect import check_constraint


class Migration(migrations.Migration):
    dependencies = [("models", "0037_staff_invitation")]

    initial = False

    operations = [
        ops.CreateModel(
            name="BeneficiaryImport",
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
                        related_name="imports",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "imported_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="imported_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("file_name", fields.CharField(null=True, max_length=200)),
                ("rows", fields.IntField()),
                ("created", fields.IntField()),
                ("already_present", fields.IntField()),
                ("cards_issued", fields.IntField()),
                (
                    "rejected",
                    fields.JSONField(
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "beneficiary_imports",
                "app": "models",
                "indexes": [Index(fields=["school_year_id", "created_at"])],
                "pk_attr": "id",
                "table_description": "One run of the schools' file for a school year, kept for its report: what it did, and",
            },
            bases=["Model"],
        ),
        check_constraint(
            "beneficiary_imports",
            "beneficiary_imports_counts_positive",
            "rows >= 0 AND created >= 0 AND already_present >= 0 AND cards_issued >= 0",
            "NEW.rows >= 0 AND NEW.created >= 0 AND NEW.already_present >= 0 "
            "AND NEW.cards_issued >= 0",
        ),
    ]
