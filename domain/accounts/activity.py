"""When a person last used their account, for the retention of inactive accounts
(domain/privacy/inactivity.py): a sign-in or a session refresh (an app refreshes its access
token every few minutes while it is used; the website signs in again at least every
REFRESH_TOKEN_DAYS, its session's lifetime, which is precise enough for a period in years).
Written at most once a day per person, not on every request: a refresh already holds the
user's row, so the check costs nothing and the write happens once a day.
Using the account clears a warning that it would be closed."""

from __future__ import annotations

from datetime import timedelta

from domain.core import clock
from models.accounts import User

WRITTEN_AT_MOST_EVERY = timedelta(days=1)


async def note_activity(user: User) -> None:
    now = clock.now()
    last = user.last_active_at
    recent = last is not None and last > now - WRITTEN_AT_MOST_EVERY
    if recent and user.inactivity_warned_at is None:
        return
    await User.filter(id=user.id).update(last_active_at=now, inactivity_warned_at=None)
    user.last_active_at, user.inactivity_warned_at = now, None
