"""Recording notifications: the inbox row is written in the transaction of its cause.

Once that transaction commits, the notification is published to the user's open
subscriptions and a job plans and sends its push and email deliveries
(domain/notifications/delivery.py). If the process dies in between, the sweeper finds the
notification still undispatched and sends it: nothing committed is lost.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.core.transactions import after_commit
from infra.jobs import enqueue_gathered
from models.notifications import Notification
from push.realtime import notification_channel, publish

DISPATCH_JOB = "notifications.dispatch"


def as_event(notification: Notification) -> dict[str, Any]:
    return {
        "id": str(notification.id),
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "data": notification.data,
        "createdAt": notification.created_at.isoformat(),
    }


async def notify(
    user_id: UUID, kind: str, title: str, body: str, data: dict[str, Any] | None = None
) -> Notification:
    """Call inside the atomic() block that makes the change the notification is about."""
    notification = await Notification.create(
        user_id=user_id, kind=kind, title=title, body=body, data=data or {}
    )
    await announce(notification)
    return notification


async def announce(notification: Notification) -> None:
    """Publish and dispatch a notification once the transaction that wrote it commits
    (`notify` does both; the one-statement debit writes its row itself)."""
    event = as_event(notification)
    user_id = notification.user_id
    # Two callbacks: Redis failing for the real-time event must not stop the push.
    await after_commit(lambda: publish(notification_channel(user_id), event))
    # Gathered: the notifications a process commits within a few milliseconds go in one job.
    await after_commit(lambda: enqueue_gathered(DISPATCH_JOB, str(notification.id)))
