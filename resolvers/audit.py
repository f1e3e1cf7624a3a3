"""Resolvers for reading (and following live) the audit trail."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from domain.accounts.sessions import load_viewer
from domain.core import audit, clock
from domain.core.errors import DomainError
from models.audit import AuditEntry as AuditEntryModel
from push.realtime import audit_channel, subscribe
from resolvers.ids import parse_id
from schema.audit import AuditEntry, AuditLogPage
from server.context import Info

MAX_PAGE = 100


def paris_time(moment: datetime | None) -> datetime | None:
    """A date-time without offset is read as Paris time, as a French user means it."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=clock.PARIS)


async def audit_log(
    info: Info,
    partner_id: strawberry.ID | None = None,
    actor_id: strawberry.ID | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    first: int = 50,
    after: str | None = None,
) -> AuditLogPage | None:
    """Newest first. Without `partnerId`, the whole trail (staff only, by the field's rule)."""
    try:
        filters = audit.AuditFilter(
            partner_id=parse_id(partner_id, "partnerId") if partner_id else None,
            actor_id=parse_id(actor_id, "actorId") if actor_id else None,
            action=action,
            since=paris_time(since),
            until=paris_time(until),
        )
        after_id = int(after) if after else None
        if after_id is not None and not 0 < after_id < 2**63:
            raise ValueError(after)
    except (DomainError, ValueError):
        return AuditLogPage(entries=[], next_cursor=None)
    entries, has_more = await audit.list_entries(
        filters, after_id=after_id, limit=max(1, min(first, MAX_PAGE))
    )
    return AuditLogPage(
        entries=[AuditEntry.from_model(e) for e in entries],
        next_cursor=str(entries[-1].id) if has_more else None,
    )


async def audit_log_entries(info: Info, partner_id: strawberry.ID) -> AsyncGenerator[AuditEntry]:
    """Live entries of one partner's trail, as they are committed."""
    try:
        partner = parse_id(partner_id, "partnerId")
    except DomainError:
        return
    viewer = info.context.viewer
    async for message in subscribe(audit_channel(partner)):
        # Re-checked on every event: a revoked session or delegation stops the stream at once.
        current = await load_viewer(viewer.user.id, viewer.session_id, viewer.client_address)
        if current is None or not (current.is_staff or current.is_principal_of(partner)):
            return
        entry = await AuditEntryModel.get_or_none(id=message["entryId"])
        if entry is not None:
            yield AuditEntry.from_model(entry)
