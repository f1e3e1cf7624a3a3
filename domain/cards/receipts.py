"""The ticket a terminal with a thermal printer prints for a transaction (guide: "vous pouvez
en outre imprimer les tickets relatifs à la transaction").

Plain text lines of a fixed width (32 characters on 58 mm paper, 48 on 80 mm), in French,
with the time in Paris. Only characters thermal printers' code pages carry: no narrow
no-break spaces; the euro sign is in CP858 and PC-1252. The holder's name is never printed:
the ticket may be left on the counter.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from typing import cast
from uuid import UUID

from domain.cards.transactions import wallet_label
from domain.core import clock
from domain.core.errors import invalid
from domain.core.money import format_euros
from models.ledger import LedgerAccount
from models.social import PartnerProfile
from models.transactions import TransactionStatus

MIN_WIDTH, MAX_WIDTH = 24, 64
PROGRAMME = "CJeune de Provence"


@dataclass(frozen=True)
class TicketFacts:
    partner_name: str
    partner_address: list[str]
    reference: str
    created_at: datetime
    masked_card_code: str
    wallet_label: str
    amount_cents: int
    status: TransactionStatus
    reversed_at: datetime | None


def _paris(instant: datetime) -> str:
    local = instant.astimezone(clock.PARIS)
    return f"le {local:%d/%m/%Y} à {local:%H:%M}"


def _amount(cents: int) -> str:
    return format_euros(cents).replace("\u202f", " ").replace("\u00a0", " ")


def ticket_lines(facts: TicketFacts, width: int = 32) -> list[str]:
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise invalid("width", f"Largeur de ticket entre {MIN_WIDTH} et {MAX_WIDTH} caractères.")

    def wrapped(text: str) -> list[str]:
        return textwrap.wrap(text, width) or [""]

    def centred(text: str) -> list[str]:
        return [line.center(width).rstrip() for line in wrapped(text)]

    def both_ends(left: str, right: str) -> str:
        return left + right.rjust(width - len(left)) if len(left) + len(right) < width else right

    rule = "-" * width
    lines = [*centred(PROGRAMME), *centred(facts.partner_name)]
    for part in facts.partner_address:
        lines += centred(part)
    lines += [
        rule,
        *wrapped(f"Paiement {_paris(facts.created_at)}"),
        *wrapped(f"Réf. {facts.reference}"),
        *wrapped(f"Carte {facts.masked_card_code}"),
        *wrapped(f"Porte-monnaie : {facts.wallet_label}"),
        both_ends("MONTANT", _amount(facts.amount_cents)),
        rule,
    ]
    if facts.status != TransactionStatus.COMPLETED and facts.reversed_at is not None:
        word = "ANNULÉE" if facts.status == TransactionStatus.CANCELLED else "RÉGULARISÉE"
        lines += [
            *centred(f"TRANSACTION {word}"),
            *centred(_paris(facts.reversed_at)),
            *centred(f"{_amount(facts.amount_cents)} recrédités sur la carte"),
            rule,
        ]
    return [*lines, *centred("Merci et à bientôt !")]


def ticket_address(profile: PartnerProfile | None) -> list[str]:
    """The partner's address lines, from its profile (none without an address)."""
    if profile is None or not profile.postal_code:
        return []
    return [p for p in (profile.street, f"{profile.postal_code} {profile.city}") if p]


async def wallet_label_of(wallet_id: UUID, wallet_kind: str) -> str:
    """The wallet's label for its school year (labels are remembered per year)."""
    # flat=True gives the values, which Tortoise types as tuples.
    year_id = cast(
        "list[UUID | None]",
        await LedgerAccount.filter(id=wallet_id).values_list("school_year_id", flat=True),
    )
    return await wallet_label(year_id[0], wallet_kind) if year_id and year_id[0] else wallet_kind
