"""Partner structures and their delegates: the types, and the root fields `PartnerQueries`
and `PartnerMutations` (composed in schema/root.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from domain.core import clock
from domain.partners.opening_hours import HOLIDAYS_KEY, opening_state
from domain.partners.opening_hours import OpeningState as OpeningStateModel
from domain.partners.pin_policy import PaymentChannel as PaymentChannelModel
from domain.partners.pin_policy import effective_pin_policy
from domain.partners.profiles import AccessibilityType as AccessibilityTypeModel
from domain.partners.profiles import schedule_of
from models.accounts import StaffRole as StaffRoleModel
from models.partners import BonPlanReminder as BonPlanReminderModel
from models.partners import Delegate as DelegateModel
from models.partners import DelegatePermission as DelegatePermissionModel
from models.partners import DelegateStatus as DelegateStatusModel
from models.partners import Partner as PartnerModel
from models.partners import PartnerCategory as PartnerCategoryModel
from models.partners import PartnerStatus as PartnerStatusModel
from models.partners import PinPolicy as PinPolicyModel
from models.partners import WalletKind as WalletKindModel
from models.social import Image as ImageModel
from models.social import PartnerProfile as PartnerProfileModel
from resolvers import partners as resolvers
from resolvers import posts as post_resolvers
from resolvers.context import Info
from resolvers.loaders import Pending, at_once, ready
from resolvers.permissions import (
    ADMINISTRATOR,
    ANY_STAFF,
    ANYONE,
    allow,
    delegate_of_argument,
    delegate_of_source,
    manager_of_delegate_argument,
    principal_of_argument,
    staff,
)
from schema.accounts import AuthPayload, AuthResult, Person
from schema.errors import UserError, user_errors
from schema.images import Image
from schema.partner_profiles import (
    Accessibility,
    DayHours,
    MapLocation,
    OpeningException,
    OpeningState,
    PartnerAddress,
)

if TYPE_CHECKING:
    from schema.social import PostPage

PartnerCategory = strawberry.enum(PartnerCategoryModel, name="PartnerCategory")
WalletKind = strawberry.enum(
    WalletKindModel,
    name="WalletKind",
    description="The card's two wallets (partner guide), their amounts set per school year: "
    "SPORT_CULTURE_LOISIRS (sport, culture and leisure, 100 € by default) and SOUTIEN_SCOLAIRE "
    "(school and language support, 50 € by default).",
)
PartnerStatus = strawberry.enum(PartnerStatusModel, name="PartnerStatus")
DelegatePermission = strawberry.enum(DelegatePermissionModel, name="DelegatePermission")
DelegateStatus = strawberry.enum(DelegateStatusModel, name="DelegateStatus")
PinPolicy = strawberry.enum(
    PinPolicyModel,
    name="PinPolicy",
    description="Where the holder types their PIN before a debit: NONE, TERMINALS (the "
    "partner's payment terminals only) or EVERY_TILL.",
)
PaymentChannel = strawberry.enum(
    PaymentChannelModel,
    name="PaymentChannel",
    description="Where a debit is made: TILL (the partner's till, on its own device) or "
    "TERMINAL (a payment terminal, TPE or smart TPE).",
)

# The partner's own people and the département see its administrative data.
_INSIDE = allow(ANY_STAFF, delegate_of_source())


@strawberry.type(
    description="Where the partner's tills ask the holder's PIN: the stronger of the "
    "département's minimum and the partner's own choice applies."
)
class PartnerPinPolicy:
    minimum: PinPolicy = strawberry.field(description="Imposed by the département.")
    chosen: PinPolicy = strawberry.field(
        description="Chosen by the principal delegate; never lowers the minimum."
    )
    effective: PinPolicy = strawberry.field(description="What the tills apply.")

    @classmethod
    def from_model(cls, partner: PartnerModel) -> PartnerPinPolicy:
        return cls(
            minimum=PinPolicyModel(partner.pin_policy_minimum),
            chosen=PinPolicyModel(partner.pin_policy_chosen),
            effective=effective_pin_policy(partner),
        )


@strawberry.type(description="A partner structure: public profile, and private data for insiders.")
class Partner:
    id: strawberry.ID
    trade_name: str
    categories: list[PartnerCategory]
    legal_name: str | None = strawberry.field(extensions=_INSIDE)
    siret: str | None = strawberry.field(extensions=_INSIDE)
    convention_signed_on: date | None = strawberry.field(extensions=_INSIDE)
    debitable_wallets: list[WalletKind] | None = strawberry.field(
        extensions=_INSIDE, description="The wallets the partner's convention lets it debit."
    )
    status: PartnerStatus | None = strawberry.field(extensions=_INSIDE)
    status_since: date | None = strawberry.field(
        extensions=_INSIDE,
        description="The day the current suspension or termination began (Paris); null "
        "while active.",
    )
    status_reason: str | None = strawberry.field(
        extensions=_INSIDE,
        description="Why the partner is suspended or its convention terminated; empty while "
        "active.",
    )
    pin_policy: PartnerPinPolicy | None = strawberry.field(extensions=_INSIDE)
    _listed: strawberry.Private[bool] = False

    @strawberry.field(
        extensions=allow(
            staff(StaffRoleModel.SUPPORT), delegate_of_source(DelegatePermissionModel.DELEGATES)
        ),
        description="Principal delegate first. The principal and delegate managers only.",
    )
    async def delegates(self, info: Info) -> list[Delegation] | None:
        delegates = await info.context.loaders.delegates_by_partner.load(UUID(self.id))
        return [Delegation.from_model(d) for d in delegates]

    # --- the public profile: anyone may read it -------------------------------------------

    async def _profile(self, info: Info) -> PartnerProfileModel | None:
        return await info.context.loaders.partner_profile.load(UUID(self.id))

    @strawberry.field
    async def description(self, info: Info) -> str:
        profile = await self._profile(info)
        return profile.description if profile else ""

    @strawberry.field(description="Null when the partner has not given one.")
    async def address(self, info: Info) -> PartnerAddress | None:
        profile = await self._profile(info)
        if profile is None or not profile.postal_code:
            return None
        return PartnerAddress(
            street=profile.street, postal_code=profile.postal_code, city=profile.city
        )

    @strawberry.field(description="+33 and nine digits.")
    async def phone(self, info: Info) -> str | None:
        profile = await self._profile(info)
        return (profile.phone if profile else "") or None

    @strawberry.field
    async def contact_email(self, info: Info) -> str | None:
        profile = await self._profile(info)
        return (profile.contact_email if profile else "") or None

    @strawberry.field
    async def website(self, info: Info) -> str | None:
        profile = await self._profile(info)
        return (profile.website if profile else "") or None

    async def _image(self, info: Info, image_id: UUID | None) -> Image | None:
        image = await info.context.loaders.image.load(image_id) if image_id else None
        return Image.from_model(image) if image else None

    @strawberry.field
    def logo(self, info: Info) -> Image | None:
        # A plain function: on a feed page the loaders already hold the profile and the
        # logo (resolvers/loaders.py `at_once`); elsewhere it returns the loads to await.
        loaders = info.context.loaders
        profile = ready(loaders.partner_profile, UUID(self.id))
        if isinstance(profile, Pending):
            return self._logo(info)  # type: ignore[return-value]
        if profile is None or profile.logo_id is None:
            return None
        return at_once(loaders.image, profile.logo_id, _image_or_none)  # type: ignore[return-value]

    async def _logo(self, info: Info) -> Image | None:
        profile = await self._profile(info)
        return await self._image(info, profile.logo_id if profile else None)

    @strawberry.field
    async def banner(self, info: Info) -> Image | None:
        profile = await self._profile(info)
        return await self._image(info, profile.banner_id if profile else None)

    @strawberry.field(description="The usual week, Monday first; Paris time.")
    async def weekly_hours(self, info: Info) -> list[DayHours]:
        return DayHours.week_of(await self._profile(info))

    @strawberry.field
    async def closed_on_public_holidays(self, info: Info) -> bool:
        profile = await self._profile(info)
        return bool(profile and profile.weekly_hours.get(HOLIDAYS_KEY))

    @strawberry.field(description="Closures and special hours not over yet, soonest first.")
    async def opening_exceptions(self, info: Info) -> list[OpeningException]:
        found = await info.context.loaders.upcoming_opening_exceptions.load(UUID(self.id))
        return [OpeningException.from_model(e) for e in found]

    @strawberry.field(
        description=(
            "Open or closed at `at` (now if not given; from now on: past closures are not "
            "kept), from the week, the exceptional periods and the public holidays."
        )
    )
    async def opening_state(self, info: Info, at: datetime | None = None) -> OpeningState:
        return OpeningState.from_domain(await self._opening_state(info, at))

    @strawberry.field
    async def open_now(self, info: Info) -> bool:
        return (await self._opening_state(info, None)).is_open

    async def _opening_state(self, info: Info, at: datetime | None) -> OpeningStateModel:
        profile = await self._profile(info)
        exceptions = await info.context.loaders.upcoming_opening_exceptions.load(UUID(self.id))
        instant = at or clock.now()
        if instant.tzinfo is None:  # a time without offset is Paris time
            instant = instant.replace(tzinfo=clock.PARIS)
        return opening_state(schedule_of(profile, exceptions), instant)

    @strawberry.field
    async def accessibility(self, info: Info) -> Accessibility:
        profile = await self._profile(info)
        if profile is None:
            return Accessibility(types=[], notes="")
        return Accessibility(
            types=[AccessibilityTypeModel(t) for t in profile.accessibility],
            notes=profile.accessibility_notes,
        )

    @strawberry.field(description="Null until the address is located (or the pin placed).")
    async def location(self, info: Info) -> MapLocation | None:
        profile = await self._profile(info)
        if profile is None or profile.latitude is None or profile.location_source is None:
            return None
        return MapLocation(
            latitude=profile.latitude,
            longitude=profile.longitude,
            source=profile.location_source,
        )

    @strawberry.field(
        description="Whether the partner is in the public directory: it accepts the card now."
    )
    def listed(self) -> bool:
        return self._listed

    @strawberry.field(description="Whether I follow it (always false but for young people).")
    async def followed_by_me(self, info: Info) -> bool:
        viewer = info.context.viewer
        if not viewer.is_young_person:
            return False
        return await info.context.loaders.followed.load((viewer.signed_in_user.id, UUID(self.id)))

    @strawberry.field(description="How many young people follow the partner (never who).")
    async def followers_count(self, info: Info) -> int:
        profile = await self._profile(info)
        return profile.followers_count if profile else 0

    @strawberry.field(description="The partner's news feed, newest first (its profile page).")
    async def posts(
        self, info: Info, first: int = 10, after: str | None = None
    ) -> Annotated[PostPage, strawberry.lazy("schema.social")]:
        from schema.social import Post, PostPage  # schema.social imports this module

        rows, cursor = await post_resolvers.partner_posts(info, self.id, first, after)
        return PostPage(posts=[Post.from_model(p) for p in rows], next_cursor=cursor)

    @classmethod
    def from_model(cls, partner: PartnerModel) -> Partner:
        return cls(
            id=strawberry.ID(str(partner.id)),
            trade_name=partner.trade_name,
            categories=[PartnerCategoryModel(c) for c in partner.categories],
            legal_name=partner.legal_name,
            siret=partner.siret,
            convention_signed_on=partner.convention_signed_on,
            debitable_wallets=[WalletKindModel(w) for w in partner.debitable_wallets],
            status=partner.status,
            status_since=partner.status_since,
            status_reason=partner.status_reason,
            pin_policy=PartnerPinPolicy.from_model(partner),
            _listed=partner.status == PartnerStatusModel.ACTIVE,
        )


def _image_or_none(image: ImageModel | None) -> Image | None:
    return Image.from_model(image) if image else None


@strawberry.type(description="A person's right to act for a partner.")
class Delegation:
    id: strawberry.ID
    is_principal: bool
    permissions: list[DelegatePermission]
    status: DelegateStatus
    created_at: datetime
    accepted_at: datetime | None
    daily_collection_email: bool = strawberry.field(
        description="Whether the evening report (« télécollecte ») is emailed to this person "
        "(those who get it: the principal and the finance delegates)."
    )
    partner_id: strawberry.Private[UUID]
    user_id: strawberry.Private[UUID]

    @strawberry.field
    async def partner(self, info: Info) -> Partner:
        partner = await info.context.loaders.partner.load(self.partner_id)
        return Partner.from_model(partner)

    @strawberry.field
    async def person(self, info: Info) -> Person:
        user = await info.context.loaders.user.load(self.user_id)
        return Person.from_model(user)

    @strawberry.field(
        description="When the person last signed in, made a transaction for this partner or "
        "changed its data; null before any. (Seen where the delegation is: by the person, "
        "and by the partner's principal and delegate managers.)"
    )
    async def last_activity_at(self, info: Info) -> datetime | None:
        return await resolvers.delegate_last_activity(info, self.partner_id, self.user_id)

    @classmethod
    def from_model(cls, delegate: DelegateModel) -> Delegation:
        permissions = (
            list(DelegatePermissionModel)
            if delegate.is_principal
            else [DelegatePermissionModel(p) for p in delegate.permissions]
        )
        return cls(
            id=strawberry.ID(str(delegate.id)),
            is_principal=delegate.is_principal,
            permissions=permissions,
            status=delegate.status,
            created_at=delegate.created_at,
            accepted_at=delegate.accepted_at,
            daily_collection_email=delegate.daily_collection_email,
            partner_id=delegate.partner_id,
            user_id=delegate.user_id,
        )


@strawberry.type(
    description="A reminder of the yearly commitment (at least one bon plan per school "
    "year), emailed to the partner's principal delegate."
)
class BonPlanReminder:
    id: strawberry.ID
    school_year: str
    recipient_email: str
    sent_at: datetime
    partner_id: strawberry.Private[UUID]
    sent_by_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def partner(self, info: Info) -> Partner:
        return Partner.from_model(await info.context.loaders.partner.load(self.partner_id))

    @strawberry.field(description="The staff member who sent it; null once their account is gone.")
    async def sent_by(self, info: Info) -> Person | None:
        if self.sent_by_id is None:
            return None
        user = await info.context.loaders.user.load(self.sent_by_id)
        return Person.from_model(user) if user else None

    @classmethod
    def from_model(cls, reminder: BonPlanReminderModel) -> BonPlanReminder:
        return cls(
            id=strawberry.ID(str(reminder.id)),
            school_year=reminder.school_year,
            recipient_email=reminder.recipient_email,
            sent_at=reminder.sent_at,
            partner_id=reminder.partner_id,
            sent_by_id=reminder.sent_by_id,
        )


@strawberry.type
class BonPlanReminderSuccess:
    reminder: BonPlanReminder


BonPlanReminderResult = Annotated[
    BonPlanReminderSuccess | UserError, strawberry.union("BonPlanReminderResult")
]


@strawberry.type
class PartnerPage:
    partners: list[Partner]
    next_cursor: str | None


@strawberry.input
class RepresentativeInput:
    email: str
    first_name: str
    last_name: str


@strawberry.input
class CreatePartnerInput:
    legal_name: str
    trade_name: str
    siret: str
    categories: list[PartnerCategory]
    debitable_wallets: list[WalletKind]
    convention_signed_on: date
    representative: RepresentativeInput


@strawberry.input
class InviteDelegateInput:
    partner_id: strawberry.ID
    email: str
    first_name: str
    last_name: str
    permissions: list[DelegatePermission]


@strawberry.type
class PartnerSuccess:
    partner: Partner


@strawberry.type
class DelegationSuccess:
    delegation: Delegation


PartnerResult = Annotated[PartnerSuccess | UserError, strawberry.union("PartnerResult")]
DelegationResult = Annotated[DelegationSuccess | UserError, strawberry.union("DelegationResult")]

SUPPORT = staff(StaffRoleModel.SUPPORT)
_MANAGES_DELEGATES = allow(SUPPORT, manager_of_delegate_argument("delegate_id"))


@strawberry.type
class PartnerQueries:
    @strawberry.field(
        extensions=allow(ANYONE),
        description="A partner's public profile; administrative fields for insiders only.",
    )
    async def partner(self, info: Info, id: strawberry.ID) -> Partner | None:
        found = await resolvers.partner(info, id)
        return Partner.from_model(found) if found else None

    @strawberry.field(extensions=allow(ANY_STAFF))
    async def partners(
        self,
        info: Info,
        search: Annotated[
            str | None, strawberry.argument(description="In the trade or legal name.")
        ] = None,
        status: PartnerStatus | None = None,
        first: int = 50,
        after: str | None = None,
        siret: Annotated[
            str | None,
            strawberry.argument(description="The SIRET, or its beginning (the SIREN)."),
        ] = None,
        commune: Annotated[
            str | None,
            strawberry.argument(description="In the profile's city, or its postal code's start."),
        ] = None,
    ) -> PartnerPage | None:
        rows, cursor = await resolvers.partners_list(
            info, search, status, first, after, siret, commune
        )
        return PartnerPage(partners=[Partner.from_model(p) for p in rows], next_cursor=cursor)

    @strawberry.field(
        extensions=allow(SUPPORT),
        description="The reminders of the yearly bon plan commitment sent, newest first: of "
        "one partner, of one school year, or all.",
    )
    async def bon_plan_reminders(
        self,
        info: Info,
        partner_id: strawberry.ID | None = None,
        school_year: str | None = None,
        first: int = 50,
    ) -> list[BonPlanReminder]:
        rows = await resolvers.bon_plan_reminder_list(info, partner_id, school_year, first)
        return [BonPlanReminder.from_model(r) for r in rows]


def _partner_answer(partner: PartnerModel) -> PartnerSuccess:
    return PartnerSuccess(partner=Partner.from_model(partner))


def _delegation_answer(delegate: DelegateModel) -> DelegationSuccess:
    return DelegationSuccess(delegation=Delegation.from_model(delegate))


@strawberry.type
class PartnerMutations:
    @strawberry.mutation(extensions=allow(SUPPORT))
    @user_errors
    async def create_partner(self, info: Info, input: CreatePartnerInput) -> PartnerResult:
        return _partner_answer(await resolvers.create_partner(info, input))

    @strawberry.mutation(extensions=allow(ADMINISTRATOR))
    @user_errors
    async def suspend_partner(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> PartnerResult:
        return _partner_answer(
            await resolvers.set_partner_status(info, id, PartnerStatusModel.SUSPENDED, reason)
        )

    @strawberry.mutation(
        extensions=allow(ADMINISTRATOR),
        description="The convention ends for good on `terminatedOn` (today at the latest), "
        "for `reason`: the partner can no longer debit nor be reactivated.",
    )
    @user_errors
    async def terminate_partner(
        self, info: Info, id: strawberry.ID, terminated_on: date, reason: str
    ) -> PartnerResult:
        return _partner_answer(await resolvers.terminate_partner(info, id, terminated_on, reason))

    @strawberry.mutation(
        extensions=allow(SUPPORT),
        description="Email the principal delegate a reminder of the yearly bon plan "
        "commitment (a partner that has not met it; one a week at most).",
    )
    @user_errors
    async def send_bon_plan_reminder(
        self, info: Info, partner_id: strawberry.ID
    ) -> BonPlanReminderResult:
        reminder = await resolvers.send_bon_plan_reminder(info, partner_id)
        return BonPlanReminderSuccess(reminder=BonPlanReminder.from_model(reminder))

    @strawberry.mutation(extensions=allow(ADMINISTRATOR))
    @user_errors
    async def reactivate_partner(self, info: Info, id: strawberry.ID) -> PartnerResult:
        return _partner_answer(
            await resolvers.set_partner_status(info, id, PartnerStatusModel.ACTIVE)
        )

    @strawberry.mutation(
        extensions=allow(SUPPORT),
        description="The département imposes the weakest PIN policy the partner may choose.",
    )
    @user_errors
    async def set_pin_policy_minimum(
        self, info: Info, partner_id: strawberry.ID, level: PinPolicy
    ) -> PartnerResult:
        return _partner_answer(await resolvers.set_pin_policy_minimum(info, partner_id, level))

    @strawberry.mutation(
        extensions=allow(principal_of_argument("partner_id")),
        description="The principal delegate chooses the partner's PIN policy, at or above "
        "the département's minimum.",
    )
    @user_errors
    async def set_pin_policy(
        self, info: Info, partner_id: strawberry.ID, level: PinPolicy
    ) -> PartnerResult:
        return _partner_answer(await resolvers.set_pin_policy(info, partner_id, level))

    @strawberry.mutation(
        extensions=allow(delegate_of_argument("partner_id")),
        description="The signed-in delegate's own choice of the evening report by email.",
    )
    @user_errors
    async def set_daily_collection_email(
        self, info: Info, partner_id: strawberry.ID, enabled: bool
    ) -> DelegationResult:
        return _delegation_answer(
            await resolvers.set_daily_collection_email(info, partner_id, enabled)
        )

    @strawberry.mutation(
        extensions=allow(
            SUPPORT, delegate_of_argument("partner_id", DelegatePermissionModel.DELEGATES)
        )
    )
    @user_errors
    async def invite_delegate(self, info: Info, input: InviteDelegateInput) -> DelegationResult:
        return _delegation_answer(await resolvers.invite_delegate(info, input))

    @strawberry.mutation(extensions=allow(ANYONE))
    @user_errors
    async def accept_invitation(self, info: Info, token: str, password: str) -> AuthResult:
        return AuthPayload.from_issued(await resolvers.accept_invitation(info, token, password))

    @strawberry.mutation(extensions=_MANAGES_DELEGATES)
    @user_errors
    async def update_delegate_permissions(
        self, info: Info, delegate_id: strawberry.ID, permissions: list[DelegatePermission]
    ) -> DelegationResult:
        return _delegation_answer(
            await resolvers.update_delegate_permissions(info, delegate_id, permissions)
        )

    @strawberry.mutation(extensions=_MANAGES_DELEGATES)
    @user_errors
    async def suspend_delegate(self, info: Info, delegate_id: strawberry.ID) -> DelegationResult:
        return _delegation_answer(
            await resolvers.set_delegate_status(info, delegate_id, DelegateStatusModel.SUSPENDED)
        )

    @strawberry.mutation(extensions=_MANAGES_DELEGATES)
    @user_errors
    async def reactivate_delegate(self, info: Info, delegate_id: strawberry.ID) -> DelegationResult:
        return _delegation_answer(
            await resolvers.set_delegate_status(info, delegate_id, DelegateStatusModel.ACTIVE)
        )

    @strawberry.mutation(extensions=_MANAGES_DELEGATES)
    @user_errors
    async def revoke_delegate(self, info: Info, delegate_id: strawberry.ID) -> DelegationResult:
        return _delegation_answer(
            await resolvers.set_delegate_status(info, delegate_id, DelegateStatusModel.REVOKED)
        )
