"""The physical limit: a debit's writes as bare SQL, with asyncpg and no framework.

One database transaction per debit, as domain/card_transactions._record_debit writes it:
the conditional wallet UPDATE (RETURNING the new balance, which the API reads with a
SELECT), the ledger transaction, its two entries (checked balanced by the deferred
trigger at COMMIT), the card transaction, the audit entry and the notification.
None of the API's reads (session, delegations, partner, card, wallet, replay check).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from benchmarks._cpu import CpuMeter
from benchmarks._load import percentile
from domain.card_codes import ALPHABET

WALLET = "SPORT_CULTURE_LOISIRS"
AMOUNT_CENTS = 1

CARDS = """
SELECT c.id AS card_id, c.code, w.id AS wallet_id, b.user_id
FROM cards c
JOIN beneficiaries b ON b.id = c.beneficiary_id
JOIN ledger_accounts w ON w.kind = 'wallet' AND w.beneficiary_id = b.id
                      AND w.school_year_id = c.school_year_id AND w.wallet_kind = $1
WHERE c.status = 'active' AND b.user_id IS NOT NULL
"""
TILLS = """
SELECT p.id AS partner_id, p.trade_name, d.user_id, a.id AS payable_id
FROM delegates d
JOIN users u ON u.id = d.user_id
JOIN partners p ON p.id = d.partner_id
JOIN ledger_accounts a ON a.kind = 'partner_payable' AND a.partner_id = p.id
WHERE u.email = ANY($1::text[])
"""
MOVE_WALLET = """
UPDATE ledger_accounts SET balance_cents = balance_cents - $2
WHERE id = $1 AND kind = 'wallet' AND balance_cents >= $2
RETURNING balance_cents
"""
POST = """
INSERT INTO ledger_transactions (kind, description, created_at)
VALUES ('card_debit', $1, now()) RETURNING id
"""
ENTRIES = """
INSERT INTO ledger_entries (ledger_transaction_id, account_id, amount_cents, created_at)
VALUES ($1, $2, $3, now()), ($1, $4, $5, now())
"""
CARD_TRANSACTION = """
INSERT INTO card_transactions (id, reference, partner_id, delegate_user_id, card_id, wallet_id,
  wallet_kind, amount_cents, status, idempotency_key, request_fingerprint,
  ledger_transaction_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'completed', $9, $10, $11, now())
"""
AUDIT = """
INSERT INTO audit_entries (occurred_at, actor_id, actor_kind, partner_id, action, object_type,
  object_id, after, client_address)
VALUES (now(), $1, 'delegate', $2, 'transaction.debited', 'CardTransaction', $3, $4,
  '127.0.0.1')
"""
NOTIFY = """
INSERT INTO notifications (id, user_id, kind, title, body, data, created_at)
VALUES ($1, $2, 'card_debit', 'Paiement avec ta carte CJeune', $3, $4, now())
"""


@dataclass(frozen=True)
class CardRow:
    card_id: uuid.UUID
    code: str
    wallet_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True)
class TillRow:
    partner_id: uuid.UUID
    trade_name: str
    user_id: uuid.UUID
    payable_id: uuid.UUID


async def debit(connection: asyncpg.Connection, card: CardRow, till: TillRow) -> bool:
    reference = "T" + "".join(secrets.choice(ALPHABET) for _ in range(11))
    key = uuid.uuid4().hex
    fingerprint = hashlib.sha256(f"{card.code}|{WALLET}|{AMOUNT_CENTS}".encode()).hexdigest()
    transaction_id = uuid.uuid4()
    async with connection.transaction():
        balance = await connection.fetchval(MOVE_WALLET, card.wallet_id, AMOUNT_CENTS)
        if balance is None:
            return False  # insufficient balance: nothing written
        posted = await connection.fetchval(POST, f"Débit {reference} chez {till.trade_name}"[:200])
        await connection.execute(
            ENTRIES, posted, card.wallet_id, -AMOUNT_CENTS, till.payable_id, AMOUNT_CENTS
        )
        await connection.execute(
            CARD_TRANSACTION,
            transaction_id,
            reference,
            till.partner_id,
            till.user_id,
            card.card_id,
            card.wallet_id,
            WALLET,
            AMOUNT_CENTS,
            key,
            fingerprint,
            posted,
        )
        await connection.execute(
            AUDIT,
            till.user_id,
            till.partner_id,
            str(transaction_id),
            json.dumps({"reference": reference, "amountCents": AMOUNT_CENTS, "wallet": WALLET}),
        )
        await connection.execute(
            NOTIFY,
            uuid.uuid4(),
            card.user_id,
            f"{till.trade_name} a débité 0,01 €. Il te reste {balance / 100:.2f} € "
            "sur ce porte-monnaie.",
            json.dumps(
                {
                    "transactionId": str(transaction_id),
                    "amountCents": AMOUNT_CENTS,
                    "balanceCents": balance,
                    "wallet": WALLET,
                }
            ),
        )
    return True


async def measure(
    database_url: str,
    cashier_emails: list[str],
    connections: int,
    duration: float,
    meter: CpuMeter,
) -> dict[str, Any]:
    """Debits per second with `connections` connections each debiting in a loop."""
    dsn = "postgresql://" + database_url.split("://", 1)[1]
    pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)
    try:
        cards = [CardRow(**dict(r)) for r in await pool.fetch(CARDS, WALLET)]
        tills = [TillRow(**dict(r)) for r in await pool.fetch(TILLS, cashier_emails)]
        if not cards or not tills:
            raise RuntimeError("bare SQL: no card or no till found in the bench database")
        latencies: list[float] = []
        refused = 0

        async def worker(deadline: float) -> None:
            nonlocal refused
            async with pool.acquire() as connection:
                while time.perf_counter() < deadline:
                    started = time.perf_counter()
                    if await debit(connection, random.choice(cards), random.choice(tills)):
                        latencies.append(time.perf_counter() - started)
                    else:
                        refused += 1

        # A short warm-up prepares every connection's statements.
        await asyncio.gather(*(worker(time.perf_counter() + 1.0) for _ in range(connections)))
        latencies.clear()
        before = meter.snapshot()  # while the backends live: their CPU dies with them
        started = time.perf_counter()
        await asyncio.gather(*(worker(started + duration) for _ in range(connections)))
        elapsed = time.perf_counter() - started
        cores = meter.cores(before, meter.snapshot())
    finally:
        await pool.close()
    ordered = sorted(x * 1000 for x in latencies)
    return {
        "connections": connections,
        "debits": len(latencies),
        "refused": refused,
        "debits_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(ordered, 50), 2) if ordered else None,
        "p99_ms": round(percentile(ordered, 99), 2) if ordered else None,
        "client_cpu_cores": cores["bench_cpu_cores"],
        "postgres_cpu_cores": cores["postgres_cpu_cores"],
        "others_cpu_cores": cores["others_cpu_cores"],
        "machine_cpu_cores": cores["machine_cpu_cores"],
    }
