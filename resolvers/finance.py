"""Resolvers for bank details, reimbursements, statements, periods and payment batches:
read the input, call domain.finance, answer with the models and the figures and links that
go with them (schema/finance.py shapes them); a refused rule raises DomainError."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import strawberry

from domain.core.errors import DomainError, invalid, not_found
from domain.finance import (
    bank_details,
    payment_batches,
    reconciliation,
    reimbursements,
    statements,
)
from domain.finance import links as finance_links
from domain.finance.links import Links
from models.cards import SchoolYearWallet
from models.finance import (
    BankDetails,
    BankDetailsStatus,
    DailyCollectionReport,
    PaymentBatch,
    Reimbursement,
    ReimbursementPeriod,
)
from models.finance import ReimbursementWalletTotal as WalletTotalModel
from models.partners import Partner
from resolvers.arguments import parse_id
from resolvers.context import Info

MAX_REIMBURSEMENTS = 48  # two years of fortnights
MAX_DAILY_COLLECTIONS = 62  # two months of days
MAX_WAITING_BANK_DETAILS = 200


@dataclass(frozen=True)
class PartnerBankAccounts:
    current: BankDetails | None
    pending: BankDetails | None


@dataclass(frozen=True)
class WalletTotal:
    kind: str
    label: str
    transactions_count: int
    amount_cents: int


@dataclass(frozen=True)
class ReimbursementStatement:
    """A reimbursement (its period loaded), its totals per wallet and its statement's links."""

    reimbursement: Reimbursement
    wallet_totals: list[WalletTotal]
    carried_over_to_reference: str | None
    statement: Links


@dataclass(frozen=True)
class BatchFiles:
    batch: PaymentBatch
    files: Links  # "sepa" and "csv"


@dataclass(frozen=True)
class PartnerGap:
    """A partner whose three figures disagree (domain/finance/reconciliation.py)."""

    partner_id: UUID
    partner_name: str
    ledger_cents: int
    from_transactions_cents: int
    from_reimbursements_cents: int


@dataclass(frozen=True)
class ReconciliationFigures:
    partners_count: int
    ledger_cents: int
    from_transactions_cents: int
    from_reimbursements_cents: int
    gaps: list[PartnerGap]


@dataclass(frozen=True)
class BankDetailsChange:
    """A submission waiting for validation, beside the details it would replace."""

    submitted: BankDetails
    partner: Partner
    current: BankDetails | None


@dataclass(frozen=True)
class PeriodFigures:
    period: ReimbursementPeriod
    reimbursements_count: int
    total_cents: int
    batch: BatchFiles | None


def _user_id(info: Info) -> UUID | None:
    user = info.context.viewer.user
    return user.id if user else None


# --- bank details ----------------------------------------------------------------------


async def bank_details_of(info: Info, partner_id: strawberry.ID) -> PartnerBankAccounts:
    try:
        pid = parse_id(partner_id, "partnerId")
    except DomainError:
        return PartnerBankAccounts(current=None, pending=None)
    current = await bank_details.current_validated(pid)
    return PartnerBankAccounts(current=current, pending=await bank_details.pending(pid))


async def set_bank_details(
    info: Info, partner_id: strawberry.ID, input: Any, password: str
) -> BankDetails:
    """`input` is a BankDetailsInput."""
    return await bank_details.submit_change(
        info.context.viewer,
        parse_id(partner_id, "partnerId"),
        bank_details.BankDetailsInput(input.iban, input.bic, input.holder_name),
        password,
    )


async def check_bank_details(info: Info, iban: str, bic: str) -> bank_details.BankDetailsCheck:
    return bank_details.check_as_typed(iban[:64], bic[:16])


async def decide_bank_details(
    info: Info, bank_details_id: strawberry.ID, approve: bool, reason: str | None = None
) -> BankDetails:
    return await bank_details.decide(
        info.context.viewer,
        parse_id(bank_details_id, "bankDetailsId"),
        approve=approve,
        reason=reason,
    )


# --- reimbursements and statements ---------------------------------------------------------


async def _statements(info: Info, rows: list[Reimbursement]) -> list[ReimbursementStatement]:
    labels = dict(await SchoolYearWallet.all().values_list("kind", "label"))
    totals: dict[UUID, list[WalletTotal]] = {}
    for t in await WalletTotalModel.filter(reimbursement_id__in=[r.id for r in rows]).order_by(
        "wallet_kind"
    ):
        totals.setdefault(t.reimbursement_id, []).append(
            WalletTotal(
                kind=t.wallet_kind,
                label=labels.get(t.wallet_kind, t.wallet_kind),
                transactions_count=t.transactions_count,
                amount_cents=t.amount_cents,
            )
        )
    carried_to = dict(
        await Reimbursement.filter(
            id__in=[r.carried_over_to_id for r in rows if r.carried_over_to_id]
        ).values_list("id", "reference")
    )
    return [
        ReimbursementStatement(
            reimbursement=r,
            wallet_totals=totals.get(r.id, []),
            carried_over_to_reference=carried_to.get(r.carried_over_to_id),
            statement=finance_links.statement_links(_user_id(info), r.partner_id, r.id),
        )
        for r in rows
    ]


async def reimbursements_of(
    info: Info, partner_id: strawberry.ID, first: int
) -> list[ReimbursementStatement]:
    """« Mes remboursements »: the partner's reimbursements, newest period first."""
    try:
        pid = parse_id(partner_id, "partnerId")
    except DomainError:
        return []
    rows = (
        await Reimbursement.filter(partner_id=pid)
        .select_related("period")
        .order_by("-period__starts_on")
        .limit(max(1, min(first, MAX_REIMBURSEMENTS)))
    )
    return await _statements(info, rows)


async def statement(
    info: Info,
    partner_id: strawberry.ID,
    reimbursement_id: strawberry.ID | None,
    from_: date | None,
    to: date | None,
) -> Links:
    """Download links for a reimbursement's statement, or for the transactions of a range."""
    pid = parse_id(partner_id, "partnerId")
    if reimbursement_id is not None:
        rid = parse_id(reimbursement_id, "reimbursementId")
        if not await Reimbursement.filter(id=rid, partner_id=pid).exists():
            raise not_found("Remboursement")
        return finance_links.statement_links(_user_id(info), pid, rid)
    if from_ is None or to is None:
        raise invalid("from", "Choisissez un remboursement ou des dates de début et fin.")
    statements.check_range(from_, to)
    return finance_links.statement_links(_user_id(info), pid, first=from_, last=to)


async def daily_collections_of(
    info: Info, partner_id: strawberry.ID, first: int
) -> list[DailyCollectionReport]:
    """The evening reports (« télécollecte ») of the partner's past days, newest first."""
    try:
        pid = parse_id(partner_id, "partnerId")
    except DomainError:
        return []
    return (
        await DailyCollectionReport.filter(partner_id=pid)
        .order_by("-day")
        .limit(max(1, min(first, MAX_DAILY_COLLECTIONS)))
    )


# --- periods and batches (finance staff) -----------------------------------------------------


def _batch(info: Info, batch: PaymentBatch) -> BatchFiles:
    return BatchFiles(batch, finance_links.batch_file_links(_user_id(info), batch.id))


async def _period(info: Info, period: ReimbursementPeriod) -> PeriodFigures:
    rows = await Reimbursement.filter(period_id=period.id).values_list("amount_cents", flat=True)
    batch = await PaymentBatch.get_or_none(period_id=period.id)
    return PeriodFigures(
        period=period,
        reimbursements_count=len(rows),
        total_cents=sum(rows),
        batch=_batch(info, batch) if batch else None,
    )


async def reimbursement_periods(
    info: Info, first: int, starting_before: date | None = None
) -> list[PeriodFigures]:
    """The latest fortnights first; `starting_before` pages back through older ones."""
    query = ReimbursementPeriod.all()
    if starting_before is not None:
        query = query.filter(starts_on__lt=starting_before)
    periods = await query.order_by("-starts_on").limit(max(1, min(first, 48)))
    return [await _period(info, p) for p in periods]


async def close_period(info: Info, day: date) -> PeriodFigures:
    """Close the fortnight containing `day` (done every night by a job; closing twice is
    harmless)."""
    report = await reimbursements.close_period(day, info.context.viewer)
    return await _period(info, report.period)


async def create_payment_batch(
    info: Info, period_id: strawberry.ID, execution_date: date | None
) -> BatchFiles:
    batch = await payment_batches.create_payment_batch(
        info.context.viewer, parse_id(period_id, "periodId"), execution_date
    )
    return _batch(info, batch)


async def mark_payment_batch_sent(info: Info, batch_id: strawberry.ID) -> BatchFiles:
    batch = await payment_batches.mark_sent(info.context.viewer, parse_id(batch_id, "batchId"))
    return _batch(info, batch)


async def mark_payment_batch_paid(info: Info, batch_id: strawberry.ID) -> BatchFiles:
    batch = await payment_batches.mark_paid(info.context.viewer, parse_id(batch_id, "batchId"))
    return _batch(info, batch)


async def reject_transfers(
    info: Info, batch_id: strawberry.ID, rejections: list[Any]
) -> BatchFiles:
    """Record the transfers the bank returned, before marking the batch paid. `rejections`
    are TransferRejectionInputs."""
    bid = parse_id(batch_id, "batchId")
    await payment_batches.reject_transfers(
        info.context.viewer,
        bid,
        [payment_batches.Rejection(r.reference, r.reason) for r in rejections],
    )
    return _batch(info, await PaymentBatch.get(id=bid))


async def reimbursement_period(info: Info, period_id: strawberry.ID) -> PeriodFigures | None:
    try:
        pid = parse_id(period_id, "id")
    except DomainError:
        return None
    period = await ReimbursementPeriod.get_or_none(id=pid)
    return await _period(info, period) if period else None


async def period_reimbursements(period_id: UUID) -> list[Reimbursement]:
    """The period's reimbursements, each with its partner, by partner name."""
    return (
        await Reimbursement.filter(period_id=period_id)
        .select_related("partner")
        .order_by("partner__trade_name", "reference")
    )


async def partner_gaps(gaps: list[reconciliation.Discrepancy]) -> list[PartnerGap]:
    names = dict(
        await Partner.filter(id__in=reconciliation.partner_ids(gaps)).values_list(
            "id", "trade_name"
        )
    )
    return [
        PartnerGap(
            partner_id=UUID(g.partner_id),
            partner_name=names.get(UUID(g.partner_id), ""),
            ledger_cents=g.ledger_cents,
            from_transactions_cents=g.from_transactions_cents,
            from_reimbursements_cents=g.from_reimbursements_cents,
        )
        for g in gaps
    ]


async def period_gaps(period: ReimbursementPeriod) -> list[PartnerGap]:
    """The gaps the reconciliation found when the period was closed."""
    return await partner_gaps(
        [reconciliation.Discrepancy(**gap) for gap in period.discrepancies or []]
    )


async def reconciliation_check(info: Info) -> ReconciliationFigures:
    """The three records compared now: what would stop a payment batch."""
    found = await reconciliation.check()
    return ReconciliationFigures(
        partners_count=found.partners_count,
        ledger_cents=found.ledger_cents,
        from_transactions_cents=found.from_transactions_cents,
        from_reimbursements_cents=found.from_reimbursements_cents,
        gaps=await partner_gaps(found.gaps),
    )


async def bank_details_waiting(info: Info, first: int) -> list[BankDetailsChange]:
    """Bank details changes waiting for validation (the fraud hold), across partners."""
    found = await bank_details.waiting(max(1, min(first, MAX_WAITING_BANK_DETAILS)))
    current = {
        d.partner_id: d
        for d in await BankDetails.filter(
            partner_id__in=[d.partner_id for d in found],
            status=BankDetailsStatus.VALIDATED,
        )
    }
    return [BankDetailsChange(d, d.partner, current.get(d.partner_id)) for d in found]
