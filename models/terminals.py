"""Payment terminals: a partner's till devices, each with its own revocable credential.

A terminal is a smart TPE (the web till, in terminal mode, on the partner's phone or PC) or
equipment the département lends (a TPE, with or without a thermal printer). It pairs once
with a one-time code; from then on it authenticates with its own credential, never with a
person's. Only digests are stored: the pairing code's and the credential's (HMAC-SHA-256
keyed from SECRET_KEY).
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # for annotations only: Tortoise links the models by name ("models.X")
    from models.accounts import User
    from models.partners import Partner


class TerminalKind(StrEnum):
    SMART_TPE = "smart_tpe"  # the web till on the partner's own phone or PC
    SUPPLIED_TPE = "supplied_tpe"  # lent by the département, no printer
    SUPPLIED_TPE_PRINTER = "supplied_tpe_printer"  # lent by the département, thermal printer


class TerminalState(StrEnum):
    PENDING = "pending"  # created, waiting for its pairing code
    ACTIVE = "active"  # paired: its credential works
    REVOKED = "revoked"  # its credential never works again


class Terminal(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    partner: fields.ForeignKeyNullableRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="terminals", null=True, on_delete=fields.RESTRICT
    )
    partner_id: uuid.UUID | None  # null: supplied equipment in stock, not assigned
    name = fields.CharField(max_length=60)
    kind = fields.CharEnumField(TerminalKind, max_length=24)
    state = fields.CharEnumField(TerminalState, max_length=16, default=TerminalState.PENDING)
    serial_number = fields.CharField(max_length=64, null=True)  # supplied equipment only
    created_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.RESTRICT
    )
    created_by_id: uuid.UUID
    # The delegate answerable for what the terminal records (its transactions name them as
    # their delegate when no cashier identifies): who created it, or the partner's
    # principal delegate for a terminal staff pre-paired.
    responsible: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    responsible_id: uuid.UUID | None
    created_at = fields.DatetimeField()
    pairing_code_digest = fields.CharField(max_length=64, null=True, unique=True)
    pairing_expires_at = fields.DatetimeField(null=True)
    paired_at = fields.DatetimeField(null=True)
    credential_digest = fields.CharField(max_length=64, null=True)
    credential_issued_at = fields.DatetimeField(null=True)
    last_seen_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    revoked_by_id: uuid.UUID | None

    @property
    def has_printer(self) -> bool:
        return self.kind == TerminalKind.SUPPLIED_TPE_PRINTER

    class Meta:
        table = "terminals"
        indexes = (("partner_id", "created_at"),)
