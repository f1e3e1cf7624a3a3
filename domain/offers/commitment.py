"""The convention's yearly commitment: at least one bon plan per school year (1 September –
31 August), approved and valid within it, not withdrawn — the same rule as the staff's
`partnersWithoutBonPlan` list (domain/offers/moderation.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.core import clock
from domain.offers.editing import school_year_start
from models.offers import OfferKind, OfferRevision, RevisionStatus


@dataclass(frozen=True)
class BonPlanCommitment:
    school_year: str  # "2026-2027"
    ends_on: date  # 31 August
    met: bool


async def bon_plan_commitment(partner_id: UUID, today: date | None = None) -> BonPlanCommitment:
    starts = school_year_start(today or clock.paris_today())
    ends = date(starts.year + 1, 8, 31)
    met = await OfferRevision.filter(
        status__in=(RevisionStatus.APPROVED, RevisionStatus.SUPERSEDED),
        valid_from__gte=starts,
        valid_until__lte=ends,
        offer__kind=OfferKind.DEAL,
        offer__partner_id=partner_id,
        offer__withdrawn_at__isnull=True,
    ).exists()
    return BonPlanCommitment(f"{starts.year}-{starts.year + 1}", ends, met)
