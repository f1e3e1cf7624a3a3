"""What state a card is in, and what a partner is told when it cannot be used (guide words)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from domain.cards.school_years import is_over
from domain.core import clock
from models.cards import Card, CardStatus, SchoolYear


class CardState(StrEnum):
    ACTIVE = "ACTIVE"
    NOT_ACTIVATED = "NOT_ACTIVATED"
    OPPOSED = "OPPOSED"
    OBSOLETE = "OBSOLETE"  # a card of a previous school year, replaced by this year's
    EXPIRED = "EXPIRED"  # its school year is over
    PIN_LOCKED = "PIN_LOCKED"


def state_of(
    card: Card, year: SchoolYear, *, has_newer_card: bool = False, at: datetime | None = None
) -> CardState:
    if card.status == CardStatus.OPPOSED:
        return CardState.OPPOSED
    if card.status == CardStatus.EXPIRED or is_over(year, at or clock.now()):
        return CardState.OBSOLETE if has_newer_card else CardState.EXPIRED
    if card.status == CardStatus.NOT_ACTIVATED:
        return CardState.NOT_ACTIVATED
    if card.pin_locked_at is not None:
        return CardState.PIN_LOCKED
    return CardState.ACTIVE


def partner_message(state: CardState, year: SchoolYear) -> str | None:
    """Why the card cannot be used, in the words of the partner guide; None when it can."""
    messages = {
        CardState.NOT_ACTIVATED: "La carte n'a pas été activée par le collégien. Pour l'activer, "
        "il doit créer son compte CJeune de Provence puis associer sa carte à son compte en "
        "scannant le QR code (ou en saisissant le code qui est juste en dessous).",
        CardState.OPPOSED: "La carte est en opposition (carte signalée volée ou perdue).",
        CardState.OBSOLETE: f"La carte est obsolète (carte {year.label}).",
        CardState.EXPIRED: f"La carte a expiré : elle était valable jusqu'au "
        f"{year.ends_on.strftime('%d/%m/%Y')}. Les sommes non dépensées sont perdues.",
        CardState.PIN_LOCKED: "La carte est bloquée après trois codes PIN erronés. Le jeune doit "
        "contacter la hotline pour la débloquer.",
    }
    return messages.get(state)
