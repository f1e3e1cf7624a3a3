"""The programme's figures as SQL aggregates (PostgreSQL's `$n` placeholders, run through
models/sql.py on either database).

Time buckets (weeks, months) are Paris calendar periods: their boundaries are computed in
Python as UTC instants and the statement sorts each row into its bucket with one CASE, so
both databases count alike (SQLite knows no time zones; instants are stored in UTC).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from models import sql


def _bucket(column: str, bounds: Sequence[datetime], first: int) -> tuple[str, list[Any]]:
    """`CASE WHEN column < $first THEN 0 WHEN column < $first+1 THEN 1 … END` for the
    buckets between consecutive `bounds` (the first bound is the caller's lower limit)."""
    whens = " ".join(f"WHEN {column} < ${first + i} THEN {i}" for i in range(len(bounds) - 1))
    return f"CASE {whens} END", list(bounds[1:])


async def cards(school_year_id: UUID) -> dict[str, Any]:
    rows = await sql.rows(
        "SELECT COUNT(*) AS issued,"
        " SUM(CASE WHEN activated_at IS NOT NULL AND replaces_id IS NULL THEN 1 ELSE 0 END)"
        " AS activated"
        " FROM cards WHERE school_year_id = $1",
        school_year_id,
    )
    return rows[0]


async def activations_by_bucket(school_year_id: UUID, bounds: Sequence[datetime]) -> dict[int, int]:
    case, values = _bucket("activated_at", bounds, 4)
    rows = await sql.rows(
        f"SELECT bucket, COUNT(*) AS n FROM (SELECT {case} AS bucket FROM cards"
        " WHERE school_year_id = $1 AND replaces_id IS NULL"
        " AND activated_at >= $2 AND activated_at < $3) AS s GROUP BY bucket",
        school_year_id,
        bounds[0],
        bounds[-1],
        *values,
    )
    return {int(r["bucket"]): int(r["n"]) for r in rows}


# Debits that stand: a cancelled (same day) or regularised one gave the money back.
_SPENT = (
    " FROM card_transactions t JOIN cards c ON c.id = t.card_id"
    " WHERE c.school_year_id = $1 AND t.status = 'completed'"
)


async def spending_by_wallet(school_year_id: UUID) -> list[dict[str, Any]]:
    return await sql.rows(
        "SELECT t.wallet_kind AS kind, MAX(w.label) AS label,"
        " SUM(t.amount_cents) AS amount_cents, COUNT(*) AS transactions,"
        " COUNT(DISTINCT t.partner_id) AS partners"
        " FROM card_transactions t JOIN cards c ON c.id = t.card_id"
        " LEFT JOIN school_year_wallets w"
        " ON w.school_year_id = c.school_year_id AND w.kind = t.wallet_kind"
        " WHERE c.school_year_id = $1 AND t.status = 'completed'"
        " GROUP BY t.wallet_kind ORDER BY t.wallet_kind",
        school_year_id,
    )


async def spending_by_bucket(school_year_id: UUID, bounds: Sequence[datetime]) -> dict[int, int]:
    case, values = _bucket("t.created_at", bounds, 4)
    rows = await sql.rows(
        f"SELECT bucket, SUM(amount_cents) AS amount_cents FROM (SELECT {case} AS bucket,"
        f" t.amount_cents{_SPENT} AND t.created_at >= $2 AND t.created_at < $3) AS s"
        " GROUP BY bucket",
        school_year_id,
        bounds[0],
        bounds[-1],
        *values,
    )
    return {int(r["bucket"]): int(r["amount_cents"]) for r in rows}


async def partners(school_year_id: UUID) -> dict[str, Any]:
    rows = await sql.rows(
        "SELECT (SELECT COUNT(*) FROM partners WHERE status = 'active') AS active,"
        f" (SELECT COUNT(DISTINCT t.partner_id){_SPENT}) AS with_transactions",
        school_year_id,
    )
    return rows[0]


async def offers_published(since: datetime, until: datetime) -> dict[str, int]:
    """Deals and events first published in [since, until), by kind."""
    rows = await sql.rows(
        "SELECT kind, COUNT(*) AS n FROM offers"
        " WHERE first_published_at >= $1 AND first_published_at < $2 GROUP BY kind",
        since,
        until,
    )
    return {str(r["kind"]): int(r["n"]) for r in rows}


async def campaigns_reach(since: datetime, until: datetime) -> list[dict[str, Any]]:
    """The campaigns started in [since, until): messages planned, sent, and people reached."""
    return await sql.rows(
        "SELECT c.id, c.name, c.started_at, c.targeted,"
        " SUM(CASE WHEN r.status = 'sent' THEN 1 ELSE 0 END) AS sent,"
        " COUNT(DISTINCT CASE WHEN r.status = 'sent' THEN r.user_id END) AS people"
        " FROM campaigns c LEFT JOIN campaign_recipients r ON r.campaign_id = c.id"
        " WHERE c.started_at >= $1 AND c.started_at < $2"
        " GROUP BY c.id, c.name, c.started_at, c.targeted ORDER BY c.started_at, c.id",
        since,
        until,
    )


async def people_reached(since: datetime, until: datetime) -> int:
    rows = await sql.rows(
        "SELECT COUNT(DISTINCT r.user_id) AS n FROM campaign_recipients r"
        " JOIN campaigns c ON c.id = r.campaign_id"
        " WHERE r.status = 'sent' AND c.started_at >= $1 AND c.started_at < $2",
        since,
        until,
    )
    return int(rows[0]["n"] or 0)
