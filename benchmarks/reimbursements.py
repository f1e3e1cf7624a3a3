"""Reimbursements at the département's scale: close a fortnight of a million debits by 3,000
partners and write its SEPA file, then render a 10,000-line statement as PDF and CSV.

    uv run python benchmarks/reimbursements.py                # 3,000 partners, 1,000,000 debits
    uv run python benchmarks/reimbursements.py --partners 30 --debits 20000 --statement-lines 500

Seeds a throwaway PostgreSQL database with bulk SQL (generate_series, rows that hold
together: every debit has its ledger transaction, wallet and payable entries, 1 % are
cancelled the same day), then times the real code paths (domain/finance/: reimbursements.py,
payment_batches.py, statement_pdf.py, statement_csv.py).
Prints one JSON line; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).parents[1]))

from benchmarks._seed import bench_database_name, create_database, drop_database

PERIOD_START = date(2026, 10, 1)  # 1st-15th October 2026
WALLET = "SPORT_CULTURE_LOISIRS"


def say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=3000)
    parser.add_argument("--debits", type=int, default=1_000_000)
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--statement-lines", type=int, default=10_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CJEUNE_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args(argv)


SEED = [
    # The school year and its wallet type.
    """INSERT INTO school_years (id, label, starts_on, ends_on, created_at)
       VALUES (gen_random_uuid(), '2026-2027', '2026-09-01', '2027-08-31', now())""",
    """INSERT INTO school_year_wallets (id, kind, label, amount_cents, school_year_id)
       SELECT gen_random_uuid(), '{wallet}', 'Sport, culture et loisirs', 10000, id
       FROM school_years""",
    # Partners, each with a principal delegate.
    """CREATE TABLE bench_partners AS
       SELECT i AS n, gen_random_uuid() AS id, gen_random_uuid() AS user_id
       FROM generate_series(1, {partners}) i""",
    """INSERT INTO users (id, email, kind, staff_roles, first_name, last_name,
         profile_visibility, created_at, updated_at)
       SELECT user_id, 'principal' || n || '@partenaire.test', 'delegate', '[]', 'Paul',
         'Principal ' || n, 'private', now(), now() FROM bench_partners""",
    """INSERT INTO partners (id, legal_name, trade_name, siret, categories, debitable_wallets,
         convention_signed_on, status, created_at, updated_at)
       SELECT id, 'SARL Partenaire ' || n, 'Partenaire ' || n, lpad(n::text, 14, '0'),
         '["culture"]', '["{wallet}"]', '2024-09-01', 'active', now(), now()
       FROM bench_partners""",
    """INSERT INTO delegates (id, is_principal, permissions, status, created_at, accepted_at,
         updated_at, partner_id, user_id)
       SELECT gen_random_uuid(), true, '[]', 'active', now(), now(), now(), id, user_id
       FROM bench_partners""",
    """INSERT INTO ledger_accounts (id, kind, created_at, partner_id)
       SELECT gen_random_uuid(), 'partner_payable', now(), id FROM bench_partners""",
    """INSERT INTO ledger_accounts (id, kind, created_at, school_year_id)
       SELECT gen_random_uuid(), 'funding', now(), id FROM school_years""",
    # Cards (codes made in Python, valid check symbol) and their wallets.
    """INSERT INTO beneficiaries (id, kind, first_name, last_name, birth_date, commune_code,
         created_at, updated_at)
       SELECT id, 'middle_schooler', 'Jade', 'Vidal', '2013-04-02', '13201', now(), now()
       FROM bench_cards""",
    """INSERT INTO cards (id, code, kind, status, activated_at, pin_failures, created_at,
         updated_at, beneficiary_id, school_year_id)
       SELECT c.id, c.code, 'physical', 'active', now(), 0, now(), now(), c.id, y.id
       FROM bench_cards c CROSS JOIN school_years y""",
    """INSERT INTO ledger_accounts (id, kind, wallet_kind, balance_cents, created_at,
         beneficiary_id, school_year_id)
       SELECT c.wallet_id, 'wallet', '{wallet}', 0, now(), c.id, y.id
       FROM bench_cards c CROSS JOIN school_years y""",
    # The debits: one ledger transaction each; 1 % cancelled the same day. The first
    # {statement_lines} go to partner 1 (the statement measured), the rest round-robin.
    """CREATE TABLE bench_debits AS
       SELECT g, gen_random_uuid() AS id,
         CASE WHEN g <= {statement_lines} THEN 1 ELSE 1 + (g % {partners}) END AS partner_n,
         1 + (g % {cards}) AS card_n,
         100 + (g * 7919) % 4900 AS amount_cents,
         g % 97 = 0 AS cancelled,
         timestamptz '{start} 08:00 Europe/Paris'
           + (g % 15) * interval '1 day' + ((g * 37) % 43200) * interval '1 second' AS at
       FROM generate_series(1::bigint, {debits}) g""",
    """INSERT INTO ledger_transactions (id, kind, description, created_at)
       SELECT g, 'card_debit', 'Débit', at FROM bench_debits""",
    """INSERT INTO ledger_transactions (id, kind, description, created_at)
       SELECT {debits} + g, 'card_cancellation', 'Annulation', at FROM bench_debits
       WHERE cancelled""",
    """INSERT INTO card_transactions (id, reference, wallet_kind, amount_cents, status,
         idempotency_key, request_fingerprint, created_at, reversed_at, card_id,
         delegate_user_id, ledger_transaction_id, partner_id, reversal_id, reversed_by_id,
         wallet_id)
       SELECT d.id, 'T' || lpad(d.g::text, 11, '0'), '{wallet}', d.amount_cents,
         CASE WHEN d.cancelled THEN 'cancelled' ELSE 'completed' END, 'k' || d.g, 'f', d.at,
         CASE WHEN d.cancelled THEN d.at + interval '1 hour' END, c.id, p.user_id, d.g, p.id,
         CASE WHEN d.cancelled THEN {debits} + d.g END,
         CASE WHEN d.cancelled THEN p.user_id END, c.wallet_id
       FROM bench_debits d JOIN bench_partners p ON p.n = d.partner_n
       JOIN bench_cards c ON c.n = d.card_n""",
    # Ledger entries: wallet -amount and payable +amount, reversed for the cancellations.
    """INSERT INTO ledger_entries (amount_cents, created_at, account_id, ledger_transaction_id)
       SELECT x.amount, t.created_at, x.account, x.ledger
       FROM card_transactions t
       JOIN ledger_accounts a ON a.kind = 'partner_payable' AND a.partner_id = t.partner_id
       CROSS JOIN LATERAL (VALUES
         (-t.amount_cents, t.wallet_id, t.ledger_transaction_id),
         (t.amount_cents, a.id, t.ledger_transaction_id),
         (t.amount_cents, t.wallet_id, t.reversal_id),
         (-t.amount_cents, a.id, t.reversal_id)) AS x(amount, account, ledger)
       WHERE x.ledger IS NOT NULL""",
    # The year's credit: each wallet ends with 10 € left.
    """INSERT INTO ledger_transactions (id, kind, description, created_at)
       VALUES (3 * {debits} + 1, 'year_credit', 'Crédit de rentrée', now())""",
    """INSERT INTO ledger_entries (amount_cents, created_at, account_id, ledger_transaction_id)
       SELECT 1000 - COALESCE(SUM(e.amount_cents), 0), now(), w.id, 3 * {debits} + 1
       FROM ledger_accounts w LEFT JOIN ledger_entries e ON e.account_id = w.id
       WHERE w.kind = 'wallet' GROUP BY w.id""",
    """INSERT INTO ledger_entries (amount_cents, created_at, account_id, ledger_transaction_id)
       SELECT -SUM(e.amount_cents), now(), f.id, 3 * {debits} + 1
       FROM ledger_entries e, ledger_accounts f
       WHERE e.ledger_transaction_id = 3 * {debits} + 1 AND f.kind = 'funding' GROUP BY f.id""",
    "UPDATE ledger_accounts SET balance_cents = 1000 WHERE kind = 'wallet'",
    "SELECT setval('ledger_transactions_id_seq', 3 * {debits} + 2)",
    # Validated bank details for every partner.
    """INSERT INTO bank_details (id, iban, bic, holder_name, status, submitted_at, decided_at,
         partner_id, submitted_by_id)
       SELECT gen_random_uuid(), b.iban, 'BNPAFRPP', 'SARL Partenaire ' || p.n, 'validated',
         now(), now(), p.id, p.user_id
       FROM bench_partners p JOIN bench_ibans b ON b.n = p.n""",
    "DROP TABLE bench_debits",
    "ANALYZE",
]


async def seed(db: asyncpg.Connection, args: argparse.Namespace) -> dict[str, float]:
    from schwifty import IBAN

    from domain.cards.codes import new_code

    started = time.perf_counter()
    codes: set[str] = set()
    while len(codes) < args.cards:
        codes.add(new_code())
    await db.execute("CREATE TABLE bench_cards (n int, id uuid, code text, wallet_id uuid)")
    await db.copy_records_to_table(
        "bench_cards",
        records=[(n, None, code, None) for n, code in enumerate(sorted(codes), 1)],
        columns=["n", "id", "code", "wallet_id"],
    )
    await db.execute("UPDATE bench_cards SET id = gen_random_uuid(), wallet_id = gen_random_uuid()")
    await db.execute("CREATE TABLE bench_ibans (n int, iban text)")
    ibans = [
        (
            n,
            str(
                IBAN.generate(
                    "FR", bank_code="30004", branch_code="00100", account_code=f"{n:011d}"
                )
            ),
        )
        for n in range(1, args.partners + 1)
    ]
    await db.copy_records_to_table("bench_ibans", records=ibans, columns=["n", "iban"])
    values = {
        "wallet": WALLET,
        "partners": args.partners,
        "cards": args.cards,
        "debits": args.debits,
        "statement_lines": min(args.statement_lines, args.debits),
        "start": PERIOD_START.isoformat(),
    }
    # Bulk load: triggers (the per-entry balance check) off for the session, as a restore.
    await db.execute("SET session_replication_role = replica")
    for i, statement in enumerate(SEED, 1):
        step = time.perf_counter()
        await db.execute(statement.format(**values))
        say(f"[seed {i}/{len(SEED)}] {time.perf_counter() - step:6.1f} s")
    await db.execute("SET session_replication_role = origin")
    return {"seed_seconds": round(time.perf_counter() - started, 1)}


async def measure(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    from domain.accounts.viewer import Viewer
    from domain.core import clock
    from domain.finance import statements
    from domain.finance.payment_batches import create_payment_batch
    from domain.finance.periods import fortnight_of
    from domain.finance.reimbursements import close_period
    from domain.finance.statement_csv import render_csv
    from domain.finance.statement_pdf import render_pdf
    from infra.database import close_database, open_database
    from infra.settings import load_settings, use_settings
    from models.finance import Reimbursement
    from models.partners import Partner

    data_dir = tempfile.mkdtemp(prefix="cjeune-bench-finance-")
    settings = use_settings(
        replace(load_settings(), database_url=database_url, data_dir=Path(data_dir))
    )
    await open_database(settings)
    try:
        fortnight = fortnight_of(PERIOD_START)
        after = datetime.combine(fortnight.ends_on + timedelta(days=1), datetime.min.time())
        with clock.frozen(after.replace(hour=2, tzinfo=clock.PARIS)):
            started = time.perf_counter()
            step = [started]

            def progress(done: int, total: int) -> None:
                now = time.perf_counter()
                say(f"[close {done}/{total}] {now - step[0]:6.2f} s")
                step[0] = now

            report = await close_period(fortnight.starts_on, progress=progress)
            closed = time.perf_counter()
            batch = await create_payment_batch(Viewer(), report.period.id)
            written = time.perf_counter()
        say(f"close {closed - started:.1f} s, batch + SEPA file {written - closed:.1f} s")
        partner = await Partner.get(siret=f"{1:014d}")
        reimbursement = await Reimbursement.get(partner_id=partner.id, period_id=report.period.id)
        fetch_started = time.perf_counter()
        statement = await statements.of_reimbursement(partner.id, reimbursement.id)
        fetched = time.perf_counter()
        pdf = render_pdf(statement)
        pdf_done = time.perf_counter()
        csv = render_csv(statement)
        csv_done = time.perf_counter()
    finally:
        await close_database()
    return {
        "partners": args.partners,
        "debits": args.debits,
        "reimbursements": report.reimbursements,
        "lines_assigned": report.lines,
        "figures_add_up": report.period.discrepancies is None,
        "close_seconds": round(closed - started, 2),
        "batch_and_sepa_seconds": round(written - closed, 2),
        "close_and_sepa_seconds": round(written - started, 2),
        "transfers": batch.transfers_count,
        "batch_total_cents": batch.total_cents,
        "statement_lines": statement.lines_count,
        "statement_query_seconds": round(fetched - fetch_started, 2),
        "statement_pdf_render_seconds": round(pdf_done - fetched, 2),
        "statement_pdf_seconds": round(pdf_done - fetch_started, 2),
        "statement_csv_seconds": round(csv_done - pdf_done + fetched - fetch_started, 2),
        "statement_pdf_bytes": len(pdf),
        "statement_csv_bytes": len(csv),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from infra.database import run_migrations
    from infra.settings import load_settings

    name = bench_database_name()
    url = f"{args.postgres}/{name}"
    await create_database(args.postgres, name)
    try:
        say(f"database {name}: migrations")
        await run_migrations(replace(load_settings(), database_url=url))
        db = await asyncpg.connect(url)
        try:
            figures = await seed(db, args)
        finally:
            await db.close()
        figures.update(await measure(url, args))
        figures["cpu_count"] = os.cpu_count()
        return figures
    finally:
        if not args.keep:
            await drop_database(args.postgres, name)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
