"""The hand-written SQL of accounts: the read behind every authenticated request."""

from __future__ import annotations

from functools import cache
from typing import Any
from uuid import UUID

from models import fixed_sql, sql
from models.accounts import User, UserKind
from models.partners import Delegate, DelegateStatus, Partner, PartnerStatus


@cache
def _viewer_sql() -> str:
    # One query for every request: the open session's user and, for a delegate, each active
    # delegation with its partner (a delegation to an inactive partner comes back without p).
    return fixed_sql.select(
        [(User, "u"), (Delegate, "d"), (Partner, "p")],
        "FROM auth_sessions s JOIN users u ON u.id = s.user_id "
        "LEFT JOIN delegates d ON d.user_id = u.id AND u.kind = $3 AND d.status = $4 "
        "LEFT JOIN partners p ON p.id = d.partner_id AND p.status = $5 "
        "WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL",
    )


async def viewer_rows(session_id: UUID, user_id: UUID) -> list[dict[str, Any]]:
    """The session's rows, its user's columns prefixed `u.`, each delegation's `d.` and its
    partner's `p.` (models/fixed_sql.py makes the models); none when the session is closed."""
    return await sql.rows(
        _viewer_sql(),
        session_id,
        user_id,
        UserKind.DELEGATE.value,
        DelegateStatus.ACTIVE.value,
        PartnerStatus.ACTIVE.value,
    )
