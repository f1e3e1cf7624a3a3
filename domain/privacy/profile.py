"""Who may see a young person's profile: private by default (CNIL's recommendation for
minors: the most protective setting unless they choose otherwise)."""

from __future__ import annotations

from domain.accounts.viewer import Viewer
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode
from domain.core.transactions import atomic
from models.accounts import ProfileVisibility, User, UserKind


async def set_profile_visibility(viewer: Viewer, visibility: ProfileVisibility) -> User:
    user = viewer.user
    if user is None or user.kind != UserKind.YOUNG_PERSON:
        raise DomainError(ErrorCode.FORBIDDEN, "Seul un jeune choisit qui voit son profil.")
    async with atomic():
        before = user.profile_visibility
        await User.filter(id=user.id).update(profile_visibility=visibility)
        await record(
            viewer,
            "account.profile_visibility",
            user,
            before={"profile_visibility": str(before)},
            after={"profile_visibility": str(visibility)},
        )
    return await User.get(id=user.id)
