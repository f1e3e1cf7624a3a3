"""Keyset pagination cursors: an opaque token for the (instant, id) of the last row seen."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.expressions import Q

from domain.core.errors import invalid

Position = tuple[datetime, UUID | int]


def encode(at: datetime, identifier: UUID | int) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{identifier}".encode()).decode()


def decode(cursor: str, id_type: type = UUID) -> Position:
    """`id_type` is UUID, or int for tables with integer keys (follows)."""
    try:
        moment, identifier = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(moment), id_type(identifier)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid("after", "Curseur de pagination invalide.") from None


def older_than(field: str, position: Position | None, id_field: str = "id") -> Q:
    """Rows strictly after `position` in (field, id) descending order."""
    if position is None:
        return Q()
    moment, identifier = position
    # Typed as Any: mypy would match a `**dict` of datetimes against Q's `join_type: str`.
    earlier: dict[str, Any] = {f"{field}__lt": moment}
    same_moment: dict[str, Any] = {field: moment, f"{id_field}__lt": identifier}
    return Q(**earlier) | Q(**same_moment)
