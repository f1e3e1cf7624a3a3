"""Resolvers for bank details, reimbursements, statements, periods and payment batches."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry

from domain.core.errors import DomainError, invalid, not_found
from domain.finance import bank_details, payment_batches, reimbursements, statements
from domain.finance import links as finance_links
from models.cards import SchoolYearWallet
from models.finance import PaymentBatch as PaymentBatchModel
from models.finance import Reimbursement as ReimbursementModel
from models.finance import ReimbursementPeriod as PeriodModel
from models.finance import ReimbursementWalletTotal
from resolvers.arguments import parse_id
from schema.errors import UserError
from schema.finance import (
    BankAccount,
    BankDetailsInput,
    BankDetailsSuccess,
    PartnerBankDetails,
    PaymentBatch,
    PaymentBatchSuccess,
    PaymentFileLinks,
    PeriodSuccess,
    Reimbursement,
    ReimbursementPeriod,
    StatementLinks,
    TransferRejectionInput,
    WalletTotal,
)
from server.context import Info

BankDetailsResult = Annotated[BankDetailsSuccess | UserError, strawberry.union("BankDetailsResult")]
StatementResult = Annotated[StatementLinks | UserError, strawberry.union("StatementResult")]
PeriodResult = Annotated[PeriodSuccess | UserError, strawberry.union("PeriodResult")]
PaymentBatchResult = Annotated[
    PaymentBatchSuccess | UserError, strawberry.union("PaymentBatchResult")
]
MAX_REIMBURSEMENTS = 48  # two years of fortnights


def _user_id(info: Info) -> UUID | None:
    user = info.context.viewer.user
    return user.id if user else None


# --- bank details ----------------------------------------------------------------------


async def bank_details_of(info: Info, partner_id: strawberry.ID) -> PartnerBankDetails:
    try:
        pid = parse_id(partner_id, "partnerId")
    except DomainError:
        return PartnerBankDetails(current=None, pending=None, payments_held=True)
    current = await bank_details.current_validated(pid)
    waiting = await bank_details.pending(pid)
    return PartnerBankDetails(
        current=BankAccount.from_model(current) if current else None,
        pending=BankAccount.from_model(waiting) if waiting else None,
        payments_held=current is None or waiting is not None,
    )


async def set_bank_details(
    info: Info, partner_id: strawberry.ID, input: BankDetailsInput
) -> BankDetailsResult:
    try:
        submitted = await bank_details.submit(
            info.context.viewer,
            parse_id(partner_id, "partnerId"),
            bank_details.BankDetailsInput(input.iban, input.bic, input.holder_name),
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return BankDetailsSuccess(bank_account=BankAccount.from_model(submitted))


async def _decide(info: Info, bank_details_id: strawberry.ID, approve: bool, reason=None):
    try:
        decided = await bank_details.decide(
            info.context.viewer,
            parse_id(bank_details_id, "bankDetailsId"),
            approve=approve,
            reason=reason,
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return BankDetailsSuccess(bank_account=BankAccount.from_model(decided))


async def validate_bank_details(info: Info, bank_details_id: strawberry.ID) -> BankDetailsResult:
    return await _decide(info, bank_details_id, True)


async def refuse_bank_details(
    info: Info, bank_details_id: strawberry.ID, reason: str
) -> BankDetailsResult:
    return await _decide(info, bank_details_id, False, reason)


# --- reimbursements and statements ---------------------------------------------------------


async def _shaped(info: Info, rows: list[ReimbursementModel]) -> list[Reimbursement]:
    labels = dict(await SchoolYearWallet.all().values_list("kind", "label"))
    totals: dict[UUID, list[WalletTotal]] = {}
    for t in await ReimbursementWalletTotal.filter(
        reimbursement_id__in=[r.id for r in rows]
    ).order_by("wallet_kind"):
        totals.setdefault(t.reimbursement_id, []).append(
            WalletTotal(
                kind=t.wallet_kind,
                label=labels.get(t.wallet_kind, t.wallet_kind),
                transactions_count=t.transactions_count,
                amount_cents=t.amount_cents,
            )
        )
    carried_to = dict(
        await ReimbursementModel.filter(
            id__in=[r.carried_over_to_id for r in rows if r.carried_over_to_id]
        ).values_list("id", "reference")
    )
    return [
        Reimbursement(
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
            wallet_totals=totals.get(r.id, []),
            transfer_date=r.paid_at.date() if r.paid_at else None,
            rejection_reason=r.rejection_reason,
            carried_over_to_reference=carried_to.get(r.carried_over_to_id),
            statement=StatementLinks.from_links(
                finance_links.statement_links(_user_id(info), r.partner_id, r.id)
            ),
        )
        for r in rows
    ]


async def reimbursements_of(
    info: Info, partner_id: strawberry.ID, first: int = 24
) -> list[Reimbursement]:
    """« Mes remboursements »: the partner's reimbursements, newest period first."""
    try:
        pid = parse_id(partner_id, "partnerId")
    except DomainError:
        return []
    rows = (
        await ReimbursementModel.filter(partner_id=pid)
        .select_related("period")
        .order_by("-period__starts_on")
        .limit(max(1, min(first, MAX_REIMBURSEMENTS)))
    )
    return await _shaped(info, rows)


async def statement(
    info: Info,
    partner_id: strawberry.ID,
    reimbursement_id: strawberry.ID | None = None,
    from_: Annotated[date | None, strawberry.argument(name="from")] = None,
    to: date | None = None,
) -> StatementResult:
    """Download links for a reimbursement's statement, or for the transactions of a range."""
    try:
        pid = parse_id(partner_id, "partnerId")
        if reimbursement_id is not None:
            rid = parse_id(reimbursement_id, "reimbursementId")
            if not await ReimbursementModel.filter(id=rid, partner_id=pid).exists():
                raise not_found("Remboursement")
            links = finance_links.statement_links(_user_id(info), pid, rid)
        else:
            if from_ is None or to is None:
                raise invalid("from", "Choisissez un remboursement ou des dates de début et fin.")
            statements.check_range(from_, to)
            links = finance_links.statement_links(_user_id(info), pid, first=from_, last=to)
    except DomainError as error:
        return UserError.from_domain(error)
    return StatementLinks.from_links(links)


# --- periods and batches (finance staff) -----------------------------------------------------


def _batch(info: Info, batch: PaymentBatchModel) -> PaymentBatch:
    links = finance_links.batch_file_links(_user_id(info), batch.id)
    return PaymentBatch(
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


async def _period(info: Info, period: PeriodModel) -> ReimbursementPeriod:
    rows = await ReimbursementModel.filter(period_id=period.id).values_list(
        "amount_cents", flat=True
    )
    batch = await PaymentBatchModel.get_or_none(period_id=period.id)
    return ReimbursementPeriod(
        id=strawberry.ID(str(period.id)),
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        closed_at=period.closed_at,
        reimbursements_count=len(rows),
        total_cents=sum(rows),
        figures_add_up=not period.discrepancies,
        batch=_batch(info, batch) if batch else None,
    )


async def reimbursement_periods(info: Info, first: int = 12) -> list[ReimbursementPeriod]:
    periods = await PeriodModel.all().order_by("-starts_on").limit(max(1, min(first, 48)))
    return [await _period(info, p) for p in periods]


async def close_period(info: Info, day: date) -> PeriodResult:
    """Close the fortnight containing `day` (done every night by a job; closing twice is
    harmless)."""
    try:
        report = await reimbursements.close_period(day, info.context.viewer)
    except DomainError as error:
        return UserError.from_domain(error)
    return PeriodSuccess(period=await _period(info, report.period))


async def create_payment_batch(
    info: Info, period_id: strawberry.ID, execution_date: date | None = None
) -> PaymentBatchResult:
    try:
        batch = await payment_batches.create_payment_batch(
            info.context.viewer, parse_id(period_id, "periodId"), execution_date
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return PaymentBatchSuccess(batch=_batch(info, batch))


async def mark_payment_batch_sent(info: Info, batch_id: strawberry.ID) -> PaymentBatchResult:
    try:
        batch = await payment_batches.mark_sent(info.context.viewer, parse_id(batch_id, "batchId"))
    except DomainError as error:
        return UserError.from_domain(error)
    return PaymentBatchSuccess(batch=_batch(info, batch))


async def mark_payment_batch_paid(info: Info, batch_id: strawberry.ID) -> PaymentBatchResult:
    try:
        batch = await payment_batches.mark_paid(info.context.viewer, parse_id(batch_id, "batchId"))
    except DomainError as error:
        return UserError.from_domain(error)
    return PaymentBatchSuccess(batch=_batch(info, batch))


async def reject_transfers(
    info: Info, batch_id: strawberry.ID, rejections: list[TransferRejectionInput]
) -> PaymentBatchResult:
    """Record the transfers the bank returned, before marking the batch paid."""
    try:
        bid = parse_id(batch_id, "batchId")
        await payment_batches.reject_transfers(
            info.context.viewer,
            bid,
            [payment_batches.Rejection(r.reference, r.reason) for r in rejections],
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return PaymentBatchSuccess(batch=_batch(info, await PaymentBatchModel.get(id=bid)))
