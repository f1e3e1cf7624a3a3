"""What state a card is in, and what a partner is told when it cannot be used (guide words)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from domain.cards.school_years import has_started, is_over
from domain.core import clock
from models.cards import Card, CardStatus, SchoolYear


class CardState(StrEnum):
    ACTIVE = "ACTIVE"
    NOT_ACTIVATED = "NOT_ACTIVATED"
    OPPOSED = "OPPOSED"
    OBSOLETE = "OBSOLETE"  # a card of a previous school year, replaced by this year's
    EXPIRED = "EXPIRED"  # its school year is over
    NOT_YET_VALID = "NOT_YET_VALID"  # its school year has not started yet
    PIN_LOCKED = "PIN_LOCKED"


def state_of(
    card: Card, year: SchoolYear, *, has_newer_card: bool = False, at: datetime | None = None
) -> CardState:
    if card.status == CardStatus.OPPOSED:
        return CardState.OPPOSED
    at = at or clock.now()
    if card.status == CardStatus.EXPIRED or is_over(year, at):
        return CardState.OBSOLETE if has_newer_card else CardState.EXPIRED
    if not has_started(year, at):
        # Before NOT_ACTIVATED: even once activated, it is refused until its first day.
        return CardState.NOT_YET_VALID
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
        CardState.NOT_YET_VALID: f"La carte n'est pas encore valable : elle le sera à partir "
        f"du {year.starts_on.strftime('%d/%m/%Y')}, jour de la rentrée (carte {year.label}).",
        CardState.PIN_LOCKED: "La carte est bloquée après trois codes PIN erronés. Le jeune doit "
        "contacter la hotline pour la débloquer.",
    }
    return messages.get(state)


def holder_message(state: CardState, year: SchoolYear) -> str | None:
    """Why the young person cannot pay with the card (their own space); None when they can."""
    start = year.starts_on.strftime("%d/%m/%Y")
    end = year.ends_on.strftime("%d/%m/%Y")
    messages = {
        CardState.NOT_ACTIVATED: "Ta carte n'est pas encore activée : associe-la à ton compte "
        "en scannant son QR code.",
        CardState.NOT_YET_VALID: f"Ta carte {year.label} n'est pas encore valable : tu pourras "
        f"l'utiliser à partir du {start}.",
        CardState.OPPOSED: "Ta carte est en opposition (signalée perdue ou volée).",
        CardState.OBSOLETE: f"Cette carte {year.label} est remplacée par celle de l'année "
        "en cours.",
        CardState.EXPIRED: f"Ta carte {year.label} a expiré le {end} : les sommes non "
        "dépensées sont perdues.",
        CardState.PIN_LOCKED: "Ta carte est bloquée après trois codes PIN erronés : contacte "
        "la hotline pour la débloquer.",
    }
    return messages.get(state)
