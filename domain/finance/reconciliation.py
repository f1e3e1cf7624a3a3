"""The figures add up: for every partner, three independent records must agree.

- the ledger: the balance of the partner's payable account (what the département owes);
- the transactions: debits − reversals (cancellations, regularisations) − reimbursements paid;
- the reimbursements: those not yet paid (pending, in a batch, or rejected and not yet
  carried over) + completed debits not yet assigned − reversed debits already assigned
  and not yet taken back by an adjustment.

Any gap stops the payment batches until it is explained and corrected.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from domain.core.transactions import snapshot
from domain.finance import queries


@dataclass(frozen=True)
class Discrepancy:
    """One partner's three figures (a gap when they disagree)."""

    partner_id: str
    ledger_cents: int
    from_transactions_cents: int
    from_reimbursements_cents: int

    @property
    def adds_up(self) -> bool:
        return self.ledger_cents == self.from_transactions_cents == self.from_reimbursements_cents

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Check:
    """The check run now, for the finance staff: the totals of the three records over every
    partner, and the partners whose figures disagree."""

    partners_count: int
    ledger_cents: int
    from_transactions_cents: int
    from_reimbursements_cents: int
    gaps: list[Discrepancy]


async def figures() -> list[Discrepancy]:
    """Every partner's three figures; run inside snapshot() for a consistent view."""
    transactions = await queries.transaction_figures()
    ledger = await queries.ledger_figures()
    reimbursements = await queries.reimbursement_figures()
    unassigned = await queries.unassigned_figures()
    to_take_back = await queries.to_take_back_figures()
    found = []
    for partner in sorted({*transactions, *ledger, *reimbursements}):
        t = transactions.get(partner, {})
        r = reimbursements.get(partner, {})
        balance = ledger.get(partner, {}).get("balance", 0)
        from_transactions = t.get("debits", 0) - t.get("reversed", 0) - r.get("paid", 0)
        from_reimbursements = (
            r.get("unpaid", 0)
            + unassigned.get(partner, {}).get("unassigned", 0)
            - to_take_back.get(partner, {}).get("to_take_back", 0)
        )
        found.append(Discrepancy(partner, balance, from_transactions, from_reimbursements))
    return found


async def discrepancies() -> list[Discrepancy]:
    """Every partner whose figures disagree; run inside snapshot() for a consistent view."""
    return [f for f in await figures() if not f.adds_up]


async def check() -> Check:
    async with snapshot():
        found = await figures()
    return Check(
        partners_count=len(found),
        ledger_cents=sum(f.ledger_cents for f in found),
        from_transactions_cents=sum(f.from_transactions_cents for f in found),
        from_reimbursements_cents=sum(f.from_reimbursements_cents for f in found),
        gaps=[f for f in found if not f.adds_up],
    )


def describe(gaps: list[Discrepancy]) -> str:
    first = gaps[0]
    return (
        f"Les comptes ne concordent pas pour {len(gaps)} partenaire(s) "
        f"(premier : {first.partner_id}, grand livre {first.ledger_cents} c, "
        f"transactions {first.from_transactions_cents} c, "
        f"remboursements {first.from_reimbursements_cents} c) : aucun virement avant correction."
    )


def partner_ids(gaps: list[Discrepancy]) -> list[UUID]:
    return [UUID(g.partner_id) for g in gaps]
