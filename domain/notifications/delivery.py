"""Delivering notifications on their channels: planned once, claimed, sent, recorded.

Each (notification, channel, target) is one row, unique in the database, so planning twice
plans nothing more. Each channel (domain/notifications/channels/) says where a person is
reached and sends its rows; this module plans, claims and records them. A worker claims a
row with a conditional UPDATE before sending (two workers never send the same row at once)
and records the outcome: sent, pending again with a later attempt (transient failure), or
failed with the reason. A crash after the provider accepted but before the row says so
leaves a claim that expires; that narrow window is the only case of a second send, and the
push carries the notification id as collapse key so the phone replaces the first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast
from uuid import UUID

from tortoise.expressions import F, Q

from domain.consent.marketing import may_receive_marketing
from domain.core import clock
from domain.core.transactions import atomic
from domain.notifications import queries
from domain.notifications.channels import CHANNELS, channel_of
from domain.notifications.channels.base import Delivered, DeliveryChannel, Verdict
from domain.notifications.kinds import Category, rule_for
from domain.notifications.preferences import wants
from models import fixed_sql
from models.accounts import User
from models.notifications import (
    Channel,
    DeliveryStatus,
    Notification,
    NotificationDelivery,
)

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 120
MAX_ATTEMPTS = 6
UNDISPATCHED_GRACE = timedelta(seconds=15)
SWEEP_BATCH = 500


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min, 8 min: a provider outage is waited out, not hammered."""
    return timedelta(seconds=30 * 2 ** max(0, attempts - 1))


#: The most notifications planned with one read (the sweeper finds up to SWEEP_BATCH at once).
PLAN_BATCH = 100


async def plan(notification_id: UUID) -> bool:
    """Create the delivery rows the user's preferences and devices call for, once. False when
    there is certainly nothing to deliver (nothing planned now, nor before)."""
    return bool(await plan_many([notification_id]))


async def plan_many(notification_ids: Sequence[UUID]) -> list[UUID]:
    """`plan` for several notifications: per batch of PLAN_BATCH, one read and one write (in a
    transaction only when there are rows to create). The ids whose deliveries may wait."""
    unique = list(dict.fromkeys(notification_ids))
    waiting: list[UUID] = []
    for start in range(0, len(unique), PLAN_BATCH):
        waiting += await _plan_batch(unique[start : start + PLAN_BATCH])
    return waiting


async def _plan_batch(ids: list[UUID]) -> list[UUID]:
    now = clock.now()
    found = await queries.notifications_with_addresses(ids)
    by_notification: dict[UUID, list[dict[str, Any]]] = {}
    for row in found:
        by_notification.setdefault(row["n.id"], []).append(row)
    waiting: list[UUID] = []
    to_mark: list[UUID] = []
    deliveries: list[NotificationDelivery] = []
    for rows in by_notification.values():
        notification = fixed_sql.hydrate(Notification, rows[0], "n")
        if notification.dispatched_at is not None:
            waiting.append(notification.id)  # planned by an earlier run: rows may still wait
            continue
        planned = await _deliveries(notification, rows, now)
        to_mark.append(notification.id)
        if planned:
            deliveries.extend(planned)
            waiting.append(notification.id)
    if to_mark:
        if not deliveries:  # nothing to send: marking them planned is the only write
            await queries.mark_dispatched(to_mark, now)
        else:
            async with atomic():  # the rows and the mark together: a crash between plans again
                await NotificationDelivery.bulk_create(deliveries, ignore_conflicts=True)
                await queries.mark_dispatched(to_mark, now)
    return waiting


async def _deliveries(
    notification: Notification, rows: list[dict[str, Any]], now: object
) -> list[NotificationDelivery]:
    """The delivery rows one notification calls for (`rows`: its user, one per device)."""
    user = fixed_sql.hydrate(User, rows[0], "u")
    rule = rule_for(notification.kind)
    device_ids = [row["device_id"] for row in rows if row["device_id"] is not None]
    planned: list[NotificationDelivery] = []
    for channel in CHANNELS.values():
        if channel.channel in rule.channels and await _wants(user, channel, rule.category):
            planned.extend(
                _row(notification, channel.channel, target, now)
                for target in channel.targets(user, device_ids)
            )
    return planned


def _row(
    notification: Notification, channel: Channel, target: str, now: object
) -> NotificationDelivery:
    return NotificationDelivery(
        notification_id=notification.id, channel=channel, target=target, next_attempt_at=now
    )


async def _wants(user: User, channel: DeliveryChannel, category: Category) -> bool:
    if not user.is_active:
        return False
    if category is Category.MARKETING:
        return await may_receive_marketing(user, channel.channel, clock.paris_today())
    return wants(user, channel.channel)


async def _claim(delivery_ids: Sequence[UUID]) -> list[NotificationDelivery]:
    """Take the rows nobody else holds; each claim is its own conditional UPDATE."""
    now = clock.now()
    claimed: list[UUID] = []
    for delivery_id in delivery_ids:
        taken = await NotificationDelivery.filter(
            Q(claimed_until=None) | Q(claimed_until__lt=now),
            id=delivery_id,
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
        ).update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1)
        if taken:
            claimed.append(delivery_id)
    if not claimed:
        return []
    return await NotificationDelivery.filter(id__in=claimed).select_related(
        "notification", "notification__user"
    )


async def deliver_pending(delivery_ids: Sequence[UUID]) -> None:
    deliveries = await _claim(delivery_ids)
    for channel in CHANNELS:  # in the registry's order: push before email
        batch = [d for d in deliveries if d.channel == channel]
        if batch:
            await _record(batch, await channel_of(channel).deliver(batch))


async def _record(deliveries: list[NotificationDelivery], results: list[Delivered]) -> None:
    for delivery, result in zip(deliveries, results, strict=True):
        if result.verdict is Verdict.SENT:
            await _sent(delivery)
        elif result.verdict is Verdict.FAILED:
            await _failed(delivery, result.reason or "échec")
        else:
            await _retry_or_fail(delivery, result.reason or "échec")


async def dispatch(notification_id: UUID) -> None:
    """The job run after a notification's commit: plan its deliveries, then send them."""
    await dispatch_many([notification_id])


async def dispatch_many(notification_ids: Sequence[UUID]) -> None:
    """`dispatch` for the notifications committed together (one job for a batch of them)."""
    waiting = await plan_many(notification_ids)
    if not waiting:
        return
    pending = await NotificationDelivery.filter(
        notification_id__in=waiting, status=DeliveryStatus.PENDING
    ).values_list("id", flat=True)
    await deliver_pending(list(cast("list[UUID]", pending)))  # flat: values, typed as tuples


@dataclass(frozen=True)
class SweepReport:
    planned: int
    retried: int


async def sweep() -> SweepReport:
    """Periodic: plan what a crash forgot, and retry what is due."""
    cutoff = clock.now() - UNDISPATCHED_GRACE
    forgotten = await (
        Notification.filter(dispatched_at=None, created_at__lt=cutoff)
        .order_by("created_at")
        .limit(SWEEP_BATCH)
        .values_list("id", flat=True)
    )
    await plan_many(list(cast("list[UUID]", forgotten)))  # flat: values, typed as tuples
    now = clock.now()
    due = await (
        NotificationDelivery.filter(
            Q(claimed_until=None) | Q(claimed_until__lt=now),
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .limit(SWEEP_BATCH)
        .values_list("id", flat=True)
    )
    await deliver_pending(list(cast("list[UUID]", due)))  # flat: values, typed as tuples
    return SweepReport(planned=len(forgotten), retried=len(due))


async def _sent(delivery: NotificationDelivery) -> None:
    await NotificationDelivery.filter(id=delivery.id).update(
        status=DeliveryStatus.SENT, sent_at=clock.now(), claimed_until=None, last_error=None
    )


async def _failed(delivery: NotificationDelivery, reason: str) -> None:
    await NotificationDelivery.filter(id=delivery.id).update(
        status=DeliveryStatus.FAILED, claimed_until=None, last_error=reason[:500]
    )


async def _retry_or_fail(delivery: NotificationDelivery, reason: str) -> None:
    if delivery.attempts >= MAX_ATTEMPTS:
        logger.warning("delivery %s failed for good: %s", delivery.id, reason)
        await _failed(delivery, reason)
        return
    await NotificationDelivery.filter(id=delivery.id).update(
        claimed_until=None,
        last_error=reason[:500],
        next_attempt_at=clock.now() + retry_delay(delivery.attempts),
    )
