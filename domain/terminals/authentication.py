"""A terminal's request: its credential becomes a Viewer that only the till's fields allow.

The terminal's row (with its partner's status) is read by its primary key; on PostgreSQL
each process keeps the rows it has seen next to its viewers (domain/accounts/viewer_cache.py)
while a trigger announces every change that matters (migrations/0031_terminal_changes.py),
so a revocation or a rotation takes effect on the terminal's next request, on every process,
and a terminal's request costs no more than a person's. On SQLite the row is read every
time. "Last seen" is written at most once a minute per terminal and process.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.accounts.viewer import TerminalIdentity, Viewer
from domain.accounts.viewer_cache import viewers
from domain.core import clock
from domain.terminals import credentials
from models.partners import Partner, PartnerStatus
from models.terminals import Terminal, TerminalState

LAST_SEEN_EVERY = timedelta(minutes=1)


async def viewer_from_terminal_credential(raw: str, client_address: str | None) -> Viewer | None:
    """The terminal's viewer; None for an unknown, rotated or revoked credential, or a
    terminal whose partner is not active."""
    parsed = credentials.parse_credential(raw)
    if parsed is None:
        return None
    terminal_id, secret = parsed
    row = await _terminal_row(terminal_id)
    if (
        row is None
        or row["state"] != TerminalState.ACTIVE
        or not credentials.same_digest(secret, row["credential_digest"])
        or row["partner_status"] != PartnerStatus.ACTIVE
        or row["responsible_id"] is None
    ):
        return None
    now = clock.now()
    if row["last_seen_at"] is None or row["last_seen_at"] <= now - LAST_SEEN_EVERY:
        await Terminal.filter(id=terminal_id).update(last_seen_at=now)
        viewers.seen_terminal(terminal_id, now)
    return Viewer(
        client_address=client_address,
        terminal=TerminalIdentity(
            id=terminal_id,
            partner_id=row["partner_id"],
            name=row["name"],
            responsible_user_id=row["responsible_id"],
            # As read from the database, without the validation of a new instance's
            # arguments (a person's request hydrates its partner the same way).
            partner=Partner._init_from_db(**row["partner"]),
        ),
    )


async def _terminal_row(terminal_id: UUID) -> dict[str, Any] | None:
    """What authentication needs of the terminal, from this process's cache or the
    database (then kept, unless a change was announced while it was read)."""
    row = viewers.get_terminal(terminal_id)
    if row is not None:
        return row
    generation = viewers.generation
    terminal = await Terminal.get_or_none(id=terminal_id).select_related("partner")
    if terminal is None or terminal.partner is None:
        return None
    row = {
        "state": TerminalState(terminal.state),
        "credential_digest": terminal.credential_digest,
        "partner_id": terminal.partner.id,
        "partner_status": PartnerStatus(terminal.partner.status),
        "name": terminal.name,
        "responsible_id": terminal.responsible_id,
        "last_seen_at": terminal.last_seen_at,
        # The partner's columns (never the instance: each request makes its own).
        "partner": {name: getattr(terminal.partner, name) for name in _partner_columns()},
    }
    viewers.put_terminal(terminal_id, row, generation)
    return row


def _partner_columns() -> list[str]:
    """The partner's own columns (its relations are not copied), as `_init_from_db` names
    them."""
    meta = Partner._meta
    return [name for name in meta.fields_map if name in meta.db_fields]
