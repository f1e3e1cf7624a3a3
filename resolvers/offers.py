"""Resolvers for deals, events and their moderation: read the input, call domain/, answer
with the models (schema/offers.py shapes them); a refused rule raises DomainError."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry

from domain.core import clock, cursors
from domain.core.errors import DomainError
from domain.offers import editing as offers
from domain.offers import moderation as offer_moderation
from domain.offers.visibility import is_insider, may_see
from models.offers import Offer, OfferKind, OfferRevision, OfferTheme
from models.partners import Partner
from resolvers.arguments import parse_id
from resolvers.context import Info

MAX_PAGE = 50
_CHANGE_FIELDS = (
    "title",
    "description",
    "theme",
    "deal_type",
    "discount_amount",
    "discount_percent",
    "promo_code",
    "event_kind",
    "valid_from",
    "valid_until",
    "practical_info",
    "conditions",
)


def _changes(input: Any) -> offers.OfferChanges:
    """The domain's changes from a GraphQL input (creation or edit)."""
    values = {name: getattr(input, name, None) for name in _CHANGE_FIELDS}
    image_ids = getattr(input, "image_ids", None)
    if image_ids is not None:
        values["image_ids"] = [parse_id(i, "imageIds") for i in image_ids]
    places = getattr(input, "places", None)
    if places is not None:
        values["places"] = [
            offers.PlaceInput(p.street, p.postal_code, p.city, p.label or "") for p in places
        ]
    sessions = getattr(input, "sessions", None)
    if sessions is not None:
        values["sessions"] = [offers.SessionInput(s.starts_at, s.ends_at) for s in sessions]
    return offers.OfferChanges(**values)


async def create_offer(info: Info, partner_id: strawberry.ID, kind: OfferKind, input: Any) -> Offer:
    return await offers.create_offer(
        info.context.viewer, parse_id(partner_id, "partnerId"), kind, _changes(input)
    )


async def update_offer(info: Info, offer_id: strawberry.ID, input: Any) -> Offer:
    return await offers.update_offer(
        info.context.viewer, parse_id(offer_id, "offerId"), _changes(input)
    )


async def submit_for_moderation(info: Info, offer_id: strawberry.ID) -> Offer:
    return await offer_moderation.submit(info.context.viewer, parse_id(offer_id, "offerId"))


async def withdraw_offer(info: Info, offer_id: strawberry.ID) -> Offer:
    return await offer_moderation.withdraw(info.context.viewer, parse_id(offer_id, "offerId"))


async def moderate(
    info: Info, revision_id: strawberry.ID, approve: bool, reason: str | None
) -> Offer:
    return await offer_moderation.decide(
        info.context.viewer, parse_id(revision_id, "revisionId"), approve, reason
    )


async def set_super_bon_plan(info: Info, offer_id: strawberry.ID, is_super: bool) -> Offer:
    return await offer_moderation.set_super(
        info.context.viewer, parse_id(offer_id, "offerId"), is_super
    )


async def moderation_queue(
    info: Info,
    kind: OfferKind | None,
    theme: OfferTheme | None,
    partner_id: strawberry.ID | None,
    first: int,
    after: str | None,
) -> tuple[list[OfferRevision], str | None]:
    try:
        filters = offer_moderation.QueueFilter(
            kind, theme, parse_id(partner_id, "partnerId") if partner_id else None
        )
        position = cursors.decode(after) if after else None
    except DomainError:
        return [], None
    rows, last = await offer_moderation.queue(filters, max(1, min(first, MAX_PAGE)), position)
    return rows, cursors.encode(*last) if last else None


async def offer(info: Info, id: strawberry.ID) -> Offer | None:
    """The offer if the viewer may see it; null otherwise (as if it did not exist)."""
    try:
        offer_id = parse_id(id, "id")
    except DomainError:
        return None
    found = await Offer.get_or_none(id=offer_id)
    if found is None or not may_see(info.context.viewer, found, clock.paris_today()):
        return None
    return found


async def partner_offers(
    info: Info, partner_id: strawberry.ID, first: int, after: str | None
) -> tuple[list[Offer], str | None]:
    try:
        partner = parse_id(partner_id, "partnerId")
        position = cursors.decode(after) if after else None
    except DomainError:
        return [], None
    viewer = info.context.viewer
    return await offers.partner_offers(
        viewer, partner, is_insider(viewer, partner), max(1, min(first, MAX_PAGE)), position
    )


async def partners_without_bon_plan(info: Info, school_year: str) -> list[Partner]:
    return await offer_moderation.partners_without_deal(school_year)


async def revisions_for(found: list[Offer]) -> dict[UUID, OfferRevision]:
    return await offers.revisions_by_id(found)
