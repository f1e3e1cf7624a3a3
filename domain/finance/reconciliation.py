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

from domain.core import sql

TRANSACTIONS = """
SELECT partner_id, SUM(amount_cents) AS debits,
       SUM(CASE WHEN status <> 'completed' THEN amount_cents ELSE 0 END) AS reversed
FROM card_transactions GROUP BY partner_id
"""
LEDGER = """
SELECT a.partner_id, SUM(e.amount_cents) AS balance
FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
WHERE a.kind = 'partner_payable' GROUP BY a.partner_id
"""
REIMBURSEMENTS = """
SELECT partner_id,
       SUM(CASE WHEN status = 'paid' THEN amount_cents ELSE 0 END) AS paid,
       SUM(CASE WHEN status IN ('pending', 'in_batch')
                  OR (status = 'rejected' AND carried_over_to_id IS NULL)
                THEN amount_cents ELSE 0 END) AS unpaid
FROM reimbursements GROUP BY partner_id
"""
UNASSIGNED = """
SELECT t.partner_id, SUM(t.amount_cents) AS unassigned
FROM card_transactions t
WHERE t.status = 'completed'
  AND NOT EXISTS (SELECT 1 FROM reimbursement_lines l WHERE l.transaction_id = t.id)
GROUP BY t.partner_id
"""
REVERSED_NOT_TAKEN_BACK = """
SELECT t.partner_id, SUM(t.amount_cents) AS to_take_back
FROM card_transactions t JOIN reimbursement_lines l ON l.transaction_id = t.id
WHERE t.reversed_at IS NOT NULL AND t.status <> 'completed'
  AND NOT EXISTS (SELECT 1 FROM reimbursement_adjustments a WHERE a.transaction_id = t.id)
GROUP BY t.partner_id
"""


@dataclass(frozen=True)
class Discrepancy:
    partner_id: str
    ledger_cents: int
    from_transactions_cents: int
    from_reimbursements_cents: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


async def _by_partner(query: str) -> dict[str, dict[str, int]]:
    return {
        str(sql.as_uuid(row["partner_id"])): {
            k: int(v or 0) for k, v in row.items() if k != "partner_id"
        }
        for row in await sql.rows(query)
    }


async def discrepancies() -> list[Discrepancy]:
    """Every partner whose figures disagree; run inside sql.snapshot() for a consistent view."""
    transactions = await _by_partner(TRANSACTIONS)
    ledger = await _by_partner(LEDGER)
    reimbursements = await _by_partner(REIMBURSEMENTS)
    unassigned = await _by_partner(UNASSIGNED)
    to_take_back = await _by_partner(REVERSED_NOT_TAKEN_BACK)
    gaps = []
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
        if not balance == from_transactions == from_reimbursements:
            gaps.append(Discrepancy(partner, balance, from_transactions, from_reimbursements))
    return gaps


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
