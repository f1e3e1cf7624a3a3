"""Resolvers for campaigns: read the input, call domain/, answer with models (schema/campaigns.py
shapes them); a refused rule raises DomainError."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry

from domain.campaigns import management as campaigns
from domain.campaigns.audience import Segment
from domain.core.errors import DomainError, invalid
from models.campaigns import Campaign, CampaignStatus
from models.cards import BeneficiaryKind
from models.notifications import Channel
from models.offers import OfferTheme
from resolvers.arguments import parse_id
from resolvers.context import Info

MAX_PAGE = 100


def segment_of(input: Any) -> Segment:
    if input is None:
        return Segment()
    return Segment(
        kinds=tuple(BeneficiaryKind(k) for k in input.kinds or ()),
        min_age=input.min_age,
        max_age=input.max_age,
        communes=tuple(c.strip() for c in input.communes or ()),
        schools=tuple(dict.fromkeys(s.strip() for s in input.schools or ())),
        partner_ids=tuple(parse_id(p, "segment.partnerIds") for p in input.partner_ids or ()),
        themes=tuple(OfferTheme(t) for t in input.themes or ()),
        card_activated=input.card_activated,
    )


def _offer_ids(ids: list[strawberry.ID] | None) -> list[UUID]:
    return [parse_id(i, "offerIds") for i in ids or ()]


def _draft(input: Any, base: campaigns.CampaignDraft | None = None) -> campaigns.CampaignDraft:
    """The draft from an input; fields left out (None) keep `base`'s value."""

    def pick(name: str, default: Any) -> Any:
        value = getattr(input, name, None)
        return default if value is None else value

    if base is None:
        base = campaigns.CampaignDraft(name="", channels=[], title="", body="")
    return campaigns.CampaignDraft(
        name=pick("name", base.name),
        channels=[Channel(c) for c in pick("channels", base.channels)],
        title=pick("title", base.title),
        body=pick("body", base.body),
        subject=pick("subject", base.subject),
        offer_ids=_offer_ids(input.offer_ids) if input.offer_ids is not None else base.offer_ids,
        segment=segment_of(input.segment) if input.segment is not None else base.segment,
    )


async def create_campaign(info: Info, input: Any) -> Campaign:
    return await campaigns.create_campaign(info.context.viewer, _draft(input))


async def update_campaign(info: Info, id: strawberry.ID, input: Any) -> Campaign:
    campaign = await campaigns.get_campaign(parse_id(id, "id"))
    draft = _draft(input, campaigns.CampaignDraft.of(campaign))
    return await campaigns.update_campaign(info.context.viewer, campaign.id, draft)


async def send_campaign(info: Info, id: strawberry.ID, at: datetime | None) -> Campaign:
    return await campaigns.send_campaign(info.context.viewer, parse_id(id, "id"), at)


async def change_state(info: Info, id: strawberry.ID, action: str) -> Campaign:
    move = {
        "pause": campaigns.pause_campaign,
        "resume": campaigns.resume_campaign,
        "cancel": campaigns.cancel_campaign,
    }[action]
    return await move(info.context.viewer, parse_id(id, "id"))


async def campaign(info: Info, id: strawberry.ID) -> Campaign | None:
    try:
        return await Campaign.get_or_none(id=parse_id(id, "id"))
    except DomainError:
        return None


async def campaigns_list(info: Info, status: CampaignStatus | None, first: int) -> list[Campaign]:
    rows = Campaign.all() if status is None else Campaign.filter(status=status)
    return await rows.order_by("-created_at").limit(max(1, min(first, MAX_PAGE)))


async def audience(
    info: Info,
    segment: Any,
    offer_ids: list[strawberry.ID] | None,
    channels: list[Channel] | None,
) -> dict[Channel, int]:
    return await campaigns.audience(
        segment_of(segment), _offer_ids(offer_ids), [Channel(c) for c in channels or ()]
    )


async def preview(info: Info, id: strawberry.ID) -> campaigns.Preview:
    return await campaigns.preview(info.context.viewer, parse_id(id, "id"))


async def send_test(info: Info, id: strawberry.ID) -> campaigns.TestSend:
    return await campaigns.send_test(info.context.viewer, parse_id(id, "id"))


async def set_themes(info: Info, themes: list[OfferTheme]) -> list[OfferTheme]:
    if len(themes) > len(OfferTheme):
        raise invalid("themes", "Un thème ne peut être choisi qu'une fois.")
    return await campaigns.set_themes_of_interest(info.context.viewer, themes)
