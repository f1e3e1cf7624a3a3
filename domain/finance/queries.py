"""The hand-written SQL of finance: closing a period, the bordereaux, the reconciliation,
the daily collection and the payment batches.

Set-based statements (closing a period touches a million rows), written once with
PostgreSQL's `$1` placeholders and run on PostgreSQL or SQLite (models/sql.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from models import sql

# --- closing a period (domain/finance/reimbursements.py) ---------------------------------

# Debits of the period (or committed late, after the previous period closed) not yet assigned.
_TO_ASSIGN = """
FROM card_transactions t
WHERE t.status = 'completed' AND t.created_at >= $1 AND t.created_at < $2
  AND NOT EXISTS (SELECT 1 FROM reimbursement_lines l WHERE l.transaction_id = t.id)
"""
# Reimbursed debits reversed since (a regularisation after the day of the debit).
_TO_TAKE_BACK = """
FROM card_transactions t JOIN reimbursement_lines l ON l.transaction_id = t.id
WHERE t.reversed_at IS NOT NULL AND t.status <> 'completed'
  AND NOT EXISTS (SELECT 1 FROM reimbursement_adjustments a WHERE a.transaction_id = t.id)
"""
PARTNERS_TO_REIMBURSE = (
    f"SELECT DISTINCT t.partner_id {_TO_ASSIGN} UNION SELECT t.partner_id {_TO_TAKE_BACK}"
)
# The unique index on the debit skips those already assigned (looked for again as possible
# late commits): no anti-join on the table being filled, which PostgreSQL may plan as a scan
# of its own growing rows for each debit.
ASSIGN = """
INSERT INTO reimbursement_lines (reimbursement_id, transaction_id, wallet_kind, amount_cents,
                                 created_at)
SELECT r.id, t.id, t.wallet_kind, t.amount_cents, $4
FROM card_transactions t
JOIN reimbursements r ON r.partner_id = t.partner_id AND r.period_id = $3
WHERE t.status = 'completed' AND t.created_at >= $1 AND t.created_at < $2
ON CONFLICT (transaction_id) DO NOTHING
"""
TAKE_BACK = """
INSERT INTO reimbursement_adjustments (reimbursement_id, transaction_id, amount_cents, created_at)
SELECT r.id, t.id, -t.amount_cents, $2
FROM card_transactions t
JOIN reimbursement_lines l ON l.transaction_id = t.id
JOIN reimbursements r ON r.partner_id = t.partner_id AND r.period_id = $1
WHERE t.reversed_at IS NOT NULL AND t.status <> 'completed'
  AND NOT EXISTS (SELECT 1 FROM reimbursement_adjustments a WHERE a.transaction_id = t.id)
"""
WALLET_TOTALS = """
INSERT INTO reimbursement_wallet_totals (reimbursement_id, wallet_kind, transactions_count,
                                         amount_cents)
SELECT l.reimbursement_id, l.wallet_kind, COUNT(*), SUM(l.amount_cents)
FROM reimbursement_lines l JOIN reimbursements r ON r.id = l.reimbursement_id
WHERE r.period_id = $1
GROUP BY l.reimbursement_id, l.wallet_kind
"""
TOTALS = """
UPDATE reimbursements SET
  lines_count = (SELECT COUNT(*) FROM reimbursement_lines l
                 WHERE l.reimbursement_id = reimbursements.id),
  lines_cents = COALESCE((SELECT SUM(l.amount_cents) FROM reimbursement_lines l
                          WHERE l.reimbursement_id = reimbursements.id), 0),
  adjustments_cents = COALESCE((SELECT SUM(a.amount_cents) FROM reimbursement_adjustments a
                                WHERE a.reimbursement_id = reimbursements.id), 0),
  amount_cents = carried_in_cents
    + COALESCE((SELECT SUM(l.amount_cents) FROM reimbursement_lines l
                WHERE l.reimbursement_id = reimbursements.id), 0)
    + COALESCE((SELECT SUM(a.amount_cents) FROM reimbursement_adjustments a
                WHERE a.reimbursement_id = reimbursements.id), 0)
WHERE period_id = $1
"""
PERIOD_REIMBURSEMENTS = """
SELECT COUNT(*) AS n, COALESCE(SUM(lines_count), 0) AS lines,
       COALESCE(SUM(amount_cents), 0) AS total
FROM reimbursements WHERE period_id = $1
"""
PERIOD_ADJUSTMENTS = """
SELECT COUNT(*) AS n FROM reimbursement_adjustments a
JOIN reimbursements r ON r.id = a.reimbursement_id WHERE r.period_id = $1
"""


async def partners_to_reimburse(since: datetime, until: datetime) -> list[UUID]:
    """Partners with debits to assign in [since, until) or reimbursed debits reversed since."""
    return [
        sql.as_uuid(r["partner_id"]) for r in await sql.rows(PARTNERS_TO_REIMBURSE, since, until)
    ]


async def refresh_statistics(table: str) -> None:
    """PostgreSQL: fresh statistics of a table just filled in the transaction (SQLite: none)."""
    if sql.is_postgres():
        await sql.execute(f"ANALYZE {table}")


async def assign_debits(period_id: UUID, since: datetime, until: datetime, at: datetime) -> None:
    await sql.execute(ASSIGN, since, until, period_id, at)


async def take_back_reversed(period_id: UUID, at: datetime) -> None:
    await sql.execute(TAKE_BACK, period_id, at)


async def write_wallet_totals(period_id: UUID) -> None:
    await sql.execute(WALLET_TOTALS, period_id)


async def write_totals(period_id: UUID) -> None:
    await sql.execute(TOTALS, period_id)


async def period_counts(period_id: UUID) -> tuple[int, int, int, int]:
    """(reimbursements, lines, adjustments, total cents) of a period."""
    [row] = await sql.rows(PERIOD_REIMBURSEMENTS, period_id)
    [adjustments] = await sql.rows(PERIOD_ADJUSTMENTS, period_id)
    return int(row["n"]), int(row["lines"]), int(adjustments["n"]), int(row["total"])


# --- the bordereaux (domain/finance/statements.py) ---------------------------------------

_COLUMNS = """
SELECT t.created_at, t.reference, c.code, b.first_name, b.last_name, t.wallet_kind,
       t.amount_cents, t.status, u.first_name AS delegate_first, u.last_name AS delegate_last
FROM card_transactions t
JOIN cards c ON c.id = t.card_id
JOIN beneficiaries b ON b.id = c.beneficiary_id
JOIN users u ON u.id = t.delegate_user_id
"""
_ORDER = " ORDER BY t.wallet_kind, t.created_at, t.reference"
LINES_OF_REIMBURSEMENT = (
    _COLUMNS + " JOIN reimbursement_lines l ON l.transaction_id = t.id "
    "WHERE l.reimbursement_id = $1" + _ORDER
)
ADJUSTMENTS_OF_REIMBURSEMENT = (
    _COLUMNS + " JOIN reimbursement_adjustments a ON a.transaction_id = t.id "
    "WHERE a.reimbursement_id = $1" + _ORDER
)
# Reversed within the period: never reimbursed, listed apart.
REVERSED_UNASSIGNED = (
    _COLUMNS + " WHERE t.partner_id = $1 AND t.created_at >= $2 AND t.created_at < $3 "
    "AND t.status <> 'completed' "
    "AND NOT EXISTS (SELECT 1 FROM reimbursement_lines l WHERE l.transaction_id = t.id)" + _ORDER
)
IN_RANGE = (
    _COLUMNS + " WHERE t.partner_id = $1 AND t.created_at >= $2 AND t.created_at < $3" + _ORDER
)


async def reimbursed_lines(reimbursement_id: UUID) -> list[dict[str, Any]]:
    return await sql.rows(LINES_OF_REIMBURSEMENT, reimbursement_id)


async def taken_back_lines(reimbursement_id: UUID) -> list[dict[str, Any]]:
    return await sql.rows(ADJUSTMENTS_OF_REIMBURSEMENT, reimbursement_id)


async def reversed_unassigned_lines(
    partner_id: UUID, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    return await sql.rows(REVERSED_UNASSIGNED, partner_id, start, end)


async def lines_in_range(partner_id: UUID, start: datetime, end: datetime) -> list[dict[str, Any]]:
    return await sql.rows(IN_RANGE, partner_id, start, end)


# --- the reconciliation (domain/finance/reconciliation.py) -------------------------------

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

PartnerFigures = dict[str, dict[str, int]]  # partner id -> figure name -> cents


async def _by_partner(query: str) -> PartnerFigures:
    return {
        str(sql.as_uuid(row["partner_id"])): {
            k: int(v or 0) for k, v in row.items() if k != "partner_id"
        }
        for row in await sql.rows(query)
    }


async def transaction_figures() -> PartnerFigures:
    """`debits` and `reversed` per partner."""
    return await _by_partner(TRANSACTIONS)


async def ledger_figures() -> PartnerFigures:
    """`balance` of each partner's payable account."""
    return await _by_partner(LEDGER)


async def reimbursement_figures() -> PartnerFigures:
    """`paid` and `unpaid` per partner."""
    return await _by_partner(REIMBURSEMENTS)


async def unassigned_figures() -> PartnerFigures:
    """`unassigned`: completed debits not yet in a reimbursement."""
    return await _by_partner(UNASSIGNED)


async def to_take_back_figures() -> PartnerFigures:
    """`to_take_back`: reimbursed debits reversed and not yet taken back."""
    return await _by_partner(REVERSED_NOT_TAKEN_BACK)


# --- the daily collection (domain/finance/daily_collection.py) ---------------------------

DAY_TRANSACTIONS = """
SELECT t.partner_id, t.created_at, t.reference, t.wallet_kind, t.amount_cents, t.status, c.code
FROM card_transactions t JOIN cards c ON c.id = t.card_id
WHERE t.created_at >= $1 AND t.created_at < $2
ORDER BY t.partner_id, t.created_at, t.reference
"""


async def transactions_between(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Every transaction of [start, end), by partner then time."""
    return await sql.rows(DAY_TRANSACTIONS, start, end)


# --- the payment batches (domain/finance/payment_batches.py) -----------------------------

# Each reimbursement of the batch recomputed from its lines, adjustments and carried amounts.
MISCOMPUTED = """
SELECT r.reference FROM reimbursements r
WHERE r.batch_id = $1 AND (
  r.lines_cents <> COALESCE((SELECT SUM(l.amount_cents) FROM reimbursement_lines l
                             WHERE l.reimbursement_id = r.id), 0)
  OR r.adjustments_cents <> COALESCE((SELECT SUM(a.amount_cents) FROM reimbursement_adjustments a
                                      WHERE a.reimbursement_id = r.id), 0)
  OR r.carried_in_cents <> COALESCE((SELECT SUM(c.amount_cents) FROM reimbursements c
                                     WHERE c.carried_over_to_id = r.id), 0)
  OR r.amount_cents <> r.lines_cents + r.adjustments_cents + r.carried_in_cents)
"""
# Into the batch, with the validated details the transfer goes to (read in the same snapshot
# as the choice of payable partners).
_IN_BATCH = """
UPDATE reimbursements SET status = 'in_batch', batch_id = {batch},
  bank_details_id = (SELECT b.id FROM bank_details b
                     WHERE b.partner_id = reimbursements.partner_id AND b.status = 'validated')
WHERE {chosen}
"""
CHUNK = 500  # ids per statement: SQLite accepts 999 variables


async def miscomputed_references(batch_id: UUID) -> list[str]:
    return [r["reference"] for r in await sql.rows(MISCOMPUTED, batch_id)]


async def put_in_batch(batch_id: UUID, reimbursement_ids: Sequence[UUID]) -> None:
    for start in range(0, len(reimbursement_ids), CHUNK):
        statement = sql.Sql()
        text = _IN_BATCH.format(
            batch=statement(batch_id),
            chosen=statement.one_of("id", reimbursement_ids[start : start + CHUNK]),
        )
        await statement.execute(text)
