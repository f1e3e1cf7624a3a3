"""The young person's feed: posts of the partners they follow and the département's
highlights, newest first, one keyset cursor over both, stable under new arrivals.

Each source is read with the same keyset (instant, id) and at most `first + 1` rows; the
merge keeps the newest `first`. Posts are read, on PostgreSQL, partner by partner through the
(partner, created_at, id) index with a LATERAL join: at most `first + 1` rows per followed
partner, whatever the size of the table. The newly published deals and events of followed
partners that I may see are the third source, keyed by their first publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tortoise.expressions import Subquery

from domain.accounts.viewer import Viewer
from domain.core import clock, cursors
from domain.offers.visibility import public_offers_filter
from domain.social import queries
from models import sql
from models.offers import Offer
from models.social import Follow, Highlight, Post, PostStatus

MAX_PAGE = 50


@dataclass(frozen=True)
class FeedEntry:
    at: datetime
    id: UUID
    post: Post | None = None
    highlight: Highlight | None = None
    offer: Offer | None = None


async def _posts(user_id: UUID, after: cursors.Position | None, limit: int) -> list[Post]:
    if sql.is_postgres():
        moment, identifier = after if after else (None, None)
        return await queries.followed_posts_before(user_id, moment, identifier, limit)
    followed = Follow.filter(user_id=user_id).values_list("partner_id", flat=True)
    return (
        await Post.filter(
            cursors.older_than("created_at", after),
            partner_id__in=await followed,
            status=PostStatus.PUBLISHED,
        )
        .order_by("-created_at", "-id")
        .limit(limit)
    )


async def _highlights(after: cursors.Position | None, limit: int) -> list[Highlight]:
    return (
        await Highlight.filter(
            cursors.older_than("published_at", after),
            withdrawn_at=None,
            published_at__lte=clock.now(),
        )
        .order_by("-published_at", "-id")
        .limit(limit)
    )


async def _offers(viewer: Viewer, after: cursors.Position | None, limit: int) -> list[Offer]:
    """Newly published deals and events of the partners I follow, that I may see."""
    followed = Follow.filter(user_id=viewer.signed_in_user.id).values("partner_id")
    return (
        await Offer.filter(
            cursors.older_than("first_published_at", after),
            public_offers_filter(viewer, clock.paris_today()),
            partner_id__in=Subquery(followed),
        )
        .order_by("-first_published_at", "-id")
        .limit(limit)
    )


async def feed_page(
    viewer: Viewer, first: int, after: str | None
) -> tuple[list[FeedEntry], str | None]:
    limit = max(1, min(first, MAX_PAGE))
    position = cursors.decode(after) if after else None
    posts = await _posts(viewer.signed_in_user.id, position, limit + 1)
    highlights = await _highlights(position, limit + 1)
    offers = await _offers(viewer, position, limit + 1)
    entries = (
        [FeedEntry(p.created_at, p.id, post=p) for p in posts]
        + [FeedEntry(h.published_at, h.id, highlight=h) for h in highlights]
        # A public offer has been published: first_published_at is set.
        + [FeedEntry(o.first_published_at, o.id, offer=o) for o in offers]  # type: ignore[arg-type]
    )
    entries.sort(key=lambda e: (e.at, e.id), reverse=True)
    page = entries[:limit]
    more = len(entries) > limit
    return page, cursors.encode(page[-1].at, page[-1].id) if more else None
