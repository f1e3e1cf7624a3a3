"""Deals ("bons plans"), events and their moderation.

`OfferQueries` and `OfferMutations` are composed into the root types (schema/root.py); each
field carries its rule. The public reads an offer's published version; the partner's
delegates and staff (insiders) also read the working version, its status and why it was
refused. The promo code is given to an eligible signed-in young person (and insiders) only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from domain.core import clock
from domain.core.money import format_euros
from domain.offers.editing import PRECISION_ADDRESS
from domain.offers.visibility import may_read_promo_code
from models.accounts import StaffRole
from models.offers import DealType as DealTypeModel
from models.offers import EventKind as EventKindModel
from models.offers import Offer as OfferModel
from models.offers import OfferKind as OfferKindModel
from models.offers import OfferRevision as OfferRevisionModel
from models.offers import OfferTheme as OfferThemeModel
from models.offers import RevisionStatus as RevisionStatusModel
from models.partners import DelegatePermission
from resolvers import offers as resolvers
from resolvers.context import Info
from resolvers.permissions import (
    ANY_STAFF,
    ANYONE,
    allow,
    delegate_of_argument,
    delegate_of_offer_argument,
    delegate_of_source,
    staff,
)
from schema.errors import UserError, user_errors
from schema.images import Image

if TYPE_CHECKING:
    from schema.partners import Partner

LazyPartner = Annotated["Partner", strawberry.lazy("schema.partners")]

OfferKind = strawberry.enum(OfferKindModel, name="OfferKind")
DealType = strawberry.enum(DealTypeModel, name="DealType")
OfferTheme = strawberry.enum(
    OfferThemeModel,
    name="OfferTheme",
    description="TOURISME and INSERTION_PROFESSIONNELLE are shown to 18–25s only.",
)
EventKind = strawberry.enum(EventKindModel, name="EventKind")
OfferStatus = strawberry.enum(RevisionStatusModel, name="OfferStatus")

# The partner's own people and the département.
_INSIDE = allow(ANY_STAFF, delegate_of_source(partner_field="partner_id"))
MODERATION = staff(StaffRole.MODERATION)
_PUBLISHER = allow(delegate_of_argument("partner_id", DelegatePermission.OFFERS_AND_POSTS))
_OWN_OFFER = allow(delegate_of_offer_argument("offer_id"))


# --- what is shown ----------------------------------------------------------------------------


@strawberry.type(description="A place of the offer, located for the map.")
class OfferPlace:
    label: str
    street: str
    postal_code: str
    city: str
    latitude: float
    longitude: float
    at_address: bool = strawberry.field(
        description="True once the address itself is located; false: the commune's centre, "
        "until the address base is asked (after saving, by a worker)."
    )

    @classmethod
    def from_json(cls, place: dict[str, Any]) -> OfferPlace:
        return cls(
            label=str(place.get("label") or ""),
            street=str(place["street"]),
            postal_code=str(place["postalCode"]),
            city=str(place["city"]),
            latitude=float(place["latitude"]),
            longitude=float(place["longitude"]),
            at_address=place.get("precision") == PRECISION_ADDRESS,
        )


@strawberry.type(description="One date of an event.")
class EventSession:
    starts_at: datetime
    ends_at: datetime


@strawberry.type(description="One version of a deal's or an event's content.")
class OfferRevision:
    id: strawberry.ID
    number: int
    status: OfferStatus
    title: str
    description: str
    theme: OfferTheme
    deal_type: DealType | None
    event_kind: EventKind | None
    discount_cents: int | None
    discount_percent: int | None
    conditions: str
    practical_info: str
    valid_from: date = strawberry.field(description="Paris date, included.")
    valid_until: date = strawberry.field(description="Paris date, included.")
    sessions: list[EventSession] = strawberry.field(description="Events: their dates, in order.")
    places: list[OfferPlace]
    submitted_at: datetime | None
    decided_at: datetime | None
    rejection_reason: str | None = strawberry.field(
        extensions=_INSIDE, description="Why moderation refused it (the partner reads it)."
    )
    partner_id: strawberry.Private[UUID]
    model: strawberry.Private[OfferRevisionModel]
    offer_model: strawberry.Private[OfferModel]

    @strawberry.field(description="« 10,55 € » for a discount in euros.")
    def discount_amount(self) -> str | None:
        return format_euros(self.discount_cents) if self.discount_cents is not None else None

    @strawberry.field(
        description="Only for an eligible signed-in young person (and the partner, staff)."
    )
    def promo_code(self, info: Info) -> str | None:
        if self.model.promo_code is None:
            return None
        if may_read_promo_code(info.context.viewer, self.offer_model, clock.paris_today()):
            return self.model.promo_code
        return None

    @strawberry.field(description="Up to 2 visuals, in order.")
    async def images(self, info: Info) -> list[Image]:
        found = [await info.context.loaders.image.load(UUID(i)) for i in self.model.image_ids]
        return [Image.from_model(i) for i in found if i is not None]

    @strawberry.field(description="The offer this version belongs to.")
    def offer(self) -> Offer:
        return Offer.of(self.offer_model, {self.model.id: self.model})

    @classmethod
    def of(cls, revision: OfferRevisionModel, offer: OfferModel) -> OfferRevision:
        return cls(
            id=strawberry.ID(str(revision.id)),
            number=revision.number,
            status=revision.status,
            title=revision.title,
            description=revision.description,
            theme=revision.theme,
            deal_type=revision.deal_type,
            event_kind=revision.event_kind,
            discount_cents=revision.discount_cents,
            discount_percent=revision.discount_percent,
            conditions=revision.conditions,
            practical_info=revision.practical_info,
            valid_from=revision.valid_from,
            valid_until=revision.valid_until,
            sessions=[
                EventSession(
                    starts_at=datetime.fromisoformat(s["startsAt"]),
                    ends_at=datetime.fromisoformat(s["endsAt"]),
                )
                for s in revision.sessions
            ],
            places=[OfferPlace.from_json(p) for p in revision.places],
            submitted_at=revision.submitted_at,
            decided_at=revision.decided_at,
            rejection_reason=revision.rejection_reason,
            partner_id=offer.partner_id,
            model=revision,
            offer_model=offer,
        )


@strawberry.type(description="A deal (bon plan) or an event of a partner.")
class Offer:
    id: strawberry.ID
    kind: OfferKind
    is_super: bool = strawberry.field(description="A « super bon plan », chosen by staff.")
    created_at: datetime
    first_published_at: datetime | None
    withdrawn_at: datetime | None
    partner_id: strawberry.Private[UUID]
    model: strawberry.Private[OfferModel]
    revisions: strawberry.Private[dict[UUID, OfferRevisionModel]]

    async def _revision(self, revision_id: UUID | None) -> OfferRevision | None:
        if revision_id is None:
            return None
        revision = self.revisions.get(revision_id)
        if revision is None:
            revision = await OfferRevisionModel.get_or_none(id=revision_id)
        return OfferRevision.of(revision, self.model) if revision else None

    @strawberry.field(description="The version on show; null until one is approved.")
    async def published(self) -> OfferRevision | None:
        return await self._revision(self.model.published_revision_id)

    @strawberry.field(
        extensions=_INSIDE,
        description="The version the partner edits: the published one, or a newer one.",
    )
    async def working(self) -> OfferRevision | None:
        return await self._revision(self.model.working_revision_id)

    @strawberry.field(extensions=_INSIDE, description="The working version's status.")
    async def status(self) -> OfferStatus | None:
        working = await self._revision(self.model.working_revision_id)
        return working.status if working else None

    @strawberry.field(
        extensions=_INSIDE,
        description="Deals: times used at the partner's till, cancelled uses aside (the "
        "partner's people and staff only).",
    )
    async def use_count(self, info: Info) -> int | None:
        return await info.context.loaders.bon_plan_use_count.load(self.model.id)

    @strawberry.field
    async def partner(self, info: Info) -> LazyPartner | None:
        from schema.partners import Partner

        partner = await info.context.loaders.partner.load(self.partner_id)
        return Partner.from_model(partner) if partner else None

    @classmethod
    def of(cls, offer: OfferModel, revisions: dict[UUID, OfferRevisionModel]) -> Offer:
        return cls(
            id=strawberry.ID(str(offer.id)),
            kind=offer.kind,
            is_super=offer.is_super,
            created_at=offer.created_at,
            first_published_at=offer.first_published_at,
            withdrawn_at=offer.withdrawn_at,
            partner_id=offer.partner_id,
            model=offer,
            revisions=revisions,
        )

    @classmethod
    async def list_of(cls, offers: list[OfferModel]) -> list[Offer]:
        revisions = await resolvers.revisions_for(offers)
        return [cls.of(o, revisions) for o in offers]


@strawberry.type
class OfferPage:
    offers: list[Offer]
    next_cursor: str | None


@strawberry.type(description="Submitted versions, oldest submission first.")
class ModerationQueuePage:
    revisions: list[OfferRevision]
    next_cursor: str | None


@strawberry.type
class OfferSuccess:
    offer: Offer


@strawberry.type
class PartnersWithoutBonPlan:
    school_year: str
    partners: list[LazyPartner]


OfferResult = Annotated[OfferSuccess | UserError, strawberry.union("OfferResult")]
PartnersWithoutBonPlanResult = Annotated[
    PartnersWithoutBonPlan | UserError, strawberry.union("PartnersWithoutBonPlanResult")
]


async def _answer(result: OfferModel) -> OfferResult:
    return OfferSuccess(offer=(await Offer.list_of([result]))[0])


# --- what a partner sends ---------------------------------------------------------------------


@strawberry.input(name="OfferPlaceInput", description="Geocoded: the address must be right.")
class PlaceInput:
    street: str
    postal_code: str = strawberry.field(description="A Bouches-du-Rhône postal code (13…).")
    city: str
    label: str = strawberry.field(default="", description="The place's name, if any.")


@strawberry.input(name="EventSessionInput")
class SessionInput:
    starts_at: datetime = strawberry.field(description="Without an offset: Paris time.")
    ends_at: datetime


@strawberry.input(description="A new deal, saved as a draft.")
class BonPlanInput:
    title: str
    description: str
    deal_type: DealType
    theme: OfferTheme
    valid_from: date = strawberry.field(description="Within one school year (1/9 – 31/8).")
    valid_until: date
    places: list[PlaceInput]
    discount_amount: str | None = strawberry.field(
        default=None, description='DISCOUNT_EUROS: euros, e.g. "10,55".'
    )
    discount_percent: int | None = strawberry.field(
        default=None, description="DISCOUNT_PERCENT: 1 to 100."
    )
    promo_code: str | None = strawberry.field(default=None, description="PROMO_CODE: the code.")
    practical_info: str = strawberry.field(default="", description="Dates, hours…")
    image_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Up to 2 uploaded images of purpose OFFER."
    )
    conditions: str | None = strawberry.field(
        default=None, description="By default « Sur présentation de la carte CJeune »."
    )


@strawberry.input(description="A new event, saved as a draft.")
class EventInput:
    title: str
    description: str
    event_kind: EventKind
    theme: OfferTheme
    sessions: list[SessionInput]
    places: list[PlaceInput]
    practical_info: str = ""
    image_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    conditions: str | None = None


@strawberry.input(description="Only the fields given change (deal or event fields only).")
class OfferChanges:
    title: str | None = None
    description: str | None = None
    theme: OfferTheme | None = None
    deal_type: DealType | None = None
    discount_amount: str | None = None
    discount_percent: int | None = None
    promo_code: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    event_kind: EventKind | None = None
    sessions: list[SessionInput] | None = None
    places: list[PlaceInput] | None = None
    practical_info: str | None = None
    image_ids: list[strawberry.ID] | None = None
    conditions: str | None = None


# --- root fields ------------------------------------------------------------------------------


@strawberry.type
class OfferQueries:
    @strawberry.field(
        extensions=allow(ANYONE),
        description="A deal or event as the viewer may see it; null if not visible to them.",
    )
    async def offer(self, info: Info, id: strawberry.ID) -> Offer | None:
        found = await resolvers.offer(info, id)
        return (await Offer.list_of([found]))[0] if found else None

    @strawberry.field(
        extensions=allow(ANYONE),
        description="A partner's offers, newest first: on show today, or all for insiders.",
    )
    async def partner_offers(
        self, info: Info, partner_id: strawberry.ID, first: int = 20, after: str | None = None
    ) -> OfferPage:
        rows, cursor = await resolvers.partner_offers(info, partner_id, first, after)
        return OfferPage(offers=await Offer.list_of(rows), next_cursor=cursor)

    @strawberry.field(
        extensions=allow(MODERATION), description="Versions waiting for a decision, oldest first."
    )
    async def moderation_queue(
        self,
        info: Info,
        kind: OfferKind | None = None,
        theme: OfferTheme | None = None,
        partner_id: strawberry.ID | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ModerationQueuePage:
        rows, cursor = await resolvers.moderation_queue(info, kind, theme, partner_id, first, after)
        return ModerationQueuePage(
            revisions=[OfferRevision.of(r, r.offer) for r in rows], next_cursor=cursor
        )

    @strawberry.field(
        extensions=allow(ANY_STAFF),
        description="Active partners without an approved deal valid in that school year.",
    )
    @user_errors
    async def partners_without_bon_plan(
        self, info: Info, school_year: str
    ) -> PartnersWithoutBonPlanResult:
        from schema.partners import Partner

        result = await resolvers.partners_without_bon_plan(info, school_year)
        return PartnersWithoutBonPlan(
            school_year=school_year.strip(), partners=[Partner.from_model(p) for p in result]
        )


@strawberry.type
class OfferMutations:
    @strawberry.mutation(extensions=_PUBLISHER, description="A draft deal; submit it when ready.")
    @user_errors
    async def create_bon_plan(
        self, info: Info, partner_id: strawberry.ID, input: BonPlanInput
    ) -> OfferResult:
        return await _answer(
            await resolvers.create_offer(info, partner_id, OfferKindModel.DEAL, input)
        )

    @strawberry.mutation(extensions=_PUBLISHER, description="A draft event; submit it when ready.")
    @user_errors
    async def create_event(
        self, info: Info, partner_id: strawberry.ID, input: EventInput
    ) -> OfferResult:
        return await _answer(
            await resolvers.create_offer(info, partner_id, OfferKindModel.EVENT, input)
        )

    @strawberry.mutation(
        extensions=_OWN_OFFER,
        description="Edit the working version; an approved one stays on show meanwhile.",
    )
    @user_errors
    async def update_offer(
        self, info: Info, offer_id: strawberry.ID, input: OfferChanges
    ) -> OfferResult:
        return await _answer(await resolvers.update_offer(info, offer_id, input))

    @strawberry.mutation(extensions=_OWN_OFFER)
    @user_errors
    async def submit_for_moderation(self, info: Info, offer_id: strawberry.ID) -> OfferResult:
        return await _answer(await resolvers.submit_for_moderation(info, offer_id))

    @strawberry.mutation(extensions=_OWN_OFFER, description="Off show at once, for good.")
    @user_errors
    async def withdraw_offer(self, info: Info, offer_id: strawberry.ID) -> OfferResult:
        return await _answer(await resolvers.withdraw_offer(info, offer_id))

    @strawberry.mutation(
        extensions=allow(MODERATION),
        description="Approve (publish) or reject, with a reason the partner reads.",
    )
    @user_errors
    async def moderate(
        self, info: Info, revision_id: strawberry.ID, approve: bool, reason: str | None = None
    ) -> OfferResult:
        return await _answer(await resolvers.moderate(info, revision_id, approve, reason))

    @strawberry.mutation(extensions=allow(staff(StaffRole.MODERATION, StaffRole.MARKETING)))
    @user_errors
    async def set_super_bon_plan(
        self, info: Info, offer_id: strawberry.ID, is_super: bool
    ) -> OfferResult:
        return await _answer(await resolvers.set_super_bon_plan(info, offer_id, is_super))
