"""Resolvers for the till: card lookup, debit, cancellation, regularisation, lists."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from tortoise.expressions import Q

from domain.cards import codes as card_codes
from domain.cards import transactions as card_transactions
from domain.core.errors import DomainError
from models.transactions import CardTransaction
from resolvers.audit import paris_time
from resolvers.ids import parse_id
from schema.cards import (
    CardCheck,
    DebitInput,
    Transaction,
    TransactionPage,
    TransactionStatus,
    TransactionSuccess,
)
from schema.errors import UserError
from server.context import Info

LookupResult = Annotated[CardCheck | UserError, strawberry.union("LookupResult")]
TransactionResult = Annotated[TransactionSuccess | UserError, strawberry.union("TransactionResult")]
MAX_PAGE = 100


async def _shaped(transaction: CardTransaction, card_code: str | None = None) -> TransactionSuccess:
    if card_code is None:
        await transaction.fetch_related("card")
        card_code = transaction.card.code
    return TransactionSuccess(transaction=Transaction.from_model(transaction, card_code))


async def lookup_card(info: Info, partner_id: strawberry.ID, code: str) -> LookupResult:
    try:
        lookup = await card_transactions.lookup_card(
            info.context.viewer, parse_id(partner_id, "partnerId"), code
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return CardCheck.from_lookup(lookup)


async def debit_card(info: Info, input: DebitInput) -> TransactionResult:
    try:
        transaction = await card_transactions.debit_card(
            info.context.viewer,
            card_transactions.DebitRequest(
                partner_id=parse_id(input.partner_id, "partnerId"),
                card_code=input.code,
                wallet_kind=input.wallet_kind,
                amount=input.amount,
                idempotency_key=input.idempotency_key,
                pin=input.pin,
            ),
        )
    except DomainError as error:
        return UserError.from_domain(error)
    # A debit succeeded, so the typed code was a valid one: no need to read the card again.
    return await _shaped(transaction, card_codes.normalize_code(input.code))


async def cancel_transaction(info: Info, transaction_id: strawberry.ID) -> TransactionResult:
    try:
        transaction = await card_transactions.cancel_transaction(
            info.context.viewer, parse_id(transaction_id, "transactionId")
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return await _shaped(transaction)


async def regularize_transaction(
    info: Info, transaction_id: strawberry.ID, reason: str
) -> TransactionResult:
    try:
        transaction = await card_transactions.regularize_transaction(
            info.context.viewer, parse_id(transaction_id, "transactionId"), reason
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return await _shaped(transaction)


async def _page(query, first: int, after: str | None) -> TransactionPage:
    """Keyset pagination on (created_at, id), newest first: stable when new rows arrive."""
    if after:
        try:
            cursor = await CardTransaction.get_or_none(id=parse_id(after, "after"))
        except DomainError:
            cursor = None
        if cursor is None:
            return TransactionPage(transactions=[], next_cursor=None)
        query = query.filter(
            Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, id__lt=cursor.id)
        )
    limit = max(1, min(first, MAX_PAGE))
    rows = await query.order_by("-created_at", "-id").limit(limit + 1).select_related("card")
    page = rows[:limit]
    return TransactionPage(
        transactions=[Transaction.from_model(t, t.card.code) for t in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


async def transactions(
    info: Info,
    partner_id: strawberry.ID,
    since: datetime | None = None,
    until: datetime | None = None,
    wallet_kind: str | None = None,
    status: TransactionStatus | None = None,
    delegate_id: strawberry.ID | None = None,
    first: int = 50,
    after: str | None = None,
) -> TransactionPage | None:
    """A partner's transactions, newest first."""
    try:
        query = CardTransaction.filter(partner_id=parse_id(partner_id, "partnerId"))
        if delegate_id:
            query = query.filter(delegate_user_id=parse_id(delegate_id, "delegateId"))
    except DomainError:
        return TransactionPage(transactions=[], next_cursor=None)
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
    info: Info, first: int = 50, after: str | None = None
) -> TransactionPage | None:
    """The signed-in young person's own history, newest first."""
    user = info.context.viewer.user
    return await _page(CardTransaction.filter(card__beneficiary__user_id=user.id), first, after)
