"""Which channels carry a user's non-marketing notifications (marketing: domain/consent)."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from domain.notifications.channels import channel_of
from models.accounts import User
from models.notifications import Channel


def wants(user: User, channel: Channel) -> bool:
    """Whether the user's notifications other than marketing take `channel`."""
    field = channel_of(channel).preference_field
    return field is None or bool(getattr(user, field))


async def set_channels(user_id: UUID, choices: Mapping[Channel, bool | None]) -> User:
    """The in-app inbox always receives everything; only channels with a preference can be
    turned off (None: unchanged)."""
    changes = {}
    for channel, value in choices.items():
        field = channel_of(channel).preference_field
        if value is not None and field is not None:
            changes[field] = value
    if changes:
        await User.filter(id=user_id).update(**changes)
    return await User.get(id=user_id)
