"""The hand-written SQL of cards and money: the till's card lookup and replay check, a
wallet's move, and a card debit in one statement. The hot path of the platform: each
statement's text is written once (cached) and its rows become models without Tortoise's
query builder (models/fixed_sql.py).

The debit, on PostgreSQL: the wallet's conditional UPDATE, the balanced ledger transaction
and its two entries, the card transaction, the audit entry and the young person's
notification are data-modifying CTEs of a single statement, so they commit together or not
at all, in one round trip instead of eight (BEGIN, six writes, COMMIT). Every INSERT reads
from the wallet's UPDATE: when the balance is short, or the day (Paris) is outside the
wallet's school year, the UPDATE matches no row and nothing at all is written. The
database's own rules still hold: the wallet CHECK, the deferred balanced-ledger trigger,
the unique idempotency key (a concurrent replay makes the statement fail as a whole).
SQLite has no data-modifying CTEs: there, domain/cards/transactions.py writes the same rows
one by one inside atomic(), the wallet through SPEND_WALLET's same conditions. The test
suite runs on both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from uuid import UUID

from models import fixed_sql, sql
from models.cards import Beneficiary, Card, SchoolYear
from models.ledger import AccountKind, LedgerAccount
from models.ledger import LedgerTransactionKind as Kind
from models.transactions import CardTransaction, TransactionStatus

# --- the till's reads ---------------------------------------------------------------------


@cache
def _card_sql() -> str:
    # The wallet kind is a literal so that PostgreSQL can use the partial unique index.
    return fixed_sql.select(
        [(Card, "c"), (Beneficiary, "b"), (SchoolYear, "y"), (LedgerAccount, "w")],
        "FROM cards c JOIN beneficiaries b ON b.id = c.beneficiary_id "
        "JOIN school_years y ON y.id = c.school_year_id "
        "LEFT JOIN ledger_accounts w ON w.school_year_id = c.school_year_id "
        f"AND w.beneficiary_id = c.beneficiary_id AND w.kind = '{AccountKind.WALLET.value}' "
        "WHERE c.code = $1",
    )


async def card_with_wallets(code: str) -> tuple[Card, list[LedgerAccount]] | None:
    """The card by code as `select_related("beneficiary", "school_year")` leaves it, and the
    wallets of its year, in one query."""
    rows = await sql.rows(_card_sql(), code)
    if not rows:
        return None
    card = fixed_sql.hydrate(Card, rows[0], "c")
    fixed_sql.attach(card, "beneficiary", fixed_sql.hydrate(Beneficiary, rows[0], "b"))
    fixed_sql.attach(card, "school_year", fixed_sql.hydrate(SchoolYear, rows[0], "y"))
    return card, [fixed_sql.hydrate(LedgerAccount, row, "w") for row in rows if row["w.id"]]


@cache
def _replay_sql() -> str:
    return fixed_sql.select(
        [(CardTransaction, "t")],
        "FROM card_transactions t WHERE t.partner_id = $1 AND t.idempotency_key = $2",
    )


async def transaction_by_key(partner_id: UUID, key: str) -> CardTransaction | None:
    """The transaction this partner made with this idempotency key (every debit asks)."""
    rows = await sql.rows(_replay_sql(), partner_id, key)
    return fixed_sql.hydrate(CardTransaction, rows[0], "t") if rows else None


# --- a wallet's move (domain/cards/ledger.py) ---------------------------------------------

MOVE_WALLET = (
    "UPDATE ledger_accounts SET balance_cents = balance_cents + $1 "
    "WHERE id = $2 AND kind = $3 AND balance_cents + $4 >= 0 RETURNING balance_cents"
)


async def move_wallet(account_id: UUID, amount_cents: int) -> int | None:
    """The wallet's new balance; None when the balance is short (then nothing changed).
    Race-free: one UPDATE checks and changes the balance."""
    rows = await sql.rows(
        MOVE_WALLET, amount_cents, account_id, AccountKind.WALLET.value, amount_cents
    )
    return int(rows[0]["balance_cents"]) if rows else None


# A card's wallet is spent only within its school year, first and last days included (Paris
# days): the write itself checks it, whatever Python decided before (the debit statement below
# has the same condition).
SPEND_WALLET = (
    "UPDATE ledger_accounts SET balance_cents = balance_cents - $1 "
    "WHERE id = $2 AND kind = $3 AND balance_cents - $4 >= 0 "
    "AND EXISTS (SELECT 1 FROM school_years y WHERE y.id = ledger_accounts.school_year_id "
    "AND $5 BETWEEN y.starts_on AND y.ends_on) RETURNING balance_cents"
)


async def spend_wallet(account_id: UUID, amount_cents: int, paris_day: date) -> int | None:
    """Debit a wallet of `amount_cents` (> 0) on `paris_day`: its new balance, or None when
    the balance is short or the day is outside the wallet's school year (nothing changed)."""
    rows = await sql.rows(
        SPEND_WALLET, amount_cents, account_id, AccountKind.WALLET.value, amount_cents, paris_day
    )
    return int(rows[0]["balance_cents"]) if rows else None


# --- the debit in one statement (PostgreSQL) ----------------------------------------------


@dataclass(frozen=True)
class DebitRows:
    """What the statement writes; the notification is written only with `holder_user_id`."""

    transaction_id: UUID
    reference: str
    partner_id: UUID
    delegate_user_id: UUID
    card_id: UUID
    wallet_id: UUID
    payable_id: UUID
    wallet_kind: str
    amount_cents: int
    idempotency_key: str
    fingerprint: str
    ledger_description: str
    at: datetime
    actor_kind: str
    client_address: str | None
    audit_after: dict[str, Any]
    holder_user_id: UUID | None
    audit_action: str
    notification_id: UUID
    notification_kind: str
    notification_title: str
    body_before_balance: str
    body_after_balance: str
    terminal_id: UUID | None = None  # the payment terminal that made it, if one did


@dataclass(frozen=True)
class WrittenDebit:
    transaction: CardTransaction
    balance_cents: int
    audit_entry_id: int


@cache
def debit_statement() -> str:
    """The debit's text (PostgreSQL only); its values come from `debit_parameters`."""
    # $1 wallet, $2 amount, $3 ledger kind, $4 description, $5 at, $6 payable,
    # $7 transaction id, $8 reference, $9 partner, $10 delegate, $11 card, $12 wallet kind,
    # $13 status, $14 idempotency key, $15 fingerprint, $16 actor kind, $17 audit after,
    # $18 client address, $19 holder user, $20 notification id, $21 title,
    # $22 body before balance, $23 body after balance, $24 wallet account kind,
    # $25 audit action, $26 notification kind, $27 terminal
    return (
        "WITH moved AS ("
        " UPDATE ledger_accounts SET balance_cents = balance_cents - $2::bigint"
        " WHERE id = $1::uuid AND kind = $24 AND balance_cents - $2::bigint >= 0"
        # Only within the wallet's school year, as SPEND_WALLET: the debit's Paris day.
        " AND EXISTS (SELECT 1 FROM school_years y WHERE y.id = ledger_accounts.school_year_id"
        " AND ($5::timestamptz AT TIME ZONE 'Europe/Paris')::date"
        " BETWEEN y.starts_on AND y.ends_on)"
        " RETURNING balance_cents),"
        " posted AS ("
        " INSERT INTO ledger_transactions (kind, description, created_at)"
        " SELECT $3, $4, $5::timestamptz FROM moved RETURNING id),"
        " entries AS ("
        " INSERT INTO ledger_entries (ledger_transaction_id, account_id, amount_cents, created_at)"
        " SELECT posted.id, line.account_id, line.amount_cents, $5::timestamptz FROM posted,"
        " (VALUES ($1::uuid, -$2::bigint), ($6::uuid, $2::bigint))"
        " AS line (account_id, amount_cents)),"
        " debited AS ("
        " INSERT INTO card_transactions (id, reference, partner_id, delegate_user_id, card_id,"
        " wallet_id, wallet_kind, amount_cents, status, idempotency_key, request_fingerprint,"
        " ledger_transaction_id, created_at, terminal_id)"
        " SELECT $7::uuid, $8, $9::uuid, $10::uuid, $11::uuid, $1::uuid, $12, $2::bigint, $13,"
        " $14, $15, posted.id, $5::timestamptz, $27::uuid FROM posted RETURNING *),"
        " audited AS ("
        " INSERT INTO audit_entries (occurred_at, actor_id, actor_kind, partner_id, action,"
        " object_type, object_id, after, client_address)"
        " SELECT $5::timestamptz, $10::uuid, $16, $9::uuid, $25,"
        " 'CardTransaction', $7::text, $17::jsonb, $18 FROM debited RETURNING id),"
        " notified AS ("
        " INSERT INTO notifications (id, user_id, kind, title, body, data, created_at)"
        " SELECT $20::uuid, $19::uuid, $26, $21,"
        " $22 || format_euros(moved.balance_cents) || $23,"
        " jsonb_build_object('transactionId', $7::text, 'amountCents', $2::bigint,"
        " 'balanceCents', moved.balance_cents, 'wallet', $12::text), $5::timestamptz"
        " FROM moved, debited WHERE $19::uuid IS NOT NULL) "
    ) + fixed_sql.select(
        [(CardTransaction, "t")],
        ", moved.balance_cents AS balance_cents, audited.id AS audit_entry_id"
        " FROM debited t, moved, audited",
    )


def debit_parameters(rows: DebitRows) -> list[Any]:
    return [
        rows.wallet_id,
        rows.amount_cents,
        Kind.CARD_DEBIT.value,
        rows.ledger_description[:200],
        rows.at,
        rows.payable_id,
        rows.transaction_id,
        rows.reference,
        rows.partner_id,
        rows.delegate_user_id,
        rows.card_id,
        rows.wallet_kind,
        TransactionStatus.COMPLETED.value,
        rows.idempotency_key,
        rows.fingerprint,
        rows.actor_kind,
        json.dumps(rows.audit_after),
        rows.client_address,
        rows.holder_user_id,
        rows.notification_id,
        rows.notification_title,
        rows.body_before_balance,
        rows.body_after_balance,
        AccountKind.WALLET.value,
        rows.audit_action,
        rows.notification_kind,
        rows.terminal_id,
    ]


async def write_debit(rows: DebitRows) -> WrittenDebit | None:
    """Write the debit; None when the wallet's balance is short (then nothing is written).
    Raises IntegrityError when the idempotency key was taken meanwhile."""
    found = await sql.rows(debit_statement(), *debit_parameters(rows))
    if not found:
        return None
    row = found[0]
    return WrittenDebit(
        transaction=fixed_sql.hydrate(CardTransaction, row, "t"),
        balance_cents=int(row["balance_cents"]),
        audit_entry_id=int(row["audit_entry_id"]),
    )
