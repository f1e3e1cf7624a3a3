"""The in-app inbox: a user's notifications, newest first, with keyset pagination."""

from __future__ import annotations

from uuid import UUID

from domain.core import clock, cursors
from domain.core.errors import invalid
from models.notifications import Notification

MAX_PAGE = 100
MAX_MARKED = 500


def encode_cursor(notification: Notification) -> str:
    return cursors.encode(notification.created_at, notification.id)


async def page(
    user_id: UUID, first: int, after: str | None, unread_only: bool = False
) -> tuple[list[Notification], bool]:
    """Stable under new arrivals: a page continues strictly after the cursor's row."""
    query = Notification.filter(user_id=user_id)
    if unread_only:
        query = query.filter(read_at=None)
    if after:
        query = query.filter(cursors.older_than("created_at", cursors.decode(after)))
    limit = max(1, min(first, MAX_PAGE))
    rows = await query.order_by("-created_at", "-id").limit(limit + 1)
    return rows[:limit], len(rows) > limit


async def unread_count(user_id: UUID) -> int:
    return await Notification.filter(user_id=user_id, read_at=None).count()


async def mark_read(user_id: UUID, ids: list[UUID] | None) -> int:
    """Mark the given notifications (or all, when `ids` is None) read; others' are untouched."""
    query = Notification.filter(user_id=user_id, read_at=None)
    if ids is not None:
        if len(ids) > MAX_MARKED:
            raise invalid("ids", f"Au plus {MAX_MARKED} notifications à la fois.")
        query = query.filter(id__in=ids)
    return await query.update(read_at=clock.now())
