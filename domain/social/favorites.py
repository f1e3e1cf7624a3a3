"""Young people save deals and events to their favourites. Only they see the list."""

from __future__ import annotations

from uuid import UUID

from tortoise.expressions import Subquery

from domain.accounts.viewer import Viewer
from domain.core import clock, cursors
from domain.core.errors import not_found
from domain.offers.visibility import public_offers_filter
from models.offers import Favorite, Offer

MAX_PAGE = 100


async def save_favorite(viewer: Viewer, offer_id: UUID) -> Offer:
    """Idempotent. Only what the young person may see can be saved."""
    offer = await Offer.get_or_none(public_offers_filter(viewer, clock.paris_today()), id=offer_id)
    if offer is None:
        raise not_found("Bon plan ou événement")
    await Favorite.get_or_create(user_id=viewer.signed_in_user.id, offer_id=offer.id)
    return offer


async def remove_favorite(viewer: Viewer, offer_id: UUID) -> bool:
    return bool(await Favorite.filter(user_id=viewer.signed_in_user.id, offer_id=offer_id).delete())


async def my_favorites(
    viewer: Viewer, first: int, after: str | None
) -> tuple[list[Offer], str | None]:
    """Most recently saved first; what expired or was withdrawn drops out of the list."""
    limit = max(1, min(first, MAX_PAGE))
    position = cursors.decode(after) if after else None
    saved = (
        await Favorite.filter(
            cursors.older_than("created_at", position, id_field="offer_id"),
            user_id=viewer.signed_in_user.id,
            offer_id__in=Subquery(
                Offer.filter(public_offers_filter(viewer, clock.paris_today())).values("id")
            ),
        )
        .order_by("-created_at", "-offer_id")
        .limit(limit + 1)
        .select_related("offer")
    )
    page = saved[:limit]
    more = len(saved) > limit
    cursor = cursors.encode(page[-1].created_at, page[-1].offer_id) if more else None
    return [f.offer for f in page], cursor
