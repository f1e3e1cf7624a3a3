"""The bordereaux: the transactions of a reimbursement, or of any date range, grouped by type
of advantage (wallet) with subtotals and the total; reversed transactions listed apart.

Each line: date and time in Paris, reference, masked card code, the beneficiary's initials,
wallet, amount and the delegate who recorded it. Rendered as PDF and CSV elsewhere
(domain/finance/statement_pdf.py, domain/finance/statement_csv.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.cards import codes as card_codes
from domain.core import clock
from domain.core.errors import invalid, not_found
from domain.finance import queries
from domain.finance.periods import fortnight_of
from models.cards import SchoolYearWallet
from models.finance import Reimbursement
from models.partners import Partner

MAX_RANGE_DAYS = 366
STATUS_LABELS = {
    "completed": "Validée",
    "cancelled": "Annulée",
    "regularized": "Régularisée",
}


@dataclass(frozen=True)
class StatementLine:
    at: datetime  # Paris time
    reference: str
    masked_card: str
    initials: str
    wallet_kind: str
    wallet_label: str
    amount_cents: int
    delegate: str
    status: str


@dataclass(frozen=True)
class WalletGroup:
    kind: str
    label: str
    lines: list[StatementLine]

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


@dataclass
class Statement:
    title: str
    partner: Partner
    period_label: str
    groups: list[WalletGroup]
    reversed: list[StatementLine] = field(default_factory=list)  # listed apart, not counted
    adjustments: list[StatementLine] = field(default_factory=list)  # taken back (negative)
    reference: str | None = None
    carried_in_cents: int = 0
    status: str | None = None

    @property
    def lines_count(self) -> int:
        return sum(len(g.lines) for g in self.groups)

    @property
    def transactions_cents(self) -> int:
        return sum(g.total_cents for g in self.groups)

    @property
    def total_cents(self) -> int:
        taken_back = sum(line.amount_cents for line in self.adjustments)
        return self.transactions_cents + taken_back + self.carried_in_cents

    @property
    def file_stem(self) -> str:
        return f"bordereau-{(self.reference or self.period_label).lower()}".replace(" ", "-")


def _instant(value: str | datetime) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(clock.PARIS)


def _initials(first: str, last: str) -> str:
    return f"{(first or '?')[:1].upper()}. {(last or '?')[:1].upper()}."


async def _lines(rows: list[dict[str, Any]], sign: int = 1) -> list[StatementLine]:
    labels = dict(await SchoolYearWallet.all().values_list("kind", "label"))
    return [
        StatementLine(
            at=_instant(row["created_at"]),
            reference=row["reference"],
            masked_card=card_codes.mask_code(row["code"]),
            initials=_initials(row["first_name"], row["last_name"]),
            wallet_kind=row["wallet_kind"],
            wallet_label=labels.get(row["wallet_kind"], row["wallet_kind"]),
            amount_cents=sign * int(row["amount_cents"]),
            delegate=f"{row['delegate_first']} {row['delegate_last']}",
            status=STATUS_LABELS.get(row["status"], row["status"]),
        )
        for row in rows
    ]


def _grouped(lines: list[StatementLine]) -> list[WalletGroup]:
    by_kind: dict[str, list[StatementLine]] = defaultdict(list)
    for line in lines:
        by_kind[line.wallet_kind].append(line)
    return [
        WalletGroup(kind, groups[0].wallet_label, groups)
        for kind, groups in sorted(by_kind.items())
    ]


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first, datetime.min.time(), clock.PARIS)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), clock.PARIS)
    return start.astimezone(UTC), end.astimezone(UTC)


async def of_reimbursement(partner_id: UUID, reimbursement_id: UUID) -> Statement:
    reimbursement = await Reimbursement.get_or_none(
        id=reimbursement_id, partner_id=partner_id
    ).select_related("partner", "period")
    if reimbursement is None:
        raise not_found("Remboursement")
    fortnight = fortnight_of(reimbursement.period.starts_on)
    start, end = _bounds(fortnight.starts_on, fortnight.ends_on)
    return Statement(
        title="Bordereau de remboursement",
        partner=reimbursement.partner,
        period_label=fortnight.label,
        groups=_grouped(await _lines(await queries.reimbursed_lines(reimbursement.id))),
        reversed=await _lines(await queries.reversed_unassigned_lines(partner_id, start, end)),
        adjustments=await _lines(await queries.taken_back_lines(reimbursement.id), sign=-1),
        reference=reimbursement.reference,
        carried_in_cents=reimbursement.carried_in_cents,
        status=reimbursement.status.value,
    )


def check_range(first: date, last: date) -> None:
    if last < first:
        raise invalid("to", "La date de fin précède la date de début.")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise invalid("to", "Un bordereau couvre au plus un an.")


async def of_range(partner_id: UUID, first: date, last: date) -> Statement:
    check_range(first, last)
    partner = await Partner.get_or_none(id=partner_id)
    if partner is None:
        raise not_found("Partenaire")
    start, end = _bounds(first, last)
    every = await _lines(await queries.lines_in_range(partner_id, start, end))
    return Statement(
        title="Bordereau des transactions",
        partner=partner,
        period_label=f"du {first:%d/%m/%Y} au {last:%d/%m/%Y}",
        groups=_grouped([line for line in every if line.status == "Validée"]),
        reversed=[line for line in every if line.status != "Validée"],
    )
