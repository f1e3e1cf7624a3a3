"""The audit trail: its types, and the root fields `AuditQueries` and `AuditSubscriptions`
(composed in schema/root.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import datetime
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from models.audit import AuditEntry as AuditEntryModel
from resolvers import audit as resolvers
from resolvers.context import Info
from resolvers.permissions import ANY_STAFF, allow, principal_of_argument
from schema.accounts import Person


@strawberry.type(description="One recorded action: who did what, on what, when, from where.")
class AuditEntry:
    id: strawberry.ID
    occurred_at: datetime
    action: str
    actor_kind: str
    object_type: str
    object_id: str
    partner_id: strawberry.ID | None
    before: JSON | None
    after: JSON | None
    client_address: str | None
    actor_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def actor(self, info: Info) -> Person | None:
        if self.actor_id is None:
            return None
        user = await info.context.loaders.user.load(self.actor_id)
        return Person.from_model(user) if user else None

    @classmethod
    def from_model(cls, entry: AuditEntryModel) -> AuditEntry:
        return cls(
            id=strawberry.ID(str(entry.id)),
            occurred_at=entry.occurred_at,
            action=entry.action,
            actor_kind=entry.actor_kind,
            object_type=entry.object_type,
            object_id=entry.object_id,
            partner_id=strawberry.ID(str(entry.partner_id)) if entry.partner_id else None,
            before=entry.before,
            after=entry.after,
            client_address=entry.client_address,
            actor_id=entry.actor_id,
        )


@strawberry.type
class AuditLogPage:
    entries: list[AuditEntry]
    next_cursor: str | None = strawberry.field(
        description="Pass as `after` to get the next (older) page; null at the end."
    )


_STAFF_OR_PRINCIPAL = allow(ANY_STAFF, principal_of_argument("partner_id"))


@strawberry.type
class AuditQueries:
    @strawberry.field(extensions=_STAFF_OR_PRINCIPAL)
    async def audit_log(
        self,
        info: Info,
        partner_id: strawberry.ID | None = None,
        actor_id: strawberry.ID | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AuditLogPage | None:
        entries, cursor = await resolvers.audit_log(
            info, partner_id, actor_id, action, since, until, first, after
        )
        return AuditLogPage(entries=[AuditEntry.from_model(e) for e in entries], next_cursor=cursor)


@strawberry.type
class AuditSubscriptions:
    @strawberry.subscription(extensions=_STAFF_OR_PRINCIPAL)
    async def audit_log_entries(
        self, info: Info, partner_id: strawberry.ID
    ) -> AsyncGenerator[AuditEntry]:
        # aclosing: when the client leaves, the resolver's Redis subscription ends with it.
        async with aclosing(resolvers.audit_log_entries(info, partner_id)) as entries:
            async for entry in entries:
                yield AuditEntry.from_model(entry)
