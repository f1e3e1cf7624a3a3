"""A transaction's printed ticket: the facts the Transaction type holds, plus the partner's
name and address and the wallet's label; domain/cards/receipts.py lays the lines out."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Protocol
from uuid import UUID

from graphql import GraphQLError

from domain.cards import escpos, receipts
from domain.core.errors import DomainError
from models.transactions import TransactionStatus
from resolvers.context import Info


class PrintedTransaction(Protocol):
    """What a ticket reads from a transaction: the Transaction type (schema/cards.py) has it."""

    partner_id: object
    wallet_id: UUID
    wallet_kind: str
    reference: str
    created_at: datetime
    masked_card_code: str
    amount_cents: int
    status: str
    reversed_at: datetime | None


async def transaction_receipt(info: Info, transaction: PrintedTransaction, width: int) -> list[str]:
    partner_id = UUID(str(transaction.partner_id))
    partner = await info.context.loaders.partner.load(partner_id)
    profile = await info.context.loaders.partner_profile.load(partner_id)  # batched per page
    label = await receipts.wallet_label_of(transaction.wallet_id, transaction.wallet_kind)
    facts = receipts.TicketFacts(
        partner_name=partner.trade_name if partner else "",
        partner_address=receipts.ticket_address(profile),
        reference=transaction.reference,
        created_at=transaction.created_at,
        masked_card_code=transaction.masked_card_code,
        wallet_label=label,
        amount_cents=transaction.amount_cents,
        status=TransactionStatus(transaction.status),
        reversed_at=transaction.reversed_at,
    )
    try:
        return receipts.ticket_lines(facts, width)
    except DomainError as error:
        raise GraphQLError(error.message, extensions={"code": error.code.value}) from None


async def transaction_receipt_escpos(
    info: Info, transaction: PrintedTransaction, width: int
) -> str:
    """The ticket's ESC/POS bytes, base64-encoded (JSON carries text)."""
    lines = await transaction_receipt(info, transaction, width)
    return base64.b64encode(escpos.ticket_bytes(lines)).decode()
