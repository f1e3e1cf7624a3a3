"""Reading the identifiers a client sends: an `ID` argument must be a UUID."""

from __future__ import annotations

from uuid import UUID

from domain.core.errors import invalid


def parse_id(value: object, field: str) -> UUID:
    """The UUID in `value`; a DomainError naming `field` (the argument, in camelCase) if not."""
    try:
        return UUID(str(value))
    except ValueError:
        raise invalid(field, "Identifiant invalide.") from None
