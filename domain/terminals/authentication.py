"""A terminal's request: its credential becomes a Viewer that only the till's fields allow.

The row is read on every request (by its primary key, with its partner), so a revocation or
a rotation takes effect on the terminal's next request, on every process, without a cache
to keep in step. "Last seen" is written at most once a minute per terminal.
"""

from __future__ import annotations

from datetime import timedelta

from domain.accounts.viewer import TerminalIdentity, Viewer
from domain.core import clock
from domain.terminals import credentials
from models.partners import PartnerStatus
from models.terminals import Terminal, TerminalState

LAST_SEEN_EVERY = timedelta(minutes=1)


async def viewer_from_terminal_credential(raw: str, client_address: str | None) -> Viewer | None:
    """The terminal's viewer; None for an unknown, rotated or revoked credential, or a
    terminal whose partner is not active."""
    parsed = credentials.parse_credential(raw)
    if parsed is None:
        return None
    terminal_id, secret = parsed
    terminal = await Terminal.get_or_none(id=terminal_id).select_related("partner")
    if (
        terminal is None
        or terminal.state != TerminalState.ACTIVE
        or not credentials.same_digest(secret, terminal.credential_digest)
        or terminal.partner is None
        or terminal.partner.status != PartnerStatus.ACTIVE
        or terminal.responsible_id is None
    ):
        return None
    now = clock.now()
    if terminal.last_seen_at is None or terminal.last_seen_at <= now - LAST_SEEN_EVERY:
        await Terminal.filter(id=terminal.id).update(last_seen_at=now)
    return Viewer(
        client_address=client_address,
        terminal=TerminalIdentity(
            id=terminal.id,
            partner_id=terminal.partner.id,
            name=terminal.name,
            responsible_user_id=terminal.responsible_id,
        ),
    )
