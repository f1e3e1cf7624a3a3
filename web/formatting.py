"""How pages show what the API answers: instants in Paris time, French dates, card states.

Amounts come formatted by the API (`amount`, `balance`: « 10,55 € »); instants come as
ISO 8601 in UTC and are shown in Europe/Paris, where the business days are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

CARD_STATES = {
    "ACTIVE": "Carte active",
    "NOT_ACTIVATED": "Carte non activée",
    "OPPOSED": "Carte en opposition",
    "EXPIRED": "Carte expirée",
    "OBSOLETE": "Carte obsolète",
    "NOT_YET_VALID": "Carte pas encore valable",
    "PIN_LOCKED": "Carte bloquée",
}
# A transaction names its wallet by kind; the year's own label is on its ticket.
WALLET_KINDS = {
    "SPORT_CULTURE_LOISIRS": "Sport, culture et loisirs",
    "SOUTIEN_SCOLAIRE": "Soutien scolaire",
}
TRANSACTION_STATUSES = {
    "COMPLETED": "Effectuée",
    "CANCELLED": "Annulée",
    "REGULARIZED": "Régularisée",
}


def instant(value: str | datetime) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS)


def paris_today() -> date:
    return datetime.now(PARIS).date()


def paris_date(value: str | datetime | date) -> str:
    if isinstance(value, str) and len(value) == 10:
        value = date.fromisoformat(value)
    day = value if isinstance(value, date) and not isinstance(value, datetime) else None
    return (day or instant(value)).strftime("%d/%m/%Y")  # type: ignore[arg-type]


def paris_time(value: str | datetime) -> str:
    return instant(value).strftime("%H:%M")


FILTERS = {
    "paris_date": paris_date,
    "paris_time": paris_time,
    "card_state": lambda state: CARD_STATES.get(state, state),
    "transaction_status": lambda status: TRANSACTION_STATUSES.get(status, status),
    "wallet_kind": lambda kind: WALLET_KINDS.get(kind, kind),
}
