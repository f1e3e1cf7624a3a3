from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0009_offers")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Offer",
            name="published_revision",
            field=fields.ForeignKeyField(
                "models.OfferRevision",
                source_field="published_revision_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.AddField(
            model_name="Offer",
            name="working_revision",
            field=fields.ForeignKeyField(
                "models.OfferRevision",
                source_field="working_revision_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.SET_NULL,
            ),
        ),
    ]
