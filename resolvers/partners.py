"""Resolvers for partners and their delegates."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.accounts.sessions import login as sign_in
from domain.core.errors import DomainError
from domain.partners import delegates
from domain.partners import structures as partners
from models.partners import DelegateStatus as DelegateStatusModel
from models.partners import Partner as PartnerModel
from models.partners import PartnerStatus as PartnerStatusModel
from resolvers.accounts import AuthResult, auth_payload
from resolvers.ids import parse_id
from schema.errors import UserError
from schema.partners import (
    CreatePartnerInput,
    DelegatePermission,
    Delegation,
    DelegationSuccess,
    InviteDelegateInput,
    Partner,
    PartnerPage,
    PartnerStatus,
    PartnerSuccess,
)
from server.context import Info

PartnerResult = Annotated[PartnerSuccess | UserError, strawberry.union("PartnerResult")]
DelegationResult = Annotated[DelegationSuccess | UserError, strawberry.union("DelegationResult")]
MAX_PAGE = 100


async def partner(info: Info, id: strawberry.ID) -> Partner | None:
    try:
        partner_id = parse_id(id, "id")
    except DomainError:
        return None
    found = await info.context.loaders.partner.load(partner_id)
    return Partner.from_model(found) if found else None


async def partners_list(
    info: Info,
    search: str | None = None,
    status: PartnerStatus | None = None,
    first: int = 50,
    after: str | None = None,
) -> PartnerPage | None:
    query = PartnerModel.all()
    if search:
        query = query.filter(trade_name__icontains=search.strip())
    if status is not None:
        query = query.filter(status=status)
    if after:
        query = query.filter(id__gt=parse_id(after, "after"))
    limit = max(1, min(first, MAX_PAGE))
    rows = await query.order_by("id").limit(limit + 1)
    page = rows[:limit]
    return PartnerPage(
        partners=[Partner.from_model(p) for p in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


async def create_partner(info: Info, input: CreatePartnerInput) -> PartnerResult:
    rep = input.representative
    try:
        created = await partners.create_partner(
            info.context.viewer,
            partners.PartnerDetails(
                legal_name=input.legal_name,
                trade_name=input.trade_name,
                siret=input.siret,
                categories=list(input.categories),
                debitable_wallets=list(input.debitable_wallets),
                convention_signed_on=input.convention_signed_on,
                representative=partners.Representative(rep.email, rep.first_name, rep.last_name),
            ),
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return PartnerSuccess(partner=Partner.from_model(created))


async def _set_partner_status(
    info: Info, id: strawberry.ID, status: PartnerStatusModel
) -> PartnerResult:
    try:
        changed = await partners.set_partner_status(info.context.viewer, parse_id(id, "id"), status)
    except DomainError as error:
        return UserError.from_domain(error)
    return PartnerSuccess(partner=Partner.from_model(changed))


async def suspend_partner(info: Info, id: strawberry.ID) -> PartnerResult:
    return await _set_partner_status(info, id, PartnerStatusModel.SUSPENDED)


async def reactivate_partner(info: Info, id: strawberry.ID) -> PartnerResult:
    return await _set_partner_status(info, id, PartnerStatusModel.ACTIVE)


async def invite_delegate(info: Info, input: InviteDelegateInput) -> DelegationResult:
    try:
        delegate = await delegates.invite_collaborator(
            info.context.viewer,
            parse_id(input.partner_id, "partnerId"),
            email=input.email,
            first_name=input.first_name,
            last_name=input.last_name,
            permissions=list(input.permissions),
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return DelegationSuccess(delegation=Delegation.from_model(delegate))


async def accept_invitation(info: Info, token: str, password: str) -> AuthResult:
    """Accept, then sign in with the password just chosen (or confirmed)."""
    try:
        delegate = await delegates.accept_invitation(token, password, info.context.client_address)
        await delegate.fetch_related("user")
        issued = await sign_in(
            delegate.user.email, password, info.context.client_address, info.context.user_agent
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return auth_payload(issued)


async def update_delegate_permissions(
    info: Info, delegate_id: strawberry.ID, permissions: list[DelegatePermission]
) -> DelegationResult:
    try:
        delegate = await delegates.set_permissions(
            info.context.viewer, parse_id(delegate_id, "delegateId"), list(permissions)
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return DelegationSuccess(delegation=Delegation.from_model(delegate))


async def _set_delegate_status(
    info: Info, delegate_id: strawberry.ID, status: DelegateStatusModel
) -> DelegationResult:
    try:
        delegate = await delegates.set_status(
            info.context.viewer, parse_id(delegate_id, "delegateId"), status
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return DelegationSuccess(delegation=Delegation.from_model(delegate))


async def suspend_delegate(info: Info, delegate_id: strawberry.ID) -> DelegationResult:
    return await _set_delegate_status(info, delegate_id, DelegateStatusModel.SUSPENDED)


async def reactivate_delegate(info: Info, delegate_id: strawberry.ID) -> DelegationResult:
    return await _set_delegate_status(info, delegate_id, DelegateStatusModel.ACTIVE)


async def revoke_delegate(info: Info, delegate_id: strawberry.ID) -> DelegationResult:
    return await _set_delegate_status(info, delegate_id, DelegateStatusModel.REVOKED)
