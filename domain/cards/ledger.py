"""Posting to the double-entry ledger: the only code that moves money.

Every posting is one ledger transaction whose entries sum to zero. Wallet balances move in
the same database transaction, with a conditional update that can never take a wallet
below zero (the database refuses it too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError

from domain.cards import queries
from domain.core.errors import DomainError, ErrorCode
from domain.core.transactions import atomic
from models.ledger import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction
from models.ledger import LedgerTransactionKind as Kind


class InsufficientBalance(DomainError):
    def __init__(self) -> None:
        super().__init__(
            ErrorCode.INSUFFICIENT_BALANCE,
            "Solde insuffisant : le montant dépasse le solde disponible du porte-monnaie.",
            "amount",
        )


@dataclass(frozen=True)
class Line:
    account: LedgerAccount
    amount_cents: int


async def post(
    kind: Kind, description: str, lines: list[Line], *, spent_on: date | None = None
) -> LedgerTransaction:
    """Write one balanced ledger transaction; call inside atomic(). The wallet accounts of
    `lines` hold their new running balance afterwards.

    `spent_on`, for a card debit: the Paris day it is made. A wallet is then debited only if
    that day is within its school year, checked by the UPDATE that moves it (else
    InsufficientBalance, as for a short balance: the caller tells the two apart)."""
    if sum(line.amount_cents for line in lines) != 0 or any(
        line.amount_cents == 0 for line in lines
    ):
        raise ValueError(f"unbalanced or empty ledger lines: {lines}")
    # Wallets first: a refused debit fails before anything is written.
    for line in lines:
        if line.account.kind == AccountKind.WALLET:
            line.account.balance_cents = await _move_wallet(
                line.account.id, line.amount_cents, spent_on
            )
    transaction = await LedgerTransaction.create(kind=kind, description=description[:200])
    await LedgerEntry.bulk_create(
        [
            LedgerEntry(
                ledger_transaction_id=transaction.id,
                account_id=line.account.id,
                amount_cents=line.amount_cents,
            )
            for line in lines
        ]
    )
    return transaction


# PostgreSQL checks each ledger transaction's balance once per entry, summing all its
# entries: a cost quadratic in its size, so bulk credits are split into transactions this big.
BULK_CREDIT_WALLETS = 150


async def open_credited_wallets(
    funding: LedgerAccount, wallets: list[LedgerAccount], description: str
) -> None:
    """Create new wallets already holding their opening credit from `funding`, in bulk (the
    yearly import). Each wallet's `balance_cents` is its credit, and the one entry that
    credits it is written with it, so its balance equals the sum of its entries."""
    if any(w.kind != AccountKind.WALLET or (w.balance_cents or 0) <= 0 for w in wallets):
        raise ValueError("open_credited_wallets takes new wallets with a positive credit")
    await LedgerAccount.bulk_create(wallets)
    entries = []
    for start in range(0, len(wallets), BULK_CREDIT_WALLETS):
        group = wallets[start : start + BULK_CREDIT_WALLETS]
        transaction = await LedgerTransaction.create(
            kind=Kind.YEAR_CREDIT, description=f"{description} : {len(group)} porte-monnaie"[:200]
        )
        lines = [(funding.id, -sum(w.balance_cents or 0 for w in group))]
        lines += [(w.id, w.balance_cents or 0) for w in group]
        entries += [
            LedgerEntry(ledger_transaction_id=transaction.id, account_id=account, amount_cents=a)
            for account, a in lines
        ]
    await LedgerEntry.bulk_create(entries)


async def _move_wallet(account_id: UUID, amount_cents: int, spent_on: date | None) -> int:
    """The wallet's new balance; a debit beyond the balance changes nothing and raises."""
    if spent_on is not None and amount_cents < 0:
        balance = await queries.spend_wallet(account_id, -amount_cents, spent_on)
    else:
        balance = await queries.move_wallet(account_id, amount_cents)
    if balance is None:
        raise InsufficientBalance()
    return balance


async def _get_or_create(**identity: Any) -> LedgerAccount:
    account = await LedgerAccount.get_or_none(**identity)
    if account is not None:
        return account
    try:
        async with atomic():
            balance = 0 if identity["kind"] == AccountKind.WALLET else None
            return await LedgerAccount.create(**identity, balance_cents=balance)
    except IntegrityError:  # created meanwhile by a concurrent request
        return await LedgerAccount.get(**identity)


async def disbursed_account() -> LedgerAccount:
    """The one account of what was paid out to partners by transfer."""
    return await _get_or_create(kind=AccountKind.DISBURSED)


async def funding_account(school_year_id: UUID) -> LedgerAccount:
    return await _get_or_create(kind=AccountKind.FUNDING, school_year_id=school_year_id)


_payable_accounts: dict[UUID, LedgerAccount] = {}


async def payable_account(partner_id: UUID) -> LedgerAccount:
    """A partner's payable account. Its identity never changes and it keeps no running
    balance, so each process remembers it: one query less on every debit."""
    account = _payable_accounts.get(partner_id)
    if account is None:
        account = await _get_or_create(kind=AccountKind.PARTNER_PAYABLE, partner_id=partner_id)
        _payable_accounts[partner_id] = account
    return account


async def wallet_account(beneficiary_id: UUID, school_year_id: UUID, kind: str) -> LedgerAccount:
    return await _get_or_create(
        kind=AccountKind.WALLET,
        beneficiary_id=beneficiary_id,
        school_year_id=school_year_id,
        wallet_kind=kind,
    )


async def balance_of(account: LedgerAccount) -> int:
    """The balance as the sum of the account's entries (what every balance must equal)."""
    from tortoise.functions import Sum

    row = (
        await LedgerEntry.filter(account_id=account.id)
        .annotate(total=Sum("amount_cents"))
        .first()
        .values("total")
    )
    return int(row["total"] or 0) if row else 0
