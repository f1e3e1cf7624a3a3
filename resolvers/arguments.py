"""Reading the arguments a client sends: an `ID` must be a UUID, and a date-time without
an offset is Paris time."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from domain.core import clock
from domain.core.errors import invalid


def parse_id(value: object, field: str) -> UUID:
    """The UUID in `value`; a DomainError naming `field` (the argument, in camelCase) if not."""
    try:
        return UUID(str(value))
    except ValueError:
        raise invalid(field, "Identifiant invalide.") from None


def paris_time(moment: datetime | None) -> datetime | None:
    """A date-time without offset is read as Paris time, as a French user means it. The
    instant is answered in UTC, like the stored ones: SQLite compares them as text, so an
    instant with another offset would be compared wrongly there."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.PARIS)
    return moment.astimezone(UTC)
