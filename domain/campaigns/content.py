"""What a campaign looks like on each channel: the email (with the deal and event cards and
the one-click unsubscribe), the push payload, the inbox notification.

The cards are read once per batch (`offer_cards`); every email of a campaign to a person
has the same Message-ID (`stable_id`), and every push the campaign's collapse key, so a
message re-sent after a crash is recognisable as the same one.
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
from push.email import BulkEmail, Message, OutgoingEmail
from push.mobile import PushMessage
from push.unsubscribe import unsubscribe_url

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


def stable_email_id(campaign_id: UUID, user_id: UUID) -> str:
    return f"campaign/{campaign_id}/{user_id}/email"


def campaign_email(
    campaign: Campaign,
    cards: Sequence[OfferCard],
    to: str,
    first_name: str,
    user_id: UUID,
    settings: Settings,
) -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        template="campaign",
        context={
            "first_name": first_name,
            "subject": campaign.subject or campaign.title,
            "title": campaign.title,
            "body": campaign.body,
            "cards": cards,
        },
        unsubscribe_url=unsubscribe_url(settings, user_id, "email", campaign.id),
        stable_id=stable_email_id(campaign.id, user_id),
        headers={"X-CJeune-Campaign": str(campaign.id)},
    )


def campaign_bulk_email(
    campaign: Campaign, cards: Sequence[OfferCard], settings: Settings
) -> BulkEmail:
    """The campaign's email prepared once, for `campaign_email_for` to each recipient."""
    return BulkEmail(
        "campaign",
        {
            "subject": campaign.subject or campaign.title,
            "title": campaign.title,
            "body": campaign.body,
            "cards": cards,
        },
        settings,
        headers={"X-CJeune-Campaign": str(campaign.id)},
    )


def campaign_email_for(
    bulk: BulkEmail, campaign: Campaign, to: str, first_name: str, user_id: UUID
) -> Message:
    """What `render(campaign_email(...))` gives, built from the prepared email."""
    return bulk.render_for(
        to,
        first_name,
        unsubscribe_url(bulk.settings, user_id, "email", campaign.id),
        stable_email_id(campaign.id, user_id),
    )


def push_data(campaign: Campaign) -> dict[str, str]:
    return {
        "campaignId": str(campaign.id),
        "kind": CAMPAIGN_KIND,
        "route": "offer" if len(campaign.offer_ids) == 1 else "campaign",
        "offerIds": ",".join(campaign.offer_ids),
    }


def campaign_push(campaign: Campaign, token: str, recipient_id: int | None) -> PushMessage:
    data = push_data(campaign)
    if recipient_id is not None:
        data["recipientId"] = str(recipient_id)
    return PushMessage(
        token=token,
        title=campaign.title,
        body=campaign.body,
        data=data,
        collapse_key=f"campaign-{campaign.id}",
    )


def inbox_data(campaign: Campaign) -> dict[str, Any]:
    return {"campaignId": str(campaign.id), "offerIds": list(campaign.offer_ids)}
