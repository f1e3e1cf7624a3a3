"""The app's inbox: every notification is already there (its row is the message), so it has
no deliveries; a campaign writes one inbox row per person, exactly once.

It has no marketing opt-in of its own: a person opted in on any other channel receives the
campaigns in the inbox, and has no link to unsubscribe from it alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from uuid import UUID

from tortoise.transactions import in_transaction

from domain.campaigns.content import CAMPAIGN_KIND, inbox_data
from domain.core import clock
from domain.notifications.channels.base import CampaignOutcomes, Delivered, Recipient
from domain.notifications.notify import as_event
from models.accounts import User
from models.campaigns import Campaign
from models.notifications import Channel, Notification, NotificationDelivery
from push.realtime import notification_channel, publish

logger = logging.getLogger(__name__)


class InAppChannel:
    channel = Channel.IN_APP
    preference_field = None  # always: transactions and account messages reach the inbox
    opt_in_field = None
    marketing_wording = "dans l'application"
    audience_sql = None
    parallel_batches = False

    def targets(self, user: User, device_ids: Sequence[UUID]) -> list[str]:
        return []  # the notification row is the inbox's message

    async def deliver(self, deliveries: Sequence[NotificationDelivery]) -> list[Delivered]:
        raise AssertionError("the inbox has no deliveries")

    async def send_campaign(
        self, campaign: Campaign, people: Sequence[Recipient], outcomes: CampaignOutcomes
    ) -> None:
        """Inbox rows and the rows' outcome in one transaction: exactly once. Already
        dispatched: the notification sweeper must not add a push or an email to the
        campaign's own. Once committed, each message goes to its reader's open
        subscriptions (the app's inbox live)."""
        now = clock.now()
        notifications = [
            Notification(
                user_id=user.id,
                kind=CAMPAIGN_KIND,
                title=campaign.title,
                body=campaign.body,
                data=inbox_data(campaign),
                dispatched_at=now,
                created_at=now,
            )
            for _, user in people
        ]
        async with in_transaction() as connection:
            await Notification.bulk_create(notifications, using_db=connection)
            for row, _ in people:
                outcomes.sent(row)
            await outcomes.write(connection)
        await _publish(notifications)


async def _publish(notifications: list[Notification]) -> None:
    """Best effort: the rows are committed and the inbox shows them on its next read."""
    try:
        await asyncio.gather(
            *(publish(notification_channel(n.user_id), as_event(n)) for n in notifications)
        )
    except Exception:
        logger.exception("campaign inbox events not published; the inbox rows are saved")


IN_APP = InAppChannel()
