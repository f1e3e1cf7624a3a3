from tortoise import migrations
from tortoise.migrations import operations as ops
from models.offers import ServiceCategory
from uuid import uuid4
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0011_offers_integrity")]

    initial = False

    operations = [
        ops.CreateModel(
            name="DepartmentService",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "category",
                    fields.CharEnumField(
                        description="TEAM13: team13\nYOUTH_COUNCIL: youth_council\nCIVIC_SERVICE: civic_service\nLISTENING_PLACE: listening_place\nSCREENING_CENTRE: screening_centre\nOTHER: other",
                        enum_type=ServiceCategory,
                        max_length=24,
                    ),
                ),
                ("title", fields.CharField(max_length=200)),
                ("description", fields.TextField(unique=False)),
                ("link", fields.CharField(null=True, max_length=300)),
                ("street", fields.CharField(null=True, max_length=200)),
                ("postal_code", fields.CharField(null=True, max_length=5)),
                ("city", fields.CharField(null=True, max_length=100)),
                ("latitude", fields.FloatField(null=True)),
                ("longitude", fields.FloatField(null=True)),
                ("search_text", fields.TextField(default="", unique=False)),
                ("published", fields.BooleanField(default=True, db_default=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "department_services",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One of the département's other schemes, managed by staff, searchable and on the map.",
            },
            bases=["Model"],
        ),
    ]
