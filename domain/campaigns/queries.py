"""The hand-written SQL of campaigns: who a campaign reaches (counted, then written as
recipient rows) and the recipient rows' claims and outcomes while it is sent.

One SQL filter serves both the audience count and the writing of the recipient rows
(INSERT ... SELECT, one statement per channel), so what the team is shown is what is sent.
The consent rules are those of domain/consent/marketing.py, written in SQL (see
domain/campaigns/audience.py for the rule in words and for one loaded person).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.campaigns.audience import Segment, years_before
from domain.consent.marketing import CONSENT_AGE
from domain.notifications.channels import channel_of, with_opt_in
from models.campaigns import RecipientStatus
from models.notifications import Channel
from models.sql import Sql

# --- the audience -------------------------------------------------------------------------


def _reachable(channel: Channel) -> list[str]:
    """Opted in on the channel (one without an opt-in: on any), with an address on it (the
    channel's `audience_sql`: push needs a registered device)."""
    found = channel_of(channel)
    if found.opt_in_field is not None:
        where = [f"u.{found.opt_in_field}"]
    else:
        where = ["(" + " OR ".join(f"u.{c.opt_in_field}" for c in with_opt_in()) + ")"]
    return where if found.audience_sql is None else [*where, found.audience_sql]


def _eligible_users(segment: Segment, channel: Channel, today: date, p: Sql) -> str:
    """SELECT u.id FROM users u WHERE (the law) AND (the segment)."""
    where = ["u.kind = 'young_person'", "u.is_active", *_reachable(channel)]
    where.append(
        f"((u.birth_date IS NOT NULL AND u.birth_date <= {p(years_before(today, CONSENT_AGE))})"
        " OR EXISTS (SELECT 1 FROM parental_consents pc WHERE pc.young_person_id = u.id"
        " AND pc.given_at IS NOT NULL AND pc.withdrawn_at IS NULL))"
    )
    low, high = segment.age_bounds
    if low is not None:
        where.append(f"u.birth_date <= {p(years_before(today, low))}")
    if high is not None:
        where.append(f"u.birth_date > {p(years_before(today, high + 1))}")
    if segment.kinds:
        kinds = p.one_of("b.kind", [k.value for k in segment.kinds])
        where.append(f"EXISTS (SELECT 1 FROM beneficiaries b WHERE b.user_id = u.id AND {kinds})")
    if segment.communes:
        communes = p.one_of("b.commune_code", list(segment.communes))
        where.append(
            f"EXISTS (SELECT 1 FROM beneficiaries b WHERE b.user_id = u.id AND {communes})"
        )
    if segment.schools:
        schools = p.one_of("lower(b.school_name)", [s.lower() for s in segment.schools])
        where.append(f"EXISTS (SELECT 1 FROM beneficiaries b WHERE b.user_id = u.id AND {schools})")
    if segment.partner_ids:
        partners = p.one_of("f.partner_id", list(segment.partner_ids))
        where.append(f"EXISTS (SELECT 1 FROM follows f WHERE f.user_id = u.id AND {partners})")
    if segment.themes:
        themes = p.one_of("ti.theme", [t.value for t in segment.themes])
        where.append(
            f"EXISTS (SELECT 1 FROM theme_interests ti WHERE ti.user_id = u.id AND {themes})"
        )
    if segment.card_activated is not None:
        active_card = (
            "EXISTS (SELECT 1 FROM beneficiaries b JOIN cards c ON c.beneficiary_id = b.id"
            " WHERE b.user_id = u.id AND c.status = 'active')"
        )
        where.append(active_card if segment.card_activated else f"NOT {active_card}")
    return "SELECT u.id FROM users u WHERE " + " AND ".join(where)


async def count_audience(
    segment: Segment, channels: Iterable[Channel], today: date
) -> dict[Channel, int]:
    """How many would receive the campaign on each channel today."""
    counts: dict[Channel, int] = {}
    for channel in channels:
        p = Sql()
        eligible = _eligible_users(segment, channel, today, p)
        rows = await p.rows(f"SELECT count(*) AS n FROM ({eligible}) e")
        counts[channel] = int(rows[0]["n"])
    return counts


async def write_recipients(
    connection: BaseDBAsyncClient,
    campaign_id: UUID,
    segment: Segment,
    channels: Iterable[Channel],
    today: date,
) -> int:
    """One pending row per eligible person and channel; rows already there stay as they are.
    Answers the campaign's rows."""
    for channel in channels:
        p = Sql(connection)
        head = (
            "INSERT INTO campaign_recipients (campaign_id, user_id, channel, status, attempts) "
            f"SELECT {p(campaign_id)}, e.id, {p(channel.value)}, 'pending', 0 FROM ("
        )
        text = head + _eligible_users(segment, channel, today, p)
        # "WHERE true": SQLite would read ON CONFLICT as a join constraint without it.
        text += ") e WHERE true ON CONFLICT (campaign_id, user_id, channel) DO NOTHING"
        await p.execute(text)
    # Counted, not read from the driver: Tortoise parses PostgreSQL's "INSERT 0 n" as 0.
    p = Sql(connection)
    rows = await p.rows(
        f"SELECT count(*) AS n FROM campaign_recipients WHERE campaign_id = {p(campaign_id)}"
    )
    return int(rows[0]["n"])


# --- claims and outcomes while sending (domain/campaigns/sending.py) ----------------------


async def claim_pending(
    campaign_id: UUID, channel: Channel, size: int, token: str, until: datetime
) -> list[dict[str, Any]]:
    """Up to `size` pending rows of the channel, claimed by `token` until `until`: their
    id, user_id and attempts (counting this one). On PostgreSQL, parallel claims skip each
    other's rows (FOR UPDATE SKIP LOCKED); SQLite serialises writers."""
    p = Sql()
    lock = " FOR UPDATE SKIP LOCKED" if p.postgres else ""
    return await p.rows(
        f"UPDATE campaign_recipients SET status = 'claimed', claimed_by = {p(token)}, "
        f"claimed_until = {p(until)}, "
        "attempts = attempts + 1 WHERE id IN (SELECT id FROM campaign_recipients "
        f"WHERE campaign_id = {p(campaign_id)} AND channel = {p(channel.value)} "
        f"AND status = 'pending' ORDER BY id LIMIT {p(size)}{lock}) "
        "RETURNING id, user_id, attempts"
    )


async def _release_expired(
    p: Sql, campaign_id: UUID, channel: Channel, now: datetime, status: str, reason: str
) -> int:
    return await p.execute(
        f"UPDATE campaign_recipients SET status = {status}, reason = {reason}, "
        "claimed_by = NULL, claimed_until = NULL "
        f"WHERE campaign_id = {p(campaign_id)} AND channel = {p(channel.value)} "
        f"AND status = 'claimed' AND claimed_until < {p(now)}"
    )


async def skip_expired_claims(
    campaign_id: UUID, channel: Channel, now: datetime, reason: str
) -> int:
    """Rows whose lease ran out before `now`, of a cancelled campaign: skipped."""
    p = Sql()
    status = f"'{RecipientStatus.SKIPPED}'"
    return await _release_expired(p, campaign_id, channel, now, status, p(reason))


async def retry_expired_claims(
    campaign_id: UUID, channel: Channel, now: datetime, max_attempts: int, gave_up: str
) -> int:
    """Rows whose lease ran out before `now`: pending again, or failed (with `gave_up` as
    reason if they have none) after `max_attempts`."""
    p = Sql()
    limit = int(max_attempts)  # a constant: written into the text
    status = f"CASE WHEN attempts >= {limit} THEN 'failed' ELSE 'pending' END"
    reason = f"CASE WHEN attempts >= {limit} THEN COALESCE(reason, {p(gave_up)}) ELSE reason END"
    return await _release_expired(p, campaign_id, channel, now, status, reason)


async def record_outcome(
    connection: BaseDBAsyncClient | None,
    token: str,
    ids: Sequence[int],
    status: RecipientStatus,
    reason: str | None,
    sent_at: datetime | None,
) -> None:
    """The outcome of rows still claimed by `token`; their claim ends."""
    p = Sql(connection)
    sent = p(sent_at) if sent_at is not None else "NULL"
    await p.execute(
        f"UPDATE campaign_recipients SET status = {p(status.value)}, reason = {p(reason)}, "
        f"sent_at = {sent}, claimed_by = NULL, claimed_until = NULL "
        f"WHERE status = 'claimed' AND claimed_by = {p(token)} AND " + p.one_of("id", ids)
    )


async def postpone_claims(
    connection: BaseDBAsyncClient | None,
    token: str,
    ids: Sequence[int],
    reason: str,
    until: datetime,
) -> None:
    """Rows still claimed by `token` that failed for a passing reason: the lease becomes the
    wait before they are tried again."""
    p = Sql(connection)
    await p.execute(
        f"UPDATE campaign_recipients SET reason = {p(reason)}, claimed_until = {p(until)} "
        f"WHERE status = 'claimed' AND claimed_by = {p(token)} AND " + p.one_of("id", ids)
    )
