"""Geocoding outside the request: the places of deals and events, and partners' pins."""

from __future__ import annotations

from uuid import UUID

from domain.offers.editing import REFINE_PLACES_JOB
from domain.offers.place_geocoding import refine_offer_places, refine_partner_pin
from domain.partners.profiles import REFINE_PARTNER_PIN_JOB
from workers.broker import broker


@broker.task(task_name=REFINE_PLACES_JOB, retry_delay=60)
async def refine_offer_places_job(revision_id: str) -> None:
    """Retried with backoff while the address base does not answer."""
    await refine_offer_places(UUID(revision_id))


@broker.task(task_name=REFINE_PARTNER_PIN_JOB, retry_delay=60)
async def refine_partner_pin_job(partner_id: str) -> None:
    """Retried with backoff while the address base does not answer."""
    await refine_partner_pin(UUID(partner_id))
