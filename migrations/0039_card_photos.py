"""The holder's photo for the identity check at the till (models/cards.py `CardPhoto`):
sent by the young person, validated or refused by support staff. The database refuses an
unknown state, a refusal without its reason, a decision without who made it and when, and
a second pending or validated photo for the same holder. `beneficiaries.photo_url`, which
nothing could set, goes: the till now shows the validated `CardPhoto`."""

from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from migrations._dialect import DropColumn, check_constraint, partial_unique_index
from models.cards import CardPhotoStatus


def _user(source_field: str, null: bool) -> fields.ForeignKeyField:
    return fields.ForeignKeyField(
        "models.User",
        source_field=source_field,
        null=null,
        db_constraint=True,
        to_field="id",
        related_name=False,
        on_delete=OnDelete.RESTRICT,
    )


class Migration(migrations.Migration):
    dependencies = [("models", "0038_beneficiary_imports")]

    initial = False

    operations = [
        ops.CreateModel(
            name="CardPhoto",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "beneficiary",
                    fields.ForeignKeyField(
                        "models.Beneficiary",
                        source_field="beneficiary_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="photos",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("storage_key", fields.CharField(max_length=255)),
                ("width", fields.IntField()),
                ("height", fields.IntField()),
                (
                    "status",
                    fields.CharEnumField(
                        default=CardPhotoStatus.PENDING,
                        description="PENDING: pending\nVALIDATED: validated\nREFUSED: refused",
                        enum_type=CardPhotoStatus,
                        max_length=16,
                    ),
                ),
                ("refusal_reason", fields.CharField(max_length=32, null=True)),
                ("refusal_details", fields.TextField(null=True)),
                ("submitted_by", _user("submitted_by_id", null=False)),
                ("submitted_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("decided_by", _user("decided_by_id", null=True)),
                ("decided_at", fields.DatetimeField(null=True)),
            ],
            options={
                "table": "card_photos",
                "app": "models",
                "indexes": [Index(fields=["status", "submitted_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        check_constraint(
            "card_photos",
            "card_photos_status_known",
            "status IN ('pending', 'validated', 'refused')",
            "NEW.status IN ('pending', 'validated', 'refused')",
        ),
        check_constraint(
            "card_photos",
            "card_photos_decision_is_signed",
            "status = 'pending' OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            "NEW.status = 'pending' OR (NEW.decided_by_id IS NOT NULL AND NEW.decided_at IS NOT NULL)",
        ),
        check_constraint(
            "card_photos",
            "card_photos_refusal_has_a_reason",
            "status <> 'refused' OR refusal_reason IS NOT NULL",
            "NEW.status <> 'refused' OR NEW.refusal_reason IS NOT NULL",
        ),
        partial_unique_index(
            "card_photos", "card_photos_one_pending", "beneficiary_id", "status = 'pending'"
        ),
        partial_unique_index(
            "card_photos", "card_photos_one_validated", "beneficiary_id", "status = 'validated'"
        ),
        DropColumn(model_name="Beneficiary", name="photo_url"),
    ]
