"""Campaign jobs: start (write the recipients, kick the batches), batch (claim, send,
record, hand over), and the sweeper that starts scheduled campaigns and restarts stalled
ones. Each is safe to run twice: rows are claimed before being sent."""

from __future__ import annotations

import logging
from uuid import UUID

from domain.campaigns import sending as campaign_sending
from models.notifications import Channel
from workers.broker import broker

logger = logging.getLogger(__name__)

SWEEP_JOB = "campaigns.sweep"


@broker.task(task_name=campaign_sending.START_JOB, retry_delay=10)
async def start_campaign(campaign_id: str) -> None:
    await campaign_sending.start(UUID(campaign_id))


@broker.task(task_name=campaign_sending.BATCH_JOB, retry_delay=10)
async def send_campaign_batches(campaign_id: str, channel: str) -> None:
    handled = await campaign_sending.run_batches(UUID(campaign_id), Channel(channel))
    logger.info("campaign %s: %d %s recipients handled", campaign_id, handled, channel)


@broker.task(task_name=SWEEP_JOB, retry_delay=30)
async def sweep_campaigns() -> None:
    kicked = await campaign_sending.sweep()
    if kicked:
        logger.info("campaigns started or restarted: %s", ", ".join(map(str, kicked)))
