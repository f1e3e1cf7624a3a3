"""Resolvers for partners and their delegates: read the input, call domain.partners, answer
with the models (schema/partners.py shapes them); a refused rule raises DomainError."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import strawberry
from tortoise.expressions import Q

from domain.accounts.sessions import IssuedTokens
from domain.accounts.sessions import login as sign_in
from domain.core.errors import DomainError
from domain.partners import bon_plan_reminders, delegates, pin_policy
from domain.partners import structures as partners
from models.partners import (
    BonPlanReminder,
    Delegate,
    DelegatePermission,
    DelegateStatus,
    Partner,
    PartnerStatus,
    PinPolicy,
)
from resolvers.arguments import parse_id
from resolvers.context import Info

MAX_PAGE = 100


async def partner(info: Info, id: strawberry.ID) -> Partner | None:
    try:
        partner_id = parse_id(id, "id")
    except DomainError:
        return None
    return await info.context.loaders.partner.load(partner_id)


async def partners_list(
    info: Info,
    search: str | None,
    status: PartnerStatus | None,
    first: int,
    after: str | None,
    siret: str | None = None,
    commune: str | None = None,
) -> tuple[list[Partner], str | None]:
    query = Partner.all()
    if search and search.strip():
        text = search.strip()
        query = query.filter(Q(trade_name__icontains=text) | Q(legal_name__icontains=text))
    digits = "".join(c for c in (siret or "") if c.isdigit())
    if digits:  # the whole SIRET, or its first 9 digits (the SIREN): a prefix
        query = query.filter(siret__startswith=digits)
    if commune and commune.strip():
        place = commune.strip()
        query = query.filter(
            Q(profile__city__icontains=place) | Q(profile__postal_code__startswith=place)
        )
    if status is not None:
        query = query.filter(status=status)
    if after:
        query = query.filter(id__gt=parse_id(after, "after"))
    limit = max(1, min(first, MAX_PAGE))
    rows = await query.distinct().order_by("id").limit(limit + 1)
    page = rows[:limit]
    return page, str(page[-1].id) if len(rows) > limit else None


async def create_partner(info: Info, input: Any) -> Partner:
    """`input` is a CreatePartnerInput."""
    rep = input.representative
    return await partners.create_partner(
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


async def set_partner_status(
    info: Info, id: strawberry.ID, status: PartnerStatus, reason: str | None = None
) -> Partner:
    return await partners.set_partner_status(
        info.context.viewer, parse_id(id, "id"), status, reason
    )


async def terminate_partner(info: Info, id: strawberry.ID, on: date, reason: str) -> Partner:
    return await partners.terminate_partner(info.context.viewer, parse_id(id, "id"), on, reason)


async def send_bon_plan_reminder(info: Info, partner_id: strawberry.ID) -> BonPlanReminder:
    return await bon_plan_reminders.send_reminder(
        info.context.viewer, parse_id(partner_id, "partnerId")
    )


async def bon_plan_reminder_list(
    info: Info, partner_id: strawberry.ID | None, school_year: str | None, first: int
) -> list[BonPlanReminder]:
    try:
        partner = parse_id(partner_id, "partnerId") if partner_id else None
    except DomainError:
        return []
    return await bon_plan_reminders.reminders(partner, school_year, max(1, min(first, MAX_PAGE)))


async def set_pin_policy_minimum(
    info: Info, partner_id: strawberry.ID, level: PinPolicy
) -> Partner:
    return await pin_policy.impose_minimum(
        info.context.viewer, parse_id(partner_id, "partnerId"), level
    )


async def set_pin_policy(info: Info, partner_id: strawberry.ID, level: PinPolicy) -> Partner:
    return await pin_policy.choose_level(
        info.context.viewer, parse_id(partner_id, "partnerId"), level
    )


async def invite_delegate(info: Info, input: Any) -> Delegate:
    """`input` is an InviteDelegateInput."""
    return await delegates.invite_collaborator(
        info.context.viewer,
        parse_id(input.partner_id, "partnerId"),
        email=input.email,
        first_name=input.first_name,
        last_name=input.last_name,
        permissions=list(input.permissions),
    )


async def accept_invitation(info: Info, token: str, password: str) -> IssuedTokens:
    """Accept, then sign in with the password just chosen (or confirmed)."""
    delegate = await delegates.accept_invitation(token, password, info.context.client_address)
    await delegate.fetch_related("user")
    issued = await sign_in(
        delegate.user.email, password, info.context.client_address, info.context.user_agent
    )
    return await info.context.signed_in(issued)


async def update_delegate_permissions(
    info: Info, delegate_id: strawberry.ID, permissions: list[DelegatePermission]
) -> Delegate:
    return await delegates.set_permissions(
        info.context.viewer, parse_id(delegate_id, "delegateId"), list(permissions)
    )


async def set_delegate_status(
    info: Info, delegate_id: strawberry.ID, status: DelegateStatus
) -> Delegate:
    return await delegates.set_status(
        info.context.viewer, parse_id(delegate_id, "delegateId"), status
    )


async def delegate_last_activity(info: Info, partner_id: UUID, user_id: UUID) -> datetime | None:
    return await delegates.last_activity(partner_id, user_id)


async def set_daily_collection_email(
    info: Info, partner_id: strawberry.ID, enabled: bool
) -> Delegate:
    return await delegates.set_daily_collection_email(
        info.context.viewer, parse_id(partner_id, "partnerId"), enabled
    )
