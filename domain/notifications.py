"""Recording notifications: the inbox row is written in the transaction of its cause.

Delivery (real time, push, email) comes with the notifications issue and reads these rows.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from models.notifications import Notification


async def notify(
    user_id: UUID, kind: str, title: str, body: str, data: dict[str, Any] | None = None
) -> Notification:
    """Call inside the atomic() block that makes the change the notification is about."""
    return await Notification.create(
        user_id=user_id, kind=kind, title=title, body=body, data=data or {}
    )
