"""Resolvers of a partner's dashboard figures: takings, the next reimbursement, the yearly
bon plan commitment. The rules are on the root fields (schema/dashboard.py)."""

from __future__ import annotations

import strawberry

from domain.finance import takings
from domain.offers import commitment
from resolvers.arguments import parse_id
from resolvers.context import Info


async def partner_takings(info: Info, partner_id: strawberry.ID) -> takings.PartnerTakings:
    return await takings.partner_takings(parse_id(partner_id, "partnerId"))


async def next_reimbursement(info: Info, partner_id: strawberry.ID) -> takings.NextReimbursement:
    return await takings.next_reimbursement(parse_id(partner_id, "partnerId"))


async def bon_plan_commitment(
    info: Info, partner_id: strawberry.ID
) -> commitment.BonPlanCommitment:
    return await commitment.bon_plan_commitment(parse_id(partner_id, "partnerId"))
