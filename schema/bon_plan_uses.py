"""Bons plans at the till: the deals a card's holder may use (`CardCheck.usableBonsPlans`),
a use recorded or cancelled, the lists and the counts per deal; the root fields
`BonPlanUseQueries` and `BonPlanUseMutations` (composed in schema/root.py).

No money moves: the rules are in domain/cards/bon_plan_uses.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from domain.cards import codes as card_codes
from domain.cards.bon_plan_uses import DealUseCount, UsableDeal
from domain.core import clock
from domain.offers.visibility import may_see
from models.accounts import StaffRole
from models.partners import DelegatePermission
from models.transactions import BonPlanUse as BonPlanUseModel
from resolvers import bon_plan_uses as resolvers
from resolvers.context import Info
from resolvers.permissions import (
    ANY_STAFF,
    YOUNG_PERSON,
    allow,
    cashier_of_bon_plan_use_argument,
    cashier_of_deal_argument,
    delegate_of_argument,
    delegate_of_source,
    staff,
)
from schema.accounts import Person
from schema.errors import UserError, user_errors
from schema.offers import Offer
from schema.partners import PaymentChannel

_INSIDE = allow(ANY_STAFF, delegate_of_source(partner_field="partner_id"))


@strawberry.type(
    description="A deal of the partner that the looked-up card's holder may use today (the "
    "18–25 themes only from 18 to 25), with what they already used of it."
)
class UsableBonPlan:
    bon_plan: Offer
    uses_by_holder: int = strawberry.field(
        description="Times this holder used it, cancelled uses aside. Nothing limits it: a "
        "deal given once per person says so in its conditions."
    )
    last_used_by_holder_at: datetime | None

    @classmethod
    async def list_of(cls, deals: list[UsableDeal]) -> list[UsableBonPlan]:
        offers = await Offer.list_of([d.offer for d in deals])
        return [
            cls(
                bon_plan=offer,
                uses_by_holder=deal.uses_by_holder,
                last_used_by_holder_at=deal.last_used_by_holder_at,
            )
            for offer, deal in zip(offers, deals, strict=True)
        ]


@strawberry.type(
    description="A deal used on presentation of the card at a partner's till: no money moves."
)
class BonPlanUse:
    id: strawberry.ID
    reference: str
    title: str = strawberry.field(description="The deal's title when it was used.")
    created_at: datetime
    cancelled_at: datetime | None
    masked_card_code: str
    channel: PaymentChannel
    partner_id: strawberry.ID
    bon_plan_id: strawberry.ID
    model: strawberry.Private[BonPlanUseModel]

    @strawberry.field(
        description="Whether the viewer may cancel it now: not cancelled, recorded today "
        "(Paris), and the viewer holds the till's permission for its partner."
    )
    def cancellable(self, info: Info) -> bool:
        return resolvers.is_cancellable(info, self.model)

    @strawberry.field
    async def partner_name(self, info: Info) -> str:
        partner = await info.context.loaders.partner.load(self.model.partner_id)
        return partner.trade_name if partner else ""

    @strawberry.field(description="The deal, as the viewer may see it today; null otherwise.")
    async def bon_plan(self, info: Info) -> Offer | None:
        offer = await info.context.loaders.offer.load(self.model.offer_id)
        if offer is None or not may_see(info.context.viewer, offer, clock.paris_today()):
            return None
        return Offer.of(offer, {})

    @strawberry.field(
        extensions=_INSIDE,
        description="Who recorded it (the partner's own people and staff only).",
    )
    async def delegate(self, info: Info) -> Person | None:
        user = await info.context.loaders.user.load(self.model.delegate_user_id)
        return Person.from_model(user) if user else None

    @classmethod
    def from_model(cls, use: BonPlanUseModel) -> BonPlanUse:
        """`use` with its card loaded."""
        return cls(
            id=strawberry.ID(str(use.id)),
            reference=use.reference,
            title=use.title,
            created_at=use.created_at,
            cancelled_at=use.cancelled_at,
            masked_card_code=card_codes.mask_code(use.card.code),
            channel=PaymentChannel(use.channel),
            partner_id=strawberry.ID(str(use.partner_id)),
            bon_plan_id=strawberry.ID(str(use.offer_id)),
            model=use,
        )


@strawberry.type
class BonPlanUsePage:
    uses: list[BonPlanUse]
    next_cursor: str | None

    @classmethod
    def of(cls, page: tuple[list[BonPlanUseModel], str | None]) -> BonPlanUsePage:
        rows, cursor = page
        return cls(uses=[BonPlanUse.from_model(u) for u in rows], next_cursor=cursor)


@strawberry.type(description="How many times a deal was used at the till in a period.")
class BonPlanUseCount:
    bon_plan: Offer
    use_count: int

    @classmethod
    async def list_of(cls, counts: list[DealUseCount]) -> list[BonPlanUseCount]:
        offers = await Offer.list_of([c.offer for c in counts])
        return [
            cls(bon_plan=offer, use_count=count.uses)
            for offer, count in zip(offers, counts, strict=True)
        ]


@strawberry.type
class BonPlanUseSuccess:
    bon_plan_use: BonPlanUse


BonPlanUseResult = Annotated[BonPlanUseSuccess | UserError, strawberry.union("BonPlanUseResult")]


@strawberry.input(description="A deal the card's holder uses at the till, on presenting the card.")
class BonPlanUseInput:
    card_code: str = strawberry.field(description="The typed code or the scanned QR payload.")
    bon_plan_id: strawberry.ID = strawberry.field(
        description="One of the lookup's `usableBonsPlans`: a deal of the partner."
    )
    idempotency_key: str = strawberry.field(
        description="Chosen by the till for this use; resending it never records twice."
    )
    channel: PaymentChannel = strawberry.field(
        default=PaymentChannel.TILL, description="Where the card was presented."
    )


async def _use_answer(use: BonPlanUseModel) -> BonPlanUseSuccess:
    await use.fetch_related("card")
    return BonPlanUseSuccess(bon_plan_use=BonPlanUse.from_model(use))


@strawberry.type
class BonPlanUseQueries:
    @strawberry.field(
        extensions=allow(
            staff(StaffRole.SUPPORT, StaffRole.FINANCE),
            delegate_of_argument("partner_id", DelegatePermission.TRANSACTIONS),
        ),
        description="A partner's deals used at its till, newest first (cancelled ones too).",
    )
    async def bon_plan_uses(
        self,
        info: Info,
        partner_id: strawberry.ID,
        bon_plan_id: strawberry.ID | None = None,
        day: Annotated[
            date | None, strawberry.argument(description="One Paris calendar day.")
        ] = None,
        delegate_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The person (`Person.id`) who recorded them."),
        ] = None,
        first: int = 50,
        after: str | None = None,
    ) -> BonPlanUsePage:
        return BonPlanUsePage.of(
            await resolvers.partner_uses(
                info, partner_id, bon_plan_id, day, delegate_id, first, after
            )
        )

    @strawberry.field(
        extensions=allow(YOUNG_PERSON),
        description="The deals the signed-in young person used with their card, newest first.",
    )
    async def my_bon_plan_uses(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> BonPlanUsePage:
        return BonPlanUsePage.of(await resolvers.my_uses(info, first, after))

    @strawberry.field(
        extensions=allow(ANY_STAFF, delegate_of_argument("partner_id")),
        description="Uses per deal between two Paris days (included), cancelled uses aside, "
        "most used first: of one partner (its people, staff) or of all (staff).",
    )
    async def bon_plan_use_counts(
        self,
        info: Info,
        partner_id: strawberry.ID | None = None,
        since: date | None = None,
        until: date | None = None,
        first: int = 100,
    ) -> list[BonPlanUseCount]:
        counts = await resolvers.use_counts(info, partner_id, since, until, first)
        return await BonPlanUseCount.list_of(counts)


@strawberry.type
class BonPlanUseMutations:
    @strawberry.mutation(
        extensions=allow(cashier_of_deal_argument("bon_plan_id")),
        description="The card's holder uses one of the partner's deals: no money moves. "
        "Idempotent: the same key answers the first use.",
    )
    @user_errors
    async def record_bon_plan_use(self, info: Info, input: BonPlanUseInput) -> BonPlanUseResult:
        return await _use_answer(await resolvers.record_bon_plan_use(info, input))

    @strawberry.mutation(
        extensions=allow(cashier_of_bon_plan_use_argument("use_id")),
        description="The same calendar day (Paris) only.",
    )
    @user_errors
    async def cancel_bon_plan_use(self, info: Info, use_id: strawberry.ID) -> BonPlanUseResult:
        return await _use_answer(await resolvers.cancel_bon_plan_use(info, use_id))
