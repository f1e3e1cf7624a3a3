from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.accounts import EmailTokenPurpose, ProfileVisibility, UserKind
from models.partners import DelegateStatus, PartnerStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="LoginFailure",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("email_key", fields.CharField(db_index=True, max_length=64)),
                ("client_address", fields.CharField(db_index=True, max_length=64)),
                (
                    "failed_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True),
                ),
            ],
            options={
                "table": "login_failures",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A failed sign-in, kept for throttling per account and per client address.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Partner",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("legal_name", fields.CharField(max_length=200)),
                ("trade_name", fields.CharField(max_length=200)),
                ("siret", fields.CharField(unique=True, max_length=14)),
                (
                    "categories",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "debitable_wallets",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("convention_signed_on", fields.DateField()),
                (
                    "status",
                    fields.CharEnumField(
                        default=PartnerStatus.ACTIVE,
                        description="ACTIVE: active\nSUSPENDED: suspended",
                        enum_type=PartnerStatus,
                        max_length=16,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={"table": "partners", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="User",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("email", fields.CharField(unique=True, max_length=254)),
                ("password_hash", fields.CharField(null=True, max_length=255)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="YOUNG_PERSON: young_person\nDELEGATE: delegate\nSTAFF: staff",
                        enum_type=UserKind,
                        max_length=16,
                    ),
                ),
                (
                    "staff_roles",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("first_name", fields.CharField(max_length=100)),
                ("last_name", fields.CharField(max_length=100)),
                ("birth_date", fields.DateField(null=True)),
                ("postal_code", fields.CharField(null=True, max_length=5)),
                (
                    "email_verified_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("is_active", fields.BooleanField(default=True, db_default=True)),
                (
                    "profile_visibility",
                    fields.CharEnumField(
                        default=ProfileVisibility.PRIVATE,
                        description="PRIVATE: private\nFOLLOWED_PARTNERS: followed_partners",
                        enum_type=ProfileVisibility,
                        max_length=24,
                    ),
                ),
                ("marketing_email_opt_in", fields.BooleanField(default=False, db_default=False)),
                ("marketing_push_opt_in", fields.BooleanField(default=False, db_default=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={"table": "users", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "occurred_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True),
                ),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("actor_kind", fields.CharField(max_length=16)),
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
                ("action", fields.CharField(db_index=True, max_length=64)),
                ("object_type", fields.CharField(max_length=32)),
                ("object_id", fields.CharField(max_length=64)),
                (
                    "before",
                    fields.JSONField(
                        null=True,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "after",
                    fields.JSONField(
                        null=True,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("client_address", fields.CharField(null=True, max_length=64)),
            ],
            options={
                "table": "audit_entries",
                "app": "models",
                "indexes": [Index(fields=["partner_id", "id"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AuthSession",
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
                        related_name="sessions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revoked_reason", fields.CharField(null=True, max_length=32)),
                ("client_address", fields.CharField(null=True, max_length=64)),
                ("user_agent", fields.CharField(null=True, max_length=255)),
            ],
            options={
                "table": "auth_sessions",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One signed-in device: the family of its refresh tokens. Revoking it ends every token.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Delegate",
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
                        related_name="delegates",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="delegations",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("is_principal", fields.BooleanField(default=False, db_default=False)),
                (
                    "permissions",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=DelegateStatus.INVITED,
                        description="INVITED: invited\nACTIVE: active\nSUSPENDED: suspended\nREVOKED: revoked",
                        enum_type=DelegateStatus,
                        max_length=16,
                    ),
                ),
                (
                    "invited_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="invited_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "accepted_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "delegates",
                "app": "models",
                "unique_together": (("partner", "user"),),
                "pk_attr": "id",
                "table_description": "A person's right to act for one partner. A person may be a delegate of several partners.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="EmailToken",
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
                        related_name="email_tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "purpose",
                    fields.CharEnumField(
                        description="VERIFY_EMAIL: verify_email\nRESET_PASSWORD: reset_password\nDELEGATE_INVITATION: delegate_invitation",
                        enum_type=EmailTokenPurpose,
                        max_length=32,
                    ),
                ),
                ("secret_hash", fields.CharField(unique=True, max_length=64)),
                ("delegate_id", fields.UUIDField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "email_tokens",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A single-use, expiring secret sent by email (verification, reset, invitation).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RefreshToken",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "session",
                    fields.ForeignKeyField(
                        "models.AuthSession",
                        source_field="session_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="refresh_tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("secret_hash", fields.CharField(max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("rotated_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "refresh_tokens", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]
