"""Bank details, reimbursements, statements, periods and payment batches: the types, and
the root fields `FinanceQueries` and `FinanceMutations` (composed in schema/root.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from domain.core.money import format_euros
from domain.finance.bank_details import mask_iban
from domain.finance.links import Links
from models.accounts import StaffRole
from models.finance import BankDetails as BankDetailsModel
from models.finance import BankDetailsStatus as BankDetailsStatusModel
from models.finance import DailyCollectionReport as DailyCollectionReportModel
from models.finance import PaymentBatchStatus as PaymentBatchStatusModel
from models.finance import Reimbursement as ReimbursementModel
from models.finance import ReimbursementPeriod as ReimbursementPeriodModel
from models.finance import ReimbursementStatus as ReimbursementStatusModel
from models.partners import DelegatePermission
from models.partners import WalletKind as WalletKindModel
from resolvers import finance as resolvers
from resolvers.context import Info
from resolvers.finance import BankDetailsChange as BankDetailsChangeFacts
from resolvers.finance import (
    BatchFiles,
    PartnerBankAccounts,
    PartnerGap,
    PeriodFigures,
    ReconciliationFigures,
)
from resolvers.finance import ReimbursementStatement as ReimbursementFacts
from resolvers.permissions import allow, delegate_of_argument, principal_of_argument, staff
from schema.accounts import Person
from schema.errors import UserError, user_errors
from schema.partners import WalletKind

BankDetailsStatus = strawberry.enum(BankDetailsStatusModel, name="BankDetailsStatus")
ReimbursementStatus = strawberry.enum(ReimbursementStatusModel, name="ReimbursementStatus")
PaymentBatchStatus = strawberry.enum(PaymentBatchStatusModel, name="PaymentBatchStatus")


@strawberry.type(description="One submission of a partner's bank details.")
class BankAccount:
    id: strawberry.ID
    masked_iban: str
    bic: str
    holder_name: str
    status: BankDetailsStatus
    submitted_at: datetime
    decided_at: datetime | None
    refusal_reason: str | None
    full_iban: strawberry.Private[str]
    submitted_by_id: strawberry.Private[UUID]

    @strawberry.field(description="Who entered these details (the principal delegate).")
    async def submitted_by(self, info: Info) -> Person | None:
        user = await info.context.loaders.user.load(self.submitted_by_id)
        return Person.from_model(user) if user else None

    @strawberry.field(
        extensions=allow(staff(StaffRole.FINANCE)),
        description="The whole IBAN, for the finance staff who check it.",
    )
    def iban(self) -> str:
        return self.full_iban

    @classmethod
    def from_model(cls, details: BankDetailsModel) -> BankAccount:
        return cls(
            id=strawberry.ID(str(details.id)),
            masked_iban=mask_iban(details.iban),
            bic=details.bic,
            holder_name=details.holder_name,
            status=details.status,
            submitted_at=details.submitted_at,
            decided_at=details.decided_at,
            refusal_reason=details.refusal_reason,
            full_iban=details.iban,
            submitted_by_id=details.submitted_by_id,
        )


@strawberry.type
class PartnerBankDetails:
    current: BankAccount | None = strawberry.field(description="Where transfers go.")
    pending: BankAccount | None = strawberry.field(description="Waiting for validation.")
    payments_held: bool = strawberry.field(
        description="True while no validated details exist or a change waits for validation."
    )

    @classmethod
    def of(cls, accounts: PartnerBankAccounts) -> PartnerBankDetails:
        current, pending = accounts.current, accounts.pending
        return cls(
            current=BankAccount.from_model(current) if current else None,
            pending=BankAccount.from_model(pending) if pending else None,
            payments_held=current is None or pending is not None,
        )


@strawberry.type
class BankDetailsSuccess:
    bank_account: BankAccount


@strawberry.input
class BankDetailsInput:
    iban: str
    bic: str
    holder_name: str


@strawberry.type(
    description="The verdict on an IBAN and a BIC as they are typed (nothing is stored): "
    "each one's French error, and the bank the IBAN names."
)
class BankDetailsCheck:
    iban_error: str | None
    bic_error: str | None
    bank_name: str | None
    bank_bic: str | None = strawberry.field(description="The BIC of the IBAN's bank, if known.")


@strawberry.type(description="A short-lived download link pair (PDF and CSV).")
class StatementLinks:
    pdf_url: str
    csv_url: str
    expires_at: datetime

    @classmethod
    def from_links(cls, links: Links) -> StatementLinks:
        return cls(
            pdf_url=links.urls["pdf"], csv_url=links.urls["csv"], expires_at=links.expires_at
        )


@strawberry.type(description="Short-lived links to a batch's SEPA file and accounting CSV.")
class PaymentFileLinks:
    sepa_url: str
    csv_url: str
    expires_at: datetime


@strawberry.type
class WalletTotal:
    kind: WalletKind
    label: str
    transactions_count: int
    amount_cents: int


@strawberry.type(description="What the département owes a partner for one period.")
class Reimbursement:
    id: strawberry.ID
    reference: str
    period_starts_on: date
    period_ends_on: date
    status: ReimbursementStatus
    transactions_count: int
    transactions_cents: int
    adjustments_cents: int = strawberry.field(
        description="Reimbursed transactions regularised since (negative)."
    )
    carried_in_cents: int = strawberry.field(
        description="Earlier reimbursements held or rejected, paid with this one."
    )
    amount_cents: int
    wallet_totals: list[WalletTotal]
    transfer_date: date | None
    rejection_reason: str | None
    carried_over_to_reference: str | None
    statement: StatementLinks

    @strawberry.field(description="The net amount formatted in French, e.g. « 30,49 € ».")
    def amount(self) -> str:
        return format_euros(self.amount_cents)

    @classmethod
    def of(cls, facts: ReimbursementFacts) -> Reimbursement:
        r = facts.reimbursement
        return cls(
            id=strawberry.ID(str(r.id)),
            reference=r.reference,
            period_starts_on=r.period.starts_on,
            period_ends_on=r.period.ends_on,
            status=r.status,
            transactions_count=r.lines_count,
            transactions_cents=r.lines_cents,
            adjustments_cents=r.adjustments_cents,
            carried_in_cents=r.carried_in_cents,
            amount_cents=r.amount_cents,
            wallet_totals=[
                WalletTotal(
                    kind=WalletKindModel(t.kind),
                    label=t.label,
                    transactions_count=t.transactions_count,
                    amount_cents=t.amount_cents,
                )
                for t in facts.wallet_totals
            ],
            transfer_date=r.paid_at.date() if r.paid_at else None,
            rejection_reason=r.rejection_reason,
            carried_over_to_reference=facts.carried_over_to_reference,
            statement=StatementLinks.from_links(facts.statement),
        )


@strawberry.type(
    description="The evening report of one day (« télécollecte »), as it was emailed to the "
    "principal and the finance delegates: the day's completed transactions."
)
class DailyCollection:
    day: date
    transactions_count: int
    amount_cents: int
    sent_at: datetime
    recipients_count: int

    @strawberry.field(description="The amount formatted in French, e.g. « 30,50 € ».")
    def amount(self) -> str:
        return format_euros(self.amount_cents)

    @classmethod
    def from_model(cls, report: DailyCollectionReportModel) -> DailyCollection:
        return cls(
            day=report.day,
            transactions_count=report.transactions_count,
            amount_cents=report.amount_cents,
            sent_at=report.created_at,
            recipients_count=report.recipients_count,
        )


@strawberry.type
class PaymentBatch:
    id: strawberry.ID
    reference: str
    status: PaymentBatchStatus
    transfers_count: int
    total_cents: int
    execution_date: date
    created_at: datetime
    sent_at: datetime | None
    paid_at: datetime | None
    files: PaymentFileLinks

    @classmethod
    def of(cls, found: BatchFiles) -> PaymentBatch:
        batch, links = found.batch, found.files
        return cls(
            id=strawberry.ID(str(batch.id)),
            reference=batch.reference,
            status=batch.status,
            transfers_count=batch.transfers_count,
            total_cents=batch.total_cents,
            execution_date=batch.execution_date,
            created_at=batch.created_at,
            sent_at=batch.sent_at,
            paid_at=batch.paid_at,
            files=PaymentFileLinks(
                sepa_url=links.urls["sepa"], csv_url=links.urls["csv"], expires_at=links.expires_at
            ),
        )


@strawberry.type(
    description="A partner whose three records disagree: the ledger's payable balance, the "
    "transactions (debits − reversals − reimbursements paid), and the reimbursements not "
    "yet paid (+ debits not yet assigned − reversed debits not yet taken back)."
)
class ReconciliationGap:
    partner_id: strawberry.ID
    partner_name: str
    ledger_cents: int
    from_transactions_cents: int
    from_reimbursements_cents: int

    @classmethod
    def of(cls, gap: PartnerGap) -> ReconciliationGap:
        return cls(
            partner_id=strawberry.ID(str(gap.partner_id)),
            partner_name=gap.partner_name,
            ledger_cents=gap.ledger_cents,
            from_transactions_cents=gap.from_transactions_cents,
            from_reimbursements_cents=gap.from_reimbursements_cents,
        )


@strawberry.type(
    description="The reconciliation run now over every partner: the three records' totals "
    "and the partners whose figures disagree (any gap stops the payment batches)."
)
class ReconciliationCheck:
    adds_up: bool
    partners_count: int
    ledger_cents: int
    from_transactions_cents: int
    from_reimbursements_cents: int
    gaps: list[ReconciliationGap]

    @classmethod
    def of(cls, found: ReconciliationFigures) -> ReconciliationCheck:
        return cls(
            adds_up=not found.gaps,
            partners_count=found.partners_count,
            ledger_cents=found.ledger_cents,
            from_transactions_cents=found.from_transactions_cents,
            from_reimbursements_cents=found.from_reimbursements_cents,
            gaps=[ReconciliationGap.of(g) for g in found.gaps],
        )


@strawberry.type(description="One partner's reimbursement in a period, for the finance staff.")
class PeriodReimbursement:
    id: strawberry.ID
    reference: str
    partner_id: strawberry.ID
    partner_name: str
    siret: str
    status: ReimbursementStatus
    transactions_count: int
    transactions_cents: int
    adjustments_cents: int
    carried_in_cents: int
    amount_cents: int
    rejection_reason: str | None

    @strawberry.field(description="The net amount formatted in French, e.g. « 30,49 € ».")
    def amount(self) -> str:
        return format_euros(self.amount_cents)

    @classmethod
    def from_model(cls, r: ReimbursementModel) -> PeriodReimbursement:
        return cls(
            id=strawberry.ID(str(r.id)),
            reference=r.reference,
            partner_id=strawberry.ID(str(r.partner_id)),
            partner_name=r.partner.trade_name,
            siret=r.partner.siret,
            status=r.status,
            transactions_count=r.lines_count,
            transactions_cents=r.lines_cents,
            adjustments_cents=r.adjustments_cents,
            carried_in_cents=r.carried_in_cents,
            amount_cents=r.amount_cents,
            rejection_reason=r.rejection_reason,
        )


@strawberry.type(description="A fortnight: closed the day after it ends.")
class ReimbursementPeriod:
    id: strawberry.ID
    starts_on: date
    ends_on: date
    closed_at: datetime | None
    reimbursements_count: int
    total_cents: int
    figures_add_up: bool = strawberry.field(
        description="The reconciliation at close found no gap (else no batch until fixed)."
    )
    batch: PaymentBatch | None
    model: strawberry.Private[ReimbursementPeriodModel]

    @strawberry.field(
        extensions=allow(staff(StaffRole.FINANCE)),
        description="The partners whose figures disagreed when the period was closed.",
    )
    async def gaps(self) -> list[ReconciliationGap]:
        return [ReconciliationGap.of(g) for g in await resolvers.period_gaps(self.model)]

    @strawberry.field(
        extensions=allow(staff(StaffRole.FINANCE)),
        description="Each partner's reimbursement for the period, by partner name.",
    )
    async def reimbursements(self) -> list[PeriodReimbursement]:
        found = await resolvers.period_reimbursements(self.model.id)
        return [PeriodReimbursement.from_model(r) for r in found]

    @classmethod
    def of(cls, figures: PeriodFigures) -> ReimbursementPeriod:
        period = figures.period
        return cls(
            id=strawberry.ID(str(period.id)),
            starts_on=period.starts_on,
            ends_on=period.ends_on,
            closed_at=period.closed_at,
            reimbursements_count=figures.reimbursements_count,
            total_cents=figures.total_cents,
            figures_add_up=not period.discrepancies,
            batch=PaymentBatch.of(figures.batch) if figures.batch else None,
            model=period,
        )


@strawberry.type(
    description="A partner's bank details change waiting for validation (its payments are "
    "held meanwhile), beside the validated details it would replace."
)
class BankDetailsChange:
    partner_id: strawberry.ID
    partner_name: str
    legal_name: str
    siret: str
    submitted: BankAccount
    current: BankAccount | None

    @classmethod
    def of(cls, change: BankDetailsChangeFacts) -> BankDetailsChange:
        return cls(
            partner_id=strawberry.ID(str(change.partner.id)),
            partner_name=change.partner.trade_name,
            legal_name=change.partner.legal_name,
            siret=change.partner.siret,
            submitted=BankAccount.from_model(change.submitted),
            current=BankAccount.from_model(change.current) if change.current else None,
        )


@strawberry.type
class PeriodSuccess:
    period: ReimbursementPeriod


@strawberry.type
class PaymentBatchSuccess:
    batch: PaymentBatch


@strawberry.input
class TransferRejectionInput:
    reference: str = strawberry.field(description="The reimbursement reference (EndToEndId).")
    reason: str = strawberry.field(description="The bank's reason, e.g. « AC04 compte clos ».")


BankDetailsResult = Annotated[BankDetailsSuccess | UserError, strawberry.union("BankDetailsResult")]
StatementResult = Annotated[StatementLinks | UserError, strawberry.union("StatementResult")]
PeriodResult = Annotated[PeriodSuccess | UserError, strawberry.union("PeriodResult")]
PaymentBatchResult = Annotated[
    PaymentBatchSuccess | UserError, strawberry.union("PaymentBatchResult")
]

FINANCE_STAFF = staff(StaffRole.FINANCE)
_PARTNER_FINANCE = allow(
    FINANCE_STAFF, delegate_of_argument("partner_id", DelegatePermission.FINANCE)
)


@strawberry.type
class FinanceQueries:
    @strawberry.field(
        extensions=allow(
            staff(StaffRole.FINANCE, StaffRole.SUPPORT),
            delegate_of_argument("partner_id", DelegatePermission.FINANCE),
        ),
        description="The partner's validated bank details and any change waiting.",
    )
    async def bank_details(self, info: Info, partner_id: strawberry.ID) -> PartnerBankDetails:
        return PartnerBankDetails.of(await resolvers.bank_details_of(info, partner_id))

    @strawberry.field(
        extensions=_PARTNER_FINANCE,
        description="« Mes remboursements »: newest period first, with statement links.",
    )
    async def reimbursements(
        self, info: Info, partner_id: strawberry.ID, first: int = 24
    ) -> list[Reimbursement]:
        found = await resolvers.reimbursements_of(info, partner_id, first)
        return [Reimbursement.of(r) for r in found]

    @strawberry.field(
        extensions=_PARTNER_FINANCE,
        description="Links (PDF, CSV) valid a few minutes, for a reimbursement or a range.",
    )
    @user_errors
    async def statement(
        self,
        info: Info,
        partner_id: strawberry.ID,
        reimbursement_id: strawberry.ID | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> StatementResult:
        links = await resolvers.statement(info, partner_id, reimbursement_id, from_, to)
        return StatementLinks.from_links(links)

    @strawberry.field(
        extensions=_PARTNER_FINANCE,
        description="The evening reports (« télécollecte ») of past days, newest first.",
    )
    async def daily_collections(
        self, info: Info, partner_id: strawberry.ID, first: int = 31
    ) -> list[DailyCollection]:
        found = await resolvers.daily_collections_of(info, partner_id, first)
        return [DailyCollection.from_model(r) for r in found]

    @strawberry.field(
        extensions=allow(principal_of_argument("partner_id")),
        description="Check an IBAN and a BIC while the principal types them (the bank "
        "details form's live validation); setBankDetails checks them again.",
    )
    async def bank_details_check(
        self, info: Info, partner_id: strawberry.ID, iban: str, bic: str = ""
    ) -> BankDetailsCheck:
        found = await resolvers.check_bank_details(info, iban, bic)
        return BankDetailsCheck(
            iban_error=found.iban_error,
            bic_error=found.bic_error,
            bank_name=found.bank_name,
            bank_bic=found.bank_bic,
        )

    @strawberry.field(
        extensions=allow(FINANCE_STAFF),
        description="The closed fortnights, latest first (at most 48); `startingBefore` "
        "gives the older ones, those starting before that day.",
    )
    async def reimbursement_periods(
        self, info: Info, first: int = 12, starting_before: date | None = None
    ) -> list[ReimbursementPeriod]:
        found = await resolvers.reimbursement_periods(info, first, starting_before)
        return [ReimbursementPeriod.of(p) for p in found]

    @strawberry.field(extensions=allow(FINANCE_STAFF), description="One fortnight, by its id.")
    async def reimbursement_period(
        self, info: Info, id: strawberry.ID
    ) -> ReimbursementPeriod | None:
        found = await resolvers.reimbursement_period(info, id)
        return ReimbursementPeriod.of(found) if found else None

    @strawberry.field(
        extensions=allow(FINANCE_STAFF),
        description="The reconciliation run now: the ledger, the transactions and the "
        "reimbursements compared for every partner.",
    )
    async def reconciliation_check(self, info: Info) -> ReconciliationCheck:
        return ReconciliationCheck.of(await resolvers.reconciliation_check(info))

    @strawberry.field(
        extensions=allow(FINANCE_STAFF),
        description="Bank details changes waiting for validation across partners (each "
        "holds its partner's payments), the oldest first.",
    )
    async def bank_details_waiting(self, info: Info, first: int = 100) -> list[BankDetailsChange]:
        found = await resolvers.bank_details_waiting(info, first)
        return [BankDetailsChange.of(c) for c in found]


def _bank_answer(details: BankDetailsModel) -> BankDetailsSuccess:
    return BankDetailsSuccess(bank_account=BankAccount.from_model(details))


def _batch_answer(found: BatchFiles) -> PaymentBatchSuccess:
    return PaymentBatchSuccess(batch=PaymentBatch.of(found))


@strawberry.type
class FinanceMutations:
    @strawberry.mutation(
        extensions=allow(principal_of_argument("partner_id")),
        description="The principal delegate changes the bank details, typing their password "
        "again; the principal and the finance staff are emailed, and payments are held until "
        "finance staff validate the new details.",
    )
    @user_errors
    async def set_bank_details(
        self, info: Info, partner_id: strawberry.ID, input: BankDetailsInput, password: str
    ) -> BankDetailsResult:
        return _bank_answer(await resolvers.set_bank_details(info, partner_id, input, password))

    @strawberry.mutation(extensions=allow(FINANCE_STAFF))
    @user_errors
    async def validate_bank_details(
        self, info: Info, bank_details_id: strawberry.ID
    ) -> BankDetailsResult:
        return _bank_answer(await resolvers.decide_bank_details(info, bank_details_id, True))

    @strawberry.mutation(extensions=allow(FINANCE_STAFF))
    @user_errors
    async def refuse_bank_details(
        self, info: Info, bank_details_id: strawberry.ID, reason: str
    ) -> BankDetailsResult:
        return _bank_answer(
            await resolvers.decide_bank_details(info, bank_details_id, False, reason)
        )

    @strawberry.mutation(extensions=allow(FINANCE_STAFF))
    @user_errors
    async def close_period(self, info: Info, day: date) -> PeriodResult:
        return PeriodSuccess(period=ReimbursementPeriod.of(await resolvers.close_period(info, day)))

    @strawberry.mutation(extensions=allow(FINANCE_STAFF))
    @user_errors
    async def create_payment_batch(
        self, info: Info, period_id: strawberry.ID, execution_date: date | None = None
    ) -> PaymentBatchResult:
        return _batch_answer(await resolvers.create_payment_batch(info, period_id, execution_date))

    @strawberry.mutation(extensions=allow(FINANCE_STAFF))
    @user_errors
    async def mark_payment_batch_sent(
        self, info: Info, batch_id: strawberry.ID
    ) -> PaymentBatchResult:
        return _batch_answer(await resolvers.mark_payment_batch_sent(info, batch_id))

    @strawberry.mutation(extensions=allow(FINANCE_STAFF))
    @user_errors
    async def reject_transfers(
        self, info: Info, batch_id: strawberry.ID, rejections: list[TransferRejectionInput]
    ) -> PaymentBatchResult:
        return _batch_answer(await resolvers.reject_transfers(info, batch_id, rejections))

    @strawberry.mutation(extensions=allow(FINANCE_STAFF))
    @user_errors
    async def mark_payment_batch_paid(
        self, info: Info, batch_id: strawberry.ID
    ) -> PaymentBatchResult:
        return _batch_answer(await resolvers.mark_payment_batch_paid(info, batch_id))
