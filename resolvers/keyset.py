"""Keyset pagination by the id of the last row seen: (created_at, id), newest first, stable
when new rows arrive. The cursor is the last row's id; an unknown or malformed one gives
an empty page (a stale cursor of another list must not fail the request)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from domain.core.errors import DomainError
from resolvers.arguments import parse_id

MAX_PAGE = 100


async def newest_first(
    query: QuerySet[Any], first: int, after: str | None, *related: str
) -> tuple[list[Any], str | None]:
    """At most `first` (1 to MAX_PAGE) rows of `query` after the row `after`, with the
    `related` rows loaded, and the cursor of the next page (None on the last)."""
    if after:
        try:
            cursor_id: UUID = parse_id(after, "after")
        except DomainError:
            return [], None
        cursor = await query.model.get_or_none(id=cursor_id)
        if cursor is None:
            return [], None
        query = query.filter(
            Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, id__lt=cursor.id)
        )
    limit = max(1, min(first, MAX_PAGE))
    rows = await query.order_by("-created_at", "-id").limit(limit + 1).select_related(*related)
    page = rows[:limit]
    return page, str(page[-1].id) if len(rows) > limit else None
