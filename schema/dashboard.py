"""A partner's dashboard figures (« Tableau de bord »): today's and this fortnight's takings
per wallet, the next reimbursement and its date, the yearly « at least one bon plan »
commitment. `DashboardQueries` is composed into the root Query (schema/root.py)."""

from __future__ import annotations

from datetime import date

import strawberry

from domain.core.money import format_euros
from domain.finance.takings import NextReimbursement as NextReimbursementFacts
from domain.finance.takings import PartnerTakings as PartnerTakingsFacts
from domain.finance.takings import Takings as TakingsFacts
from domain.offers.commitment import BonPlanCommitment as BonPlanCommitmentFacts
from models.accounts import StaffRole
from models.partners import DelegatePermission
from models.partners import WalletKind as WalletKindModel
from resolvers import dashboard as resolvers
from resolvers.context import Info
from resolvers.permissions import ANY_STAFF, allow, delegate_of_argument, staff
from schema.finance import ReimbursementStatus
from schema.partners import WalletKind


@strawberry.type(description="Completed transactions of one wallet (cancelled ones left out).")
class WalletTakings:
    kind: WalletKind
    label: str
    transactions_count: int
    amount_cents: int

    @strawberry.field(description="« 30,49 € ».")
    def amount(self) -> str:
        return format_euros(self.amount_cents)


@strawberry.type(description="Takings from `startsOn` to `endsOn` (Paris days, included).")
class Takings:
    starts_on: date
    ends_on: date
    transactions_count: int
    amount_cents: int
    wallets: list[WalletTakings]

    @strawberry.field(description="« 30,49 € ».")
    def amount(self) -> str:
        return format_euros(self.amount_cents)

    @classmethod
    def of(cls, facts: TakingsFacts) -> Takings:
        return cls(
            starts_on=facts.starts_on,
            ends_on=facts.ends_on,
            transactions_count=facts.transactions_count,
            amount_cents=facts.amount_cents,
            wallets=[
                WalletTakings(
                    kind=WalletKindModel(w.kind),
                    label=w.label,
                    transactions_count=w.transactions_count,
                    amount_cents=w.amount_cents,
                )
                for w in facts.wallets
            ],
        )


@strawberry.type
class PartnerTakings:
    today: Takings
    fortnight: Takings = strawberry.field(description="The reimbursement period under way.")

    @classmethod
    def of(cls, facts: PartnerTakingsFacts) -> PartnerTakings:
        return cls(today=Takings.of(facts.today), fortnight=Takings.of(facts.fortnight))


@strawberry.type(
    description="The oldest reimbursement not paid yet; without one, the fortnight under way "
    "(reference, amount and status null until it is closed)."
)
class NextReimbursement:
    reference: str | None
    period_starts_on: date
    period_ends_on: date
    amount_cents: int | None
    status: ReimbursementStatus | None
    transfer_on: date | None = strawberry.field(
        description="The transfer's execution date, once the reimbursement is in a batch."
    )

    @strawberry.field
    def amount(self) -> str | None:
        return format_euros(self.amount_cents) if self.amount_cents is not None else None

    @classmethod
    def of(cls, facts: NextReimbursementFacts) -> NextReimbursement:
        return cls(
            reference=facts.reference,
            period_starts_on=facts.period_starts_on,
            period_ends_on=facts.period_ends_on,
            amount_cents=facts.amount_cents,
            status=facts.status,
            transfer_on=facts.transfer_on,
        )


@strawberry.type(description="The convention's « at least one bon plan a school year ».")
class BonPlanCommitment:
    school_year: str
    ends_on: date
    met: bool = strawberry.field(
        description="A deal approved and valid within the school year, not withdrawn."
    )

    @classmethod
    def of(cls, facts: BonPlanCommitmentFacts) -> BonPlanCommitment:
        return cls(school_year=facts.school_year, ends_on=facts.ends_on, met=facts.met)


@strawberry.type
class DashboardQueries:
    @strawberry.field(
        extensions=allow(
            staff(StaffRole.SUPPORT, StaffRole.FINANCE),
            delegate_of_argument("partner_id", DelegatePermission.TRANSACTIONS),
            delegate_of_argument("partner_id", DelegatePermission.FINANCE),
        ),
        description="Today's and this fortnight's takings per wallet (Paris days).",
    )
    async def partner_takings(self, info: Info, partner_id: strawberry.ID) -> PartnerTakings:
        return PartnerTakings.of(await resolvers.partner_takings(info, partner_id))

    @strawberry.field(
        extensions=allow(
            staff(StaffRole.FINANCE),
            delegate_of_argument("partner_id", DelegatePermission.FINANCE),
        ),
        description="The next reimbursement the département pays the partner, and when.",
    )
    async def next_reimbursement(self, info: Info, partner_id: strawberry.ID) -> NextReimbursement:
        return NextReimbursement.of(await resolvers.next_reimbursement(info, partner_id))

    @strawberry.field(
        extensions=allow(ANY_STAFF, delegate_of_argument("partner_id")),
        description="Whether the partner has its bon plan of this school year.",
    )
    async def bon_plan_commitment(self, info: Info, partner_id: strawberry.ID) -> BonPlanCommitment:
        return BonPlanCommitment.of(await resolvers.bon_plan_commitment(info, partner_id))
