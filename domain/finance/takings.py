"""A partner's takings as its dashboard shows them: today's and the current fortnight's,
per wallet, transactions cancelled or regularised left out (they are not reimbursed); and
the next reimbursement the département will pay it.

Days and fortnights are Paris days (domain/finance/periods.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from tortoise.functions import Count, Sum

from domain.core import clock
from domain.finance.periods import Fortnight, fortnight_of
from models.cards import SchoolYearWallet
from models.finance import PaymentBatch, Reimbursement, ReimbursementStatus
from models.transactions import CardTransaction, TransactionStatus


@dataclass(frozen=True)
class WalletTakings:
    kind: str
    label: str
    transactions_count: int
    amount_cents: int


@dataclass(frozen=True)
class Takings:
    starts_on: date
    ends_on: date
    wallets: list[WalletTakings]

    @property
    def transactions_count(self) -> int:
        return sum(w.transactions_count for w in self.wallets)

    @property
    def amount_cents(self) -> int:
        return sum(w.amount_cents for w in self.wallets)


@dataclass(frozen=True)
class PartnerTakings:
    today: Takings
    fortnight: Takings


@dataclass(frozen=True)
class NextReimbursement:
    """The oldest reimbursement not paid yet, or the fortnight under way when none is due."""

    reference: str | None
    period_starts_on: date
    period_ends_on: date
    amount_cents: int | None  # null: the fortnight is not closed yet
    status: ReimbursementStatus | None
    transfer_on: date | None  # the payment batch's execution date, once in one


async def _labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for kind, label in await SchoolYearWallet.all().order_by("id").values_list("kind", "label"):
        labels.setdefault(str(kind), str(label))
    return labels


async def _takings(partner_id: UUID, starts_on: date, ends_on: date) -> Takings:
    # In UTC, as stored: SQLite compares instants as text.
    start = datetime.combine(starts_on, time(0), clock.PARIS).astimezone(UTC)
    end = datetime.combine(ends_on + timedelta(days=1), time(0), clock.PARIS).astimezone(UTC)
    rows = (
        await CardTransaction.filter(
            partner_id=partner_id,
            created_at__gte=start,
            created_at__lt=end,
            status=TransactionStatus.COMPLETED,
        )
        .annotate(count=Count("id"), cents=Sum("amount_cents"))
        .group_by("wallet_kind")
        .values("wallet_kind", "count", "cents")
    )
    labels = await _labels() if rows else {}
    wallets = [
        WalletTakings(
            kind=str(row["wallet_kind"]),
            label=labels.get(str(row["wallet_kind"]), str(row["wallet_kind"])),
            transactions_count=int(row["count"] or 0),
            amount_cents=int(row["cents"] or 0),
        )
        for row in sorted(rows, key=lambda r: str(r["wallet_kind"]))
    ]
    return Takings(starts_on, ends_on, wallets)


async def partner_takings(partner_id: UUID, today: date | None = None) -> PartnerTakings:
    day = today or clock.paris_today()
    fortnight = fortnight_of(day)
    return PartnerTakings(
        today=await _takings(partner_id, day, day),
        fortnight=await _takings(partner_id, fortnight.starts_on, fortnight.ends_on),
    )


async def next_reimbursement(partner_id: UUID, today: date | None = None) -> NextReimbursement:
    due = (
        await Reimbursement.filter(
            partner_id=partner_id,
            status__in=(ReimbursementStatus.PENDING, ReimbursementStatus.IN_BATCH),
        )
        .select_related("period")
        .order_by("period__starts_on", "id")
        .first()
    )
    if due is None:
        current: Fortnight = fortnight_of(today or clock.paris_today())
        return NextReimbursement(None, current.starts_on, current.ends_on, None, None, None)
    batch = await PaymentBatch.get_or_none(id=due.batch_id) if due.batch_id else None
    return NextReimbursement(
        reference=due.reference,
        period_starts_on=due.period.starts_on,
        period_ends_on=due.period.ends_on,
        amount_cents=due.amount_cents,
        status=due.status,
        transfer_on=batch.execution_date if batch else None,
    )
