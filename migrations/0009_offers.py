from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.offers import DealType, EventKind, OfferKind, OfferTheme, RevisionStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0008_social_integrity")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Offer",
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
                        related_name="offers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="DEAL: deal\nEVENT: event", enum_type=OfferKind, max_length=8
                    ),
                ),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "first_published_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("is_super", fields.BooleanField(default=False, db_default=False)),
                (
                    "withdrawn_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("title", fields.CharField(null=True, max_length=200)),
                (
                    "theme",
                    fields.CharEnumField(
                        null=True,
                        description="LOISIRS: loisirs\nSPORT: sport\nCULTURE: culture\nSOUTIEN_SCOLAIRE: soutien_scolaire\nTOURISME: tourisme\nINSERTION_PROFESSIONNELLE: insertion_professionnelle",
                        enum_type=OfferTheme,
                        max_length=32,
                    ),
                ),
                (
                    "deal_type",
                    fields.CharEnumField(
                        null=True,
                        description="DISCOUNT_EUROS: discount_euros\nDISCOUNT_PERCENT: discount_percent\nPROMO_CODE: promo_code\nCONTEST: contest\nGOODIES: goodies\nLIMITED_SERVICE: limited_service",
                        enum_type=DealType,
                        max_length=24,
                    ),
                ),
                (
                    "event_kind",
                    fields.CharEnumField(
                        null=True,
                        description="MANIFESTATION: manifestation\nFESTIVAL: festival\nSTAGE: stage\nCONCERT: concert\nSPECTACLE: spectacle\nEXPOSITION: exposition\nATELIER: atelier\nCOMPETITION: competition\nAUTRE: autre",
                        enum_type=EventKind,
                        max_length=16,
                    ),
                ),
                ("valid_from", fields.DateField(null=True)),
                ("valid_until", fields.DateField(null=True)),
                ("adults_only", fields.BooleanField(default=False, db_default=False)),
                ("search_text", fields.TextField(default="", unique=False)),
            ],
            options={
                "table": "offers",
                "app": "models",
                "indexes": [
                    Index(fields=["partner_id", "first_published_at"]),
                    Index(fields=["valid_until", "theme"]),
                ],
                "pk_attr": "id",
                "table_description": "A deal or an event, shown to young people through its published revision only.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Favorite",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "offer",
                    fields.ForeignKeyField(
                        "models.Offer",
                        source_field="offer_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "favorites",
                "app": "models",
                "unique_together": (("user_id", "offer_id"),),
                "pk_attr": "id",
                "table_description": "A deal or event a young person saved. Only they see their favourites.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="OfferLocation",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "offer",
                    fields.ForeignKeyField(
                        "models.Offer",
                        source_field="offer_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="locations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("label", fields.CharField(default="", max_length=200)),
                ("city", fields.CharField(default="", max_length=100)),
                ("latitude", fields.FloatField()),
                ("longitude", fields.FloatField()),
            ],
            options={
                "table": "offer_locations",
                "app": "models",
                "indexes": [Index(fields=["latitude", "longitude"])],
                "pk_attr": "id",
                "table_description": "A place of a published offer, for the map and the radius search.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="OfferRevision",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "offer",
                    fields.ForeignKeyField(
                        "models.Offer",
                        source_field="offer_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="revisions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("number", fields.IntField()),
                (
                    "status",
                    fields.CharEnumField(
                        default=RevisionStatus.DRAFT,
                        description="DRAFT: draft\nSUBMITTED: submitted\nAPPROVED: approved\nREJECTED: rejected\nSUPERSEDED: superseded",
                        enum_type=RevisionStatus,
                        max_length=12,
                    ),
                ),
                ("title", fields.CharField(max_length=200)),
                ("description", fields.TextField(unique=False)),
                (
                    "theme",
                    fields.CharEnumField(
                        description="LOISIRS: loisirs\nSPORT: sport\nCULTURE: culture\nSOUTIEN_SCOLAIRE: soutien_scolaire\nTOURISME: tourisme\nINSERTION_PROFESSIONNELLE: insertion_professionnelle",
                        enum_type=OfferTheme,
                        max_length=32,
                    ),
                ),
                (
                    "deal_type",
                    fields.CharEnumField(
                        null=True,
                        description="DISCOUNT_EUROS: discount_euros\nDISCOUNT_PERCENT: discount_percent\nPROMO_CODE: promo_code\nCONTEST: contest\nGOODIES: goodies\nLIMITED_SERVICE: limited_service",
                        enum_type=DealType,
                        max_length=24,
                    ),
                ),
                (
                    "event_kind",
                    fields.CharEnumField(
                        null=True,
                        description="MANIFESTATION: manifestation\nFESTIVAL: festival\nSTAGE: stage\nCONCERT: concert\nSPECTACLE: spectacle\nEXPOSITION: exposition\nATELIER: atelier\nCOMPETITION: competition\nAUTRE: autre",
                        enum_type=EventKind,
                        max_length=16,
                    ),
                ),
                ("discount_cents", fields.IntField(null=True)),
                ("discount_percent", fields.IntField(null=True)),
                ("promo_code", fields.CharField(null=True, max_length=64)),
                (
                    "conditions",
                    fields.CharField(
                        default="Sur présentation de la carte CJeune", max_length=1000
                    ),
                ),
                ("practical_info", fields.TextField(default="", unique=False)),
                ("valid_from", fields.DateField()),
                ("valid_until", fields.DateField()),
                (
                    "sessions",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "places",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "image_ids",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "submitted_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("decided_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "decided_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="decided_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("rejection_reason", fields.CharField(null=True, max_length=1000)),
            ],
            options={
                "table": "offer_revisions",
                "app": "models",
                "unique_together": (("offer_id", "number"),),
                "indexes": [Index(fields=["status", "submitted_at"])],
                "pk_attr": "id",
                "table_description": "One version of an offer's content, moderated before it is shown.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ModerationDecision",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "revision",
                    fields.ForeignKeyField(
                        "models.OfferRevision",
                        source_field="revision_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="decisions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("approved", fields.BooleanField()),
                ("reason", fields.CharField(null=True, max_length=1000)),
                (
                    "decided_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="decided_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("decided_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "moderation_decisions",
                "app": "models",
                "pk_attr": "id",
                "table_description": "Each decision on a revision, with its author: the moderation history.",
            },
            bases=["Model"],
        ),
    ]
