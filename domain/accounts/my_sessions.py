"""A person's own signed-in sessions: the list (when, which browser) and signing out the
others, e.g. after using a shared computer or losing a phone."""

from __future__ import annotations

from uuid import UUID

from domain.core import clock
from models.accounts import AuthSession

SIGNED_OUT_BY_OWNER = "signed_out_by_owner"  # revoked_reason, at most 32 characters


async def open_sessions(user_id: UUID) -> list[AuthSession]:
    """The sessions not revoked, newest first (expired refresh tokens aside: a session is
    open until revoked)."""
    return await AuthSession.filter(user_id=user_id, revoked_at__isnull=True).order_by(
        "-created_at", "-id"
    )


async def sign_out_other_sessions(user_id: UUID, current_session: UUID | None) -> int:
    """Revoke every open session of the person but the one asking; how many ended. The
    viewer cache hears of it through the database's triggers (migration 0022)."""
    query = AuthSession.filter(user_id=user_id, revoked_at__isnull=True)
    if current_session is not None:
        query = query.exclude(id=current_session)
    return await query.update(revoked_at=clock.now(), revoked_reason=SIGNED_OUT_BY_OWNER)
