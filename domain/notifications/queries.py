"""The hand-written SQL of notifications: planning a batch reads each notification with its
user and their devices in one statement, and marks the planned ones in another. The text is
written once per batch size (the statements run for every debit's notification)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from models import fixed_sql, sql
from models.accounts import User
from models.notifications import Notification


def _placeholders(first: int, count: int) -> str:
    return ", ".join(f"${n}" for n in range(first, first + count))


@cache
def _notifications_sql(count: int) -> str:
    # One row per device of each user (one row without a device): a single read per batch
    # gives every channel its addresses (the account's email, the devices for push).
    return fixed_sql.select(
        [(Notification, "n"), (User, "u")],
        ', d.id AS "device_id" FROM notifications n JOIN users u ON u.id = n.user_id '
        f"LEFT JOIN devices d ON d.user_id = u.id WHERE n.id IN ({_placeholders(1, count)})",
    )


@cache
def _mark_dispatched_sql(count: int) -> str:
    return (
        "UPDATE notifications SET dispatched_at = $1 "
        f"WHERE id IN ({_placeholders(2, count)}) AND dispatched_at IS NULL"
    )


async def notifications_with_addresses(ids: Sequence[UUID]) -> list[dict[str, Any]]:
    """One row per device of each notification's user (one row without a device), with the
    notification's (`n.`) and the user's (`u.`) columns and `device_id`."""
    return await sql.rows(_notifications_sql(len(ids)), *ids)


async def mark_dispatched(ids: Sequence[UUID], at: datetime) -> int:
    """The notifications not yet marked are planned at `at`."""
    return await sql.execute(_mark_dispatched_sql(len(ids)), at, *ids)
