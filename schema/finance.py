"""Types for bank details, reimbursements, statements, periods and payment batches."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from domain.core.money import format_euros
from domain.finance.bank_details import mask_iban
from domain.finance.links import Links
from models.accounts import StaffRole
from models.finance import BankDetails as BankDetailsModel
from models.finance import BankDetailsStatus as BankDetailsStatusModel
from models.finance import PaymentBatchStatus as PaymentBatchStatusModel
from models.finance import ReimbursementStatus as ReimbursementStatusModel
from resolvers.permissions import allow, staff

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
        )


@strawberry.type
class PartnerBankDetails:
    current: BankAccount | None = strawberry.field(description="Where transfers go.")
    pending: BankAccount | None = strawberry.field(description="Waiting for validation.")
    payments_held: bool = strawberry.field(
        description="True while no validated details exist or a change waits for validation."
    )


@strawberry.type
class BankDetailsSuccess:
    bank_account: BankAccount


@strawberry.input
class BankDetailsInput:
    iban: str
    bic: str
    holder_name: str


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
    kind: str
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
