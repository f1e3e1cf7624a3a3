"""The double-entry ledger: accounts, and append-only transactions of balanced entries.

Amounts are integer cents; an entry's amount is what it adds to its account's balance.
Each ledger transaction's entries sum to zero, so the whole ledger sums to zero.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # for annotations only: Tortoise links the models by name ("models.X")
    from models.cards import Beneficiary, SchoolYear
    from models.partners import Partner


class AccountKind(StrEnum):
    FUNDING = "funding"  # the département's money for one school year
    WALLET = "wallet"  # one wallet of one beneficiary for one school year
    PARTNER_PAYABLE = "partner_payable"  # what the département owes one partner
    DISBURSED = "disbursed"  # paid out to partners by transfer (one account)


class LedgerAccount(Model):
    # Wallets keep a running balance (never negative, enforced by the database); other
    # accounts' balance is the sum of their entries, so debits never contend on one row.

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    kind = fields.CharEnumField(AccountKind, max_length=16)
    school_year: fields.ForeignKeyNullableRelation[SchoolYear] = fields.ForeignKeyField(
        "models.SchoolYear", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    school_year_id: uuid.UUID | None
    beneficiary: fields.ForeignKeyNullableRelation[Beneficiary] = fields.ForeignKeyField(
        "models.Beneficiary", related_name="wallets", null=True, on_delete=fields.RESTRICT
    )
    beneficiary_id: uuid.UUID | None
    wallet_kind = fields.CharField(max_length=32, null=True)
    partner: fields.ForeignKeyNullableRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    partner_id: uuid.UUID | None
    balance_cents = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ledger_accounts"  # uniqueness and CHECKs: migrations/0004_money_integrity.py


class LedgerTransactionKind(StrEnum):
    YEAR_CREDIT = "year_credit"
    CARD_DEBIT = "card_debit"
    CARD_CANCELLATION = "card_cancellation"
    REGULARIZATION = "regularization"
    YEAR_FORFEIT = "year_forfeit"
    REIMBURSEMENT_PAYOUT = "reimbursement_payout"


class LedgerTransaction(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(LedgerTransactionKind, max_length=24)
    description = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ledger_transactions"


class LedgerEntry(Model):
    id = fields.BigIntField(primary_key=True)
    ledger_transaction: fields.ForeignKeyRelation[LedgerTransaction] = fields.ForeignKeyField(
        "models.LedgerTransaction", related_name="entries", on_delete=fields.RESTRICT
    )
    ledger_transaction_id: int
    account: fields.ForeignKeyRelation[LedgerAccount] = fields.ForeignKeyField(
        "models.LedgerAccount", related_name="entries", on_delete=fields.RESTRICT
    )
    account_id: uuid.UUID
    amount_cents = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ledger_entries"
        indexes = (("account_id", "id"),)
