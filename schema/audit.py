"""Types for the audit trail."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from models.audit import AuditEntry as AuditEntryModel
from schema.accounts import Person
from server.context import Info


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
