"""The physical limit: a debit's writes as bare SQL, with asyncpg and no framework.

The very statement the API sends on PostgreSQL (domain/cards/queries.py), with the same
values: the conditional wallet UPDATE, the ledger transaction, its two entries (checked
balanced by the deferred trigger at commit), the card transaction, the audit entry and
the notification, in one round trip. None of the API's reads (session, delegations,
card and wallets, replay check).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from benchmarks._cpu import CpuMeter
from benchmarks._load import percentile
from domain.cards.codes import ALPHABET
from domain.cards.queries import DebitRows, debit_parameters, debit_statement

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
    """The API's debit statement with the values the API would send, straight to asyncpg."""
    reference = "T" + "".join(secrets.choice(ALPHABET) for _ in range(11))
    rows = DebitRows(
        transaction_id=uuid.uuid4(),
        reference=reference,
        partner_id=till.partner_id,
        delegate_user_id=till.user_id,
        card_id=card.card_id,
        wallet_id=card.wallet_id,
        payable_id=till.payable_id,
        wallet_kind=WALLET,
        amount_cents=AMOUNT_CENTS,
        idempotency_key=uuid.uuid4().hex,
        fingerprint=hashlib.sha256(f"{card.code}|{WALLET}|{AMOUNT_CENTS}".encode()).hexdigest(),
        ledger_description=f"Débit {reference} chez {till.trade_name}",
        at=datetime.now(UTC),
        actor_kind="delegate",
        client_address="127.0.0.1",
        audit_after={"reference": reference, "amountCents": AMOUNT_CENTS, "wallet": WALLET},
        holder_user_id=card.user_id,
        audit_action="transaction.debited",
        notification_id=uuid.uuid4(),
        notification_kind="card_debit",
        notification_title="Paiement avec ta carte CJeune",
        body_before_balance=f"{till.trade_name} a débité 0,01 €. Il te reste ",
        body_after_balance=" sur ce porte-monnaie.",
    )
    return bool(await connection.fetch(debit_statement(), *debit_parameters(rows)))


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
