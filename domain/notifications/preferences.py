"""Which channels carry a user's non-marketing notifications (marketing: marketing_consent)."""

from __future__ import annotations

from uuid import UUID

from models.accounts import User


async def set_channels(user_id: UUID, push: bool | None, email: bool | None) -> User:
    """The in-app inbox always receives everything; only push and email can be turned off."""
    changes = {
        name: value
        for name, value in (("notify_by_push", push), ("notify_by_email", email))
        if value is not None
    }
    if changes:
        await User.filter(id=user_id).update(**changes)
    return await User.get(id=user_id)
