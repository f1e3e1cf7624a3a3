"""Jobs keeping the Meilisearch index in sync (search/sync.py); with the database backend
each returns at once."""

from __future__ import annotations

import logging

from domain.core import search_index
from search import sync
from workers.broker import broker

logger = logging.getLogger(__name__)


@broker.task(task_name=search_index.SYNC_OFFER_JOB, retry_delay=30)
async def sync_offer(offer_id: str) -> None:
    """After moderation (approval, withdrawal, the "super" flag): safe to run twice."""
    await sync.sync_offer(offer_id)


@broker.task(task_name=search_index.SYNC_PARTNER_JOB, retry_delay=30)
async def sync_partner(partner_id: str) -> None:
    await sync.sync_partner(partner_id)


@broker.task(task_name=search_index.SYNC_SERVICE_JOB, retry_delay=30)
async def sync_service(service_id: str) -> None:
    await sync.sync_service(service_id)


@broker.task(task_name=sync.EXPIRE_JOB, retry_delay=300)
async def expire_offers() -> None:
    """Daily: drop the offers whose validity has ended (the queries filter them anyway)."""
    if await sync.expire():
        logger.info("search: expired offers removed from the index")
