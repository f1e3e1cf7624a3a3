"""Resolvers for bons plans at the till: the deals a looked-up card's holder may use, a use
recorded or cancelled, the lists and the counts per deal (schema/bon_plan_uses.py shapes
them); a refused rule raises DomainError."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import strawberry

from domain.cards import bon_plan_uses
from domain.cards.states import CardState
from domain.cards.transactions import CardLookup
from domain.core import clock
from domain.core.errors import DomainError
from domain.partners.pin_policy import PaymentChannel
from models.partners import DelegatePermission
from models.transactions import BonPlanUse
from resolvers.arguments import parse_id
from resolvers.context import Info
from resolvers.keyset import newest_first


async def usable_bons_plans(lookup: CardLookup) -> list[bon_plan_uses.UsableDeal]:
    """Nothing for a card that cannot be used: its holder is not even shown."""
    if lookup.state != CardState.ACTIVE or lookup.holder is None or lookup.age is None:
        return []
    return await bon_plan_uses.usable_deals(lookup.partner_id, lookup.holder.id, lookup.age)


async def record_bon_plan_use(info: Info, input: Any) -> BonPlanUse:
    """`input` is a BonPlanUseInput."""
    return await bon_plan_uses.record_use(
        info.context.viewer,
        bon_plan_uses.UseRequest(
            card_code=input.card_code,
            offer_id=parse_id(input.bon_plan_id, "bonPlanId"),
            idempotency_key=input.idempotency_key,
            channel=PaymentChannel(input.channel),
        ),
    )


async def cancel_bon_plan_use(info: Info, use_id: strawberry.ID) -> BonPlanUse:
    return await bon_plan_uses.cancel_use(info.context.viewer, parse_id(use_id, "useId"))


async def partner_uses(
    info: Info,
    partner_id: strawberry.ID,
    bon_plan_id: strawberry.ID | None,
    day: date | None,
    delegate_id: strawberry.ID | None,
    first: int,
    after: str | None,
) -> tuple[list[BonPlanUse], str | None]:
    """A partner's recorded uses, newest first, cancelled ones included."""
    try:
        query = BonPlanUse.filter(partner_id=parse_id(partner_id, "partnerId"))
        if bon_plan_id:
            query = query.filter(offer_id=parse_id(bon_plan_id, "bonPlanId"))
        if delegate_id:
            query = query.filter(delegate_user_id=parse_id(delegate_id, "delegateId"))
    except DomainError:
        return [], None
    if day:
        query = query.filter(
            created_at__gte=clock.start_of_paris_day(day),
            created_at__lt=clock.start_of_paris_day(day + timedelta(days=1)),
        )
    return await newest_first(query, first, after, "card")


async def my_uses(info: Info, first: int, after: str | None) -> tuple[list[BonPlanUse], str | None]:
    """The signed-in young person's bons plans used, newest first."""
    user = info.context.viewer.user
    uses = BonPlanUse.filter(beneficiary__user_id=user.id)
    return await newest_first(uses, first, after, "card")


async def use_counts(
    info: Info,
    partner_id: strawberry.ID | None,
    since: date | None,
    until: date | None,
    first: int,
) -> list[bon_plan_uses.DealUseCount]:
    try:
        partner = parse_id(partner_id, "partnerId") if partner_id else None
    except DomainError:
        return []
    return await bon_plan_uses.counts_by_deal(partner, since, until, first)


def is_cancellable(info: Info, use: BonPlanUse) -> bool:
    """Whether the viewer may cancel the use now (same Paris day, the till's permission)."""
    return bon_plan_uses.is_cancellable(use) and info.context.viewer.may_act_for(
        use.partner_id, DelegatePermission.TRANSACTIONS
    )
