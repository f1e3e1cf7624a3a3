"""The audit trail: every state change by a delegate or a staff member, append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.accounts.viewer import Viewer
from domain.core.transactions import after_commit
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
