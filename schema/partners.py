"""Types for partner structures and their delegates."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry

from models.accounts import StaffRole as StaffRoleModel
from models.partners import Delegate as DelegateModel
from models.partners import DelegatePermission as DelegatePermissionModel
from models.partners import DelegateStatus as DelegateStatusModel
from models.partners import Partner as PartnerModel
from models.partners import PartnerCategory as PartnerCategoryModel
from models.partners import PartnerStatus as PartnerStatusModel
from models.partners import WalletKind as WalletKindModel
from resolvers.permissions import ANY_STAFF, allow, delegate_of_source, staff
from schema.accounts import Person
from server.context import Info

PartnerCategory = strawberry.enum(PartnerCategoryModel, name="PartnerCategory")
WalletKind = strawberry.enum(WalletKindModel, name="WalletKind")
PartnerStatus = strawberry.enum(PartnerStatusModel, name="PartnerStatus")
DelegatePermission = strawberry.enum(DelegatePermissionModel, name="DelegatePermission")
DelegateStatus = strawberry.enum(DelegateStatusModel, name="DelegateStatus")

# The partner's own people and the département see its administrative data.
_INSIDE = allow(ANY_STAFF, delegate_of_source())


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

    @strawberry.field(
        extensions=allow(
            staff(StaffRoleModel.SUPPORT), delegate_of_source(DelegatePermissionModel.DELEGATES)
        ),
        description="Principal delegate first. The principal and delegate managers only.",
    )
    async def delegates(self, info: Info) -> list[Delegation] | None:
        delegates = await info.context.loaders.delegates_by_partner.load(UUID(self.id))
        return [Delegation.from_model(d) for d in delegates]

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
        )


@strawberry.type(description="A person's right to act for a partner.")
class Delegation:
    id: strawberry.ID
    is_principal: bool
    permissions: list[DelegatePermission]
    status: DelegateStatus
    created_at: datetime
    accepted_at: datetime | None
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
            partner_id=delegate.partner_id,
            user_id=delegate.user_id,
        )


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
