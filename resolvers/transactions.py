"""Resolvers for the till: card lookup, debit, cancellation, regularisation, lists. They
answer the domain's lookup and the transactions with their card's code (schema/cards.py
shapes them); a refused rule raises DomainError."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import strawberry

from domain.cards import codes as card_codes
from domain.cards import transactions as card_transactions
from domain.core import clock
from domain.core.errors import DomainError
from domain.partners.pin_policy import PaymentChannel
from models.ledger import LedgerAccount
from models.transactions import CardTransaction, TransactionStatus
from resolvers.arguments import paris_time, parse_id
from resolvers.context import Info
from resolvers.keyset import newest_first

# A transaction and the code of its card (the answer shows it masked).
CodedTransaction = tuple[CardTransaction, str]


async def _with_code(transaction: CardTransaction) -> CodedTransaction:
    await transaction.fetch_related("card")
    return transaction, transaction.card.code


async def lookup_card(
    info: Info, partner_id: strawberry.ID, code: str, channel: PaymentChannel
) -> card_transactions.CardLookup:
    return await card_transactions.lookup_card(
        info.context.viewer, parse_id(partner_id, "partnerId"), code, channel
    )


async def debit_card(info: Info, input: Any) -> CodedTransaction:
    """`input` is a DebitInput."""
    transaction = await card_transactions.debit_card(
        info.context.viewer,
        card_transactions.DebitRequest(
            partner_id=parse_id(input.partner_id, "partnerId"),
            card_code=input.code,
            wallet_kind=input.wallet_kind,
            amount=input.amount,
            idempotency_key=input.idempotency_key,
            pin=input.pin,
            channel=input.channel,
        ),
    )
    # A debit succeeded, so the typed code was a valid one: no need to read the card again.
    return transaction, card_codes.normalize_code(input.code)


async def cancel_transaction(info: Info, transaction_id: strawberry.ID) -> CodedTransaction:
    transaction = await card_transactions.cancel_transaction(
        info.context.viewer, parse_id(transaction_id, "transactionId")
    )
    return await _with_code(transaction)


async def regularize_transaction(
    info: Info, transaction_id: strawberry.ID, reason: str
) -> CodedTransaction:
    transaction = await card_transactions.regularize_transaction(
        info.context.viewer, parse_id(transaction_id, "transactionId"), reason
    )
    return await _with_code(transaction)


async def _page(query, first: int, after: str | None) -> tuple[list[CodedTransaction], str | None]:
    page, cursor = await newest_first(query, first, after, "card")
    return [(t, t.card.code) for t in page], cursor


async def transactions(
    info: Info,
    partner_id: strawberry.ID,
    since: datetime | None,
    until: datetime | None,
    wallet_kind: str | None,
    status: TransactionStatus | None,
    delegate_id: strawberry.ID | None,
    first: int,
    after: str | None,
    day: date | None = None,
) -> tuple[list[CodedTransaction], str | None]:
    """A partner's transactions, newest first."""
    try:
        query = CardTransaction.filter(partner_id=parse_id(partner_id, "partnerId"))
        if delegate_id:
            query = query.filter(delegate_user_id=parse_id(delegate_id, "delegateId"))
    except DomainError:
        return [], None
    if day:
        query = query.filter(
            created_at__gte=clock.start_of_paris_day(day),
            created_at__lt=clock.start_of_paris_day(day + timedelta(days=1)),
        )
    if since:
        query = query.filter(created_at__gte=paris_time(since))
    if until:
        query = query.filter(created_at__lt=paris_time(until))
    if wallet_kind:
        query = query.filter(wallet_kind=wallet_kind)
    if status:
        query = query.filter(status=status)
    return await _page(query, first, after)


async def my_transactions(
    info: Info, first: int, after: str | None
) -> tuple[list[CodedTransaction], str | None]:
    """The signed-in young person's own history, newest first."""
    user = info.context.viewer.user
    return await _page(CardTransaction.filter(card__beneficiary__user_id=user.id), first, after)


def is_cancellable(
    info: Info,
    partner_id: object,
    status: TransactionStatus | str,
    created_at: datetime,
    terminal_id: UUID | None = None,
) -> bool:
    """Whether the viewer may cancel it now: the same Paris day, the till's permission (a
    terminal: its own transactions)."""
    return card_transactions.is_cancellable(status, created_at) and (
        card_transactions.may_cancel(info.context.viewer, UUID(str(partner_id)), terminal_id)
    )


async def transaction(
    info: Info, partner_id: strawberry.ID, transaction_id: strawberry.ID
) -> CodedTransaction | None:
    """One of the partner's transactions, None when there is none of that id at this partner
    (another partner's is not told apart from a missing one)."""
    try:
        partner, wanted = parse_id(partner_id, "partnerId"), parse_id(transaction_id, "id")
    except DomainError:
        return None
    query = CardTransaction.filter(id=wanted, partner_id=partner)
    terminal = info.context.viewer.terminal
    if terminal is not None:  # a terminal reprints its own tickets only
        query = query.filter(terminal_id=terminal.id)
    found = await query.select_related("card").first()
    return (found, found.card.code) if found is not None else None


async def wallet_now(wallet_id: UUID) -> card_transactions.WalletBalance | None:
    """The wallet a debit or a cancellation just moved, as it is now: what the till shows."""
    wallet = await LedgerAccount.get_or_none(id=wallet_id)
    if wallet is None or wallet.school_year_id is None or wallet.wallet_kind is None:
        return None
    return card_transactions.WalletBalance(
        wallet.wallet_kind,
        await card_transactions.wallet_label(wallet.school_year_id, wallet.wallet_kind),
        wallet.balance_cents or 0,
    )
