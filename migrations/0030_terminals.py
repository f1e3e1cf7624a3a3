"""Payment terminals (models/terminals.py): a partner's devices with their own credential.
The database refuses a kind or state it does not know, an active terminal without a
credential or without a partner, a revoked one that still pairs or does not say who revoked
it; card transactions name the terminal that made them."""

from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from migrations._dialect import AddColumn, check_constraint
from models.terminals import TerminalKind, TerminalState


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
    dependencies = [("models", "0029_french_search")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Terminal",
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
                        related_name="terminals",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("name", fields.CharField(max_length=60)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="SMART_TPE: smart_tpe\nSUPPLIED_TPE: supplied_tpe\n"
                        "SUPPLIED_TPE_PRINTER: supplied_tpe_printer",
                        enum_type=TerminalKind,
                        max_length=24,
                    ),
                ),
                (
                    "state",
                    fields.CharEnumField(
                        default=TerminalState.PENDING,
                        description="PENDING: pending\nACTIVE: active\nREVOKED: revoked",
                        enum_type=TerminalState,
                        max_length=16,
                    ),
                ),
                ("serial_number", fields.CharField(max_length=64, null=True)),
                ("created_by", _user("created_by_id", null=False)),
                ("responsible", _user("responsible_id", null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("pairing_code_digest", fields.CharField(max_length=64, null=True, unique=True)),
                ("pairing_expires_at", fields.DatetimeField(null=True)),
                ("paired_at", fields.DatetimeField(null=True)),
                ("credential_digest", fields.CharField(max_length=64, null=True)),
                ("credential_issued_at", fields.DatetimeField(null=True)),
                ("last_seen_at", fields.DatetimeField(null=True)),
                ("revoked_at", fields.DatetimeField(null=True)),
                ("revoked_by", _user("revoked_by_id", null=True)),
            ],
            options={
                "table": "terminals",
                "app": "models",
                "indexes": [Index(fields=["partner_id", "created_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        check_constraint(
            "terminals",
            "terminals_kind_known",
            "kind IN ('smart_tpe', 'supplied_tpe', 'supplied_tpe_printer')",
            "NEW.kind IN ('smart_tpe', 'supplied_tpe', 'supplied_tpe_printer')",
        ),
        check_constraint(
            "terminals",
            "terminals_state_known",
            "state IN ('pending', 'active', 'revoked')",
            "NEW.state IN ('pending', 'active', 'revoked')",
        ),
        check_constraint(
            "terminals",
            "terminals_active_has_credential",
            "state <> 'active' OR (credential_digest IS NOT NULL AND partner_id IS NOT NULL)",
            "NEW.state <> 'active' OR "
            "(NEW.credential_digest IS NOT NULL AND NEW.partner_id IS NOT NULL)",
        ),
        check_constraint(
            "terminals",
            "terminals_revoked_for_good",
            "state <> 'revoked' OR (revoked_at IS NOT NULL AND revoked_by_id IS NOT NULL"
            " AND credential_digest IS NULL AND pairing_code_digest IS NULL)",
            "NEW.state <> 'revoked' OR (NEW.revoked_at IS NOT NULL AND NEW.revoked_by_id "
            "IS NOT NULL AND NEW.credential_digest IS NULL AND NEW.pairing_code_digest IS NULL)",
        ),
        AddColumn(
            model_name="CardTransaction",
            name="terminal",
            field=fields.ForeignKeyField(
                "models.Terminal",
                source_field="terminal_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.RESTRICT,
            ),
        ),
    ]
