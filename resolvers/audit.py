"""Resolvers for reading (and following live) the audit trail: they answer the entries
(schema/audit.py shapes them)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from domain.accounts.sessions import load_viewer
from domain.core import audit
from domain.core.errors import DomainError
from models.audit import AuditEntry
from push.realtime import audit_channel, subscribe
from resolvers.arguments import paris_time, parse_id
from resolvers.context import Info

MAX_PAGE = 100


async def audit_log(
    info: Info,
    partner_id: strawberry.ID | None,
    actor_id: strawberry.ID | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
    first: int,
    after: str | None,
) -> tuple[list[AuditEntry], str | None]:
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
        return [], None
    entries, has_more = await audit.list_entries(
        filters, after_id=after_id, limit=max(1, min(first, MAX_PAGE))
    )
    return entries, str(entries[-1].id) if has_more else None


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
        entry = await AuditEntry.get_or_none(id=message["entryId"])
        if entry is not None:
            yield entry
