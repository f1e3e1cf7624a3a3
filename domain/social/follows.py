"""Young people follow partners. Only they know whom; partners see a count."""

from __future__ import annotations

from uuid import UUID

from tortoise.expressions import F

from domain.core import cursors
from domain.core.errors import not_found
from domain.core.transactions import atomic
from models.partners import Partner, PartnerStatus
from models.social import Follow, PartnerProfile

MAX_PAGE = 100


async def _profile_of(partner_id: UUID) -> None:
    await PartnerProfile.get_or_create(partner_id=partner_id)


async def follow(user_id: UUID, partner_id: UUID) -> bool:
    """Idempotent; True when this call started the follow."""
    if not await Partner.exists(id=partner_id, status=PartnerStatus.ACTIVE):
        raise not_found("Partenaire")
    await _profile_of(partner_id)
    async with atomic():
        _, created = await Follow.get_or_create(user_id=user_id, partner_id=partner_id)
        if created:
            await PartnerProfile.filter(partner_id=partner_id).update(
                followers_count=F("followers_count") + 1
            )
    return created


async def unfollow(user_id: UUID, partner_id: UUID) -> bool:
    async with atomic():
        removed = await Follow.filter(user_id=user_id, partner_id=partner_id).delete()
        if removed:
            await PartnerProfile.filter(partner_id=partner_id).update(
                followers_count=F("followers_count") - 1
            )
    return bool(removed)


async def followed_partners(
    user_id: UUID, first: int, after: str | None
) -> tuple[list[Follow], str | None]:
    """Most recently followed first, keyset pagination."""
    position = cursors.decode(after, int) if after else None
    limit = max(1, min(first, MAX_PAGE))
    rows = (
        await Follow.filter(cursors.older_than("created_at", position), user_id=user_id)
        .select_related("partner")
        .order_by("-created_at", "-id")
        .limit(limit + 1)
    )
    page = rows[:limit]
    more = len(rows) > limit
    return page, cursors.encode(page[-1].created_at, page[-1].id) if more else None
