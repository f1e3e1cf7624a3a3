from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.social import ImagePurpose, LocationSource, PostStatus, ReportReason, ReportStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0006_notifications_integrity")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Follow",
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
                    "partner",
                    fields.ForeignKeyField(
                        "models.Partner",
                        source_field="partner_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "follows",
                "app": "models",
                "unique_together": (("user_id", "partner_id"),),
                "pk_attr": "id",
                "table_description": "A young person follows a partner. Only they see it: partners see a count.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Image",
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
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="images",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "uploaded_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="uploaded_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "purpose",
                    fields.CharEnumField(
                        description="LOGO: logo\nBANNER: banner\nPOST: post\nOFFER: offer\nHIGHLIGHT: highlight",
                        enum_type=ImagePurpose,
                        max_length=16,
                    ),
                ),
                ("width", fields.IntField()),
                ("height", fields.IntField()),
                (
                    "variants",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "images",
                "app": "models",
                "pk_attr": "id",
                "table_description": "An uploaded picture, checked and re-encoded without metadata, with its resized variants.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Highlight",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="author_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("title", fields.CharField(max_length=200)),
                ("body", fields.TextField(unique=False)),
                ("link", fields.CharField(null=True, max_length=300)),
                (
                    "image",
                    fields.ForeignKeyField(
                        "models.Image",
                        source_field="image_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("published_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "withdrawn_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "highlights",
                "app": "models",
                "indexes": [Index(fields=["published_at", "id"])],
                "pk_attr": "id",
                "table_description": "The département's own news in every young person's feed.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="OpeningException",
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
                        related_name="opening_exceptions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("starts_on", fields.DateField()),
                ("ends_on", fields.DateField()),
                ("label", fields.CharField(default="", max_length=100)),
                (
                    "hours",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
            ],
            options={
                "table": "opening_exceptions",
                "app": "models",
                "indexes": [Index(fields=["partner_id", "ends_on"])],
                "pk_attr": "id",
                "table_description": "A closure (holidays, works) or special hours over a range of days, in Paris dates.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PartnerProfile",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "partner",
                    fields.OneToOneField(
                        "models.Partner",
                        source_field="partner_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="profile",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("description", fields.TextField(default="", unique=False)),
                ("street", fields.CharField(default="", max_length=200)),
                ("postal_code", fields.CharField(default="", max_length=5)),
                ("city", fields.CharField(default="", max_length=100)),
                ("phone", fields.CharField(default="", max_length=20)),
                ("contact_email", fields.CharField(default="", max_length=254)),
                ("website", fields.CharField(default="", max_length=300)),
                (
                    "logo",
                    fields.ForeignKeyField(
                        "models.Image",
                        source_field="logo_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "banner",
                    fields.ForeignKeyField(
                        "models.Image",
                        source_field="banner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "weekly_hours",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "accessibility",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("accessibility_notes", fields.CharField(default="", max_length=1000)),
                ("latitude", fields.FloatField(null=True)),
                ("longitude", fields.FloatField(null=True)),
                (
                    "location_source",
                    fields.CharEnumField(
                        null=True,
                        description="GEOCODED: geocoded\nMOVED_BY_PARTNER: moved_by_partner",
                        enum_type=LocationSource,
                        max_length=24,
                    ),
                ),
                ("followers_count", fields.IntField(default=0, db_default=0)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "partner_profiles",
                "app": "models",
                "pk_attr": "id",
                "table_description": "What a partner shows the young people: presentation, practical information, the map pin.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Post",
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
                        related_name="posts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="author_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("body", fields.TextField(unique=False)),
                ("offer_kind", fields.CharField(null=True, max_length=8)),
                ("offer_id", fields.UUIDField(null=True)),
                (
                    "status",
                    fields.CharEnumField(
                        default=PostStatus.PUBLISHED,
                        description="PUBLISHED: published\nHIDDEN: hidden\nDELETED: deleted",
                        enum_type=PostStatus,
                        max_length=12,
                    ),
                ),
                ("hidden_reason", fields.CharField(null=True, max_length=500)),
                (
                    "hidden_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="hidden_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("like_count", fields.IntField(default=0, db_default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("edited_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "posts",
                "app": "models",
                "indexes": [
                    Index(fields=["partner_id", "created_at", "id"]),
                    Index(fields=["status", "created_at"]),
                ],
                "pk_attr": "id",
                "table_description": "A partner's publication in its news feed.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PostImage",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "post",
                    fields.ForeignKeyField(
                        "models.Post",
                        source_field="post_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="images",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "image",
                    fields.ForeignKeyField(
                        "models.Image",
                        source_field="image_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("position", fields.SmallIntField()),
            ],
            options={
                "table": "post_images",
                "app": "models",
                "unique_together": (("post_id", "position"),),
                "pk_attr": "id",
                "table_description": "One of a post's images (at most 4), in order.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PostLike",
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
                    "post",
                    fields.ForeignKeyField(
                        "models.Post",
                        source_field="post_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="likes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "post_likes",
                "app": "models",
                "unique_together": (("user_id", "post_id"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PostReport",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "post",
                    fields.ForeignKeyField(
                        "models.Post",
                        source_field="post_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="reports",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "reporter",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="reporter_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "reason",
                    fields.CharEnumField(
                        description="INAPPROPRIATE: inappropriate\nMISLEADING: misleading\nHARASSMENT: harassment\nDANGEROUS: dangerous\nSPAM: spam\nOTHER: other",
                        enum_type=ReportReason,
                        max_length=16,
                    ),
                ),
                ("text", fields.CharField(default="", max_length=1000)),
                (
                    "status",
                    fields.CharEnumField(
                        default=ReportStatus.OPEN,
                        description="OPEN: open\nPOST_HIDDEN: post_hidden\nDISMISSED: dismissed",
                        enum_type=ReportStatus,
                        max_length=12,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "handled_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="handled_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("handled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "post_reports",
                "app": "models",
                "unique_together": (("post_id", "reporter_id"),),
                "indexes": [Index(fields=["status", "created_at"])],
                "pk_attr": "id",
                "table_description": "Someone signed in flags a post, and moderation staff decide.",
            },
            bases=["Model"],
        ),
    ]
