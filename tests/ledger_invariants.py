"""The invariants every money test checks afterwards."""

from __future__ import annotations

from tortoise import Tortoise


async def assert_ledger_invariants() -> None:
    connection = Tortoise.get_connection("default")
    total = await connection.execute_query_dict(
        "SELECT COALESCE(SUM(amount_cents), 0) AS total FROM ledger_entries"
    )
    assert int(total[0]["total"]) == 0, "the ledger does not sum to zero"
    unbalanced = await connection.execute_query_dict(
        "SELECT ledger_transaction_id FROM ledger_entries GROUP BY ledger_transaction_id "
        "HAVING SUM(amount_cents) <> 0"
    )
    assert unbalanced == [], f"unbalanced ledger transactions: {unbalanced}"
    drifted = await connection.execute_query_dict(
        "SELECT a.id, a.balance_cents, COALESCE(SUM(e.amount_cents), 0) AS entries "
        "FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id "
        "WHERE a.kind = 'wallet' GROUP BY a.id, a.balance_cents "
        "HAVING a.balance_cents <> COALESCE(SUM(e.amount_cents), 0)"
    )
    assert drifted == [], f"wallet balances differ from their entries: {drifted}"
    negative = await connection.execute_query_dict(
        "SELECT id FROM ledger_accounts WHERE kind = 'wallet' AND balance_cents < 0"
    )
    assert negative == []
    await assert_payables_reconcile()


async def assert_payables_reconcile() -> None:
    """Every partner's payable balance agrees with its transactions and its reimbursements
    (domain/finance/reconciliation.py: debits − reversals − paid = ledger = unpaid + unassigned −
    reversed not yet taken back)."""
    from domain.core.transactions import snapshot
    from domain.finance import reconciliation

    async with snapshot():
        gaps = await reconciliation.discrepancies()
    assert gaps == [], f"payable accounts that do not reconcile: {gaps[:5]}"
