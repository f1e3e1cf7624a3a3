"""What every channel shows of a campaign: the deal and event cards, and the inbox data.

Each channel renders the campaign its own way (domain/notifications/channels/); the cards
are read once per batch (`offer_cards`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from babel.dates import format_date

from infra.settings import Settings
from models.campaigns import Campaign
from models.offers import Offer, OfferKind

CAMPAIGN_KIND = "campaign"  # domain/notifications/kinds.py


@dataclass(frozen=True)
class OfferCard:
    id: str
    label: str  # « Super bon plan », « Bon plan », « Événement »
    what: str  # « le bon plan », « l'événement »
    title: str
    partner: str
    until: str | None  # « 30 septembre 2026 »
    url: str


async def offer_cards(offer_ids: Sequence[str], settings: Settings) -> list[OfferCard]:
    """The cards of the campaign's offers, in the campaign's order."""
    if not offer_ids:
        return []
    offers = {
        str(o.id): o
        for o in await Offer.filter(id__in=[UUID(i) for i in offer_ids]).select_related("partner")
    }
    cards = []
    for offer_id in offer_ids:
        offer = offers.get(offer_id)
        if offer is None:
            continue
        deal = offer.kind == OfferKind.DEAL
        label = "Super bon plan" if offer.is_super else ("Bon plan" if deal else "Événement")
        cards.append(
            OfferCard(
                id=offer_id,
                label=label,
                what="le bon plan" if deal else "l'événement",
                title=offer.title or "",
                partner=offer.partner.trade_name,
                until=format_date(offer.valid_until, "d MMMM y", locale="fr_FR")
                if offer.valid_until
                else None,
                url=f"{settings.public_url}/offres/{offer_id}",
            )
        )
    return cards


def inbox_data(campaign: Campaign) -> dict[str, Any]:
    return {"campaignId": str(campaign.id), "offerIds": list(campaign.offer_ids)}
