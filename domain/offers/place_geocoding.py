"""Refining the places of deals and events, and partners' pins, from their commune's centre
to the address.

The request that saves a place puts it at once at its commune's centre (the table shipped
with the project), so every address of the département is on the map without waiting for a
network service. This job then asks the address base (BAN, through `infra/geocoding.py`) for
the exact position. An address the base does not find keeps its commune's centre; a base
that does not answer makes the job fail and be retried with backoff.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.core.search_index import SYNC_OFFER_JOB, SYNC_PARTNER_JOB
from domain.core.transactions import after_commit, atomic
from domain.offers.editing import PRECISION_ADDRESS, PRECISION_COMMUNE
from infra.geocoding import AddressNotFound, current_geocoder
from infra.jobs import enqueue
from models.offers import Offer, OfferLocation, OfferRevision
from models.social import LocationSource, PartnerProfile


async def _refined(place: dict[str, Any]) -> dict[str, Any]:
    if place.get("precision") != PRECISION_COMMUNE:
        return place
    try:
        point = await current_geocoder().geocode(
            str(place["street"]), str(place["postalCode"]), str(place["city"])
        )
    except AddressNotFound:
        point = None  # stays at the commune's centre; GeocoderUnavailable goes up: retried
    if point is None:
        return place
    return {
        **place,
        "latitude": round(point.latitude, 6),
        "longitude": round(point.longitude, 6),
        "precision": PRECISION_ADDRESS,
    }


async def refine_offer_places(revision_id: UUID) -> int:
    """Idempotent; returns how many places moved. A concurrent edit of the places wins."""
    revision = await OfferRevision.get_or_none(id=revision_id)
    if revision is None:
        return 0
    read = list(revision.places)
    refined = [await _refined(place) for place in read]
    moved = sum(1 for before, after in zip(read, refined, strict=True) if before != after)
    if not moved:
        return 0
    async with atomic():
        current = await OfferRevision.filter(id=revision_id).select_for_update().get()
        if current.places != read:
            return 0  # the partner changed the places meanwhile; their save queued a new job
        await OfferRevision.filter(id=revision_id).update(places=refined)
        offer = await Offer.get(id=current.offer_id)
        if offer.published_revision_id == revision_id:
            await _replace_locations(offer.id, refined)
            offer_id = str(offer.id)
            await after_commit(lambda: enqueue(SYNC_OFFER_JOB, offer_id))  # the map index
    return moved


async def _replace_locations(offer_id: UUID, places: list[dict[str, Any]]) -> None:
    await OfferLocation.filter(offer_id=offer_id).delete()
    await OfferLocation.bulk_create(
        [
            OfferLocation(
                offer_id=offer_id,
                label=str(p.get("label") or ""),
                city=str(p["city"]),
                latitude=float(p["latitude"]),
                longitude=float(p["longitude"]),
            )
            for p in places
        ]
    )


async def refine_partner_pin(partner_id: UUID) -> bool:
    """Idempotent; True when the pin moved. A pin the partner moved, or a newer address, wins."""
    profile = await PartnerProfile.get_or_none(partner_id=partner_id)
    if profile is None or profile.location_source != LocationSource.COMMUNE_CENTRE:
        return False
    address = (profile.street or "", profile.postal_code or "", profile.city or "")
    try:
        point = await current_geocoder().geocode(*address)
    except AddressNotFound:
        point = None  # stays at the commune's centre; GeocoderUnavailable goes up: retried
    async with atomic():
        current = await PartnerProfile.filter(id=profile.id).select_for_update().get()
        unchanged = (current.street or "", current.postal_code or "", current.city or "")
        if current.location_source != LocationSource.COMMUNE_CENTRE or unchanged != address:
            return False
        if point is None:
            await PartnerProfile.filter(id=profile.id).update(
                location_source=LocationSource.GEOCODED
            )
            return False
        await PartnerProfile.filter(id=profile.id).update(
            latitude=round(point.latitude, 6),
            longitude=round(point.longitude, 6),
            location_source=LocationSource.GEOCODED,
        )
        key = str(partner_id)
        await after_commit(lambda: enqueue(SYNC_PARTNER_JOB, key))
    return True
