"""The audit trail: every state change by a delegate or a staff member, append-only.

Its trigger lets two things through, each only from inside its purge below (see
migrations/0041_retention_rules.py): deleting the data-access entries older than their
period, and erasing the IP addresses older than theirs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.accounts.viewer import Viewer
from domain.core.transactions import after_commit, atomic
from models import sql
from models.audit import AuditEntry
from push.realtime import audit_channel, publish


async def record(
    actor: Viewer,
    action: str,
    obj: Any,
    *,
    partner_id: UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one entry; call it inside the transaction that makes the change. A payment
    terminal's entry names the delegate answerable for it, and the terminal in `after`."""
    actor_id = actor.user.id if actor.user else None
    if actor.terminal is not None:
        actor_id = actor.terminal.responsible_user_id
        after = {**(after or {}), **terminal_fields(actor)}
    entry = await AuditEntry.create(
        actor_id=actor_id,
        actor_kind=actor.actor_kind,
        partner_id=partner_id,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(obj.pk),
        before=before,
        after=after,
        client_address=actor.client_address,
    )
    if partner_id is not None:
        await announce(partner_id, entry.id)
    return entry


def terminal_fields(actor: Viewer) -> dict[str, str]:
    """What an audit entry says of the terminal that acted (nothing for a person)."""
    if actor.terminal is None:
        return {}
    return {"terminalId": str(actor.terminal.id), "terminalName": actor.terminal.name}


async def announce(partner_id: UUID, entry_id: int) -> None:
    """Tell the partner's open audit trails about a new entry once it has committed."""
    channel, message = audit_channel(partner_id), {"entryId": entry_id}
    await after_commit(lambda: publish(channel, message))


@dataclass(frozen=True)
class AuditFilter:
    partner_id: UUID | None = None
    actor_id: UUID | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def list_entries(
    filters: AuditFilter, *, after_id: int | None, limit: int
) -> tuple[list[AuditEntry], bool]:
    """Newest first, keyset-paginated on the id; returns (entries, has_more)."""
    query = AuditEntry.all()
    if filters.partner_id is not None:
        query = query.filter(partner_id=filters.partner_id)
    if filters.actor_id is not None:
        query = query.filter(actor_id=filters.actor_id)
    if filters.action:
        query = query.filter(action=filters.action)
    if filters.since:
        query = query.filter(occurred_at__gte=filters.since)
    if filters.until:
        query = query.filter(occurred_at__lt=filters.until)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(limit + 1)
    return rows[:limit], len(rows) > limit


# A staff member's look at a young person's record: personal data accessed, not changed.
# The database knows the same list (migrations/0041_retention_rules.py): widen both.
DATA_ACCESS_ACTIONS = ("young_person.record_opened",)


async def purge_data_access_before(cutoff: datetime) -> int:
    """Delete the data-access entries made before `cutoff`: the one deletion the trigger
    allows. Returns how many went."""
    if sql.is_postgres():
        found = await sql.rows("SELECT purge_audit_before($1) AS n", cutoff)
        return int(found[0]["n"])
    async with _sqlite_gate("delete", cutoff):
        return await AuditEntry.filter(
            occurred_at__lt=cutoff, action__in=DATA_ACCESS_ACTIONS
        ).delete()


async def forget_addresses_before(cutoff: datetime) -> int:
    """Erase the IP address of the entries made before `cutoff`, nothing else: the one
    update the trigger allows. Returns how many entries lost theirs."""
    if sql.is_postgres():
        found = await sql.rows("SELECT forget_audit_addresses_before($1) AS n", cutoff)
        return int(found[0]["n"])
    async with _sqlite_gate("address", cutoff):
        return await AuditEntry.filter(occurred_at__lt=cutoff, client_address__isnull=False).update(
            client_address=None
        )


@asynccontextmanager
async def _sqlite_gate(purpose: str, cutoff: datetime) -> AsyncIterator[None]:
    """SQLite has no functions: the cutoff the triggers read lives in `audit_purge_gate` for
    the length of one transaction, never committed."""
    async with atomic():
        await sql.execute(
            "INSERT OR REPLACE INTO audit_purge_gate (purpose, before) VALUES ($1, $2)",
            purpose,
            cutoff,
        )
        yield
        await sql.execute("DELETE FROM audit_purge_gate WHERE purpose = $1", purpose)
