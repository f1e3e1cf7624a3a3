"""Jobs that deliver notifications: one per committed notification, and the sweeper."""

from __future__ import annotations

import logging
from uuid import UUID

from domain.notifications import delivery as notification_delivery
from domain.notifications.notify import DISPATCH_JOB
from workers.broker import broker

logger = logging.getLogger(__name__)


@broker.task(task_name=DISPATCH_JOB)
async def dispatch_notification(*notification_ids: str) -> None:
    """Plan and send the push and email of one notification (or several: one read plans
    them all); safe to run twice."""
    await notification_delivery.dispatch_many([UUID(i) for i in notification_ids])


@broker.task(task_name="notifications.sweep")
async def sweep_notifications() -> None:
    """Every minute: what a crash left undispatched, and the retries that are due."""
    report = await notification_delivery.sweep()
    if report.planned or report.retried:
        logger.info("sweep: %d planned, %d deliveries tried", report.planned, report.retried)
