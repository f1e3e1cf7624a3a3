"""The young person's feed: posts of the partners they follow and the département's
highlights, newest first, one keyset cursor over both, stable under new arrivals.

Each source is read with the same keyset (instant, id) and at most `first + 1` rows; the
merge keeps the newest `first`. Posts are read, on PostgreSQL, partner by partner through the
(partner, created_at, id) index with a LATERAL join: at most `first + 1` rows per followed
partner, whatever the size of the table. The newly published deals and events of followed
partners that I may see are the third source, keyed by their first publication.

The posts come with what their items show (whether I liked each, images, partner, profile,
logo) in the same statement (queries.py): a page is three statements whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from tortoise.expressions import Subquery

from domain.accounts.viewer import Viewer
from domain.core import clock, cursors
from domain.offers.visibility import public_offers_filter
from domain.social import queries
from domain.social.queries import FollowedPosts
from models.offers import Offer
from models.social import Follow, Highlight, Post

MAX_PAGE = 50


@dataclass(frozen=True)
class FeedEntry:
    at: datetime
    id: UUID
    post: Post | None = None
    highlight: Highlight | None = None
    offer: Offer | None = None


@dataclass(frozen=True)
class FeedPage:
    entries: list[FeedEntry]
    next_cursor: str | None
    # What the page's posts show, read with them: liked, images, partners, profiles, logos.
    posts: FollowedPosts = field(default_factory=FollowedPosts)


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


async def feed_page(viewer: Viewer, first: int, after: str | None) -> FeedPage:
    limit = max(1, min(first, MAX_PAGE))
    moment, identifier = cursors.decode(after) if after else (None, None)
    position = (moment, identifier) if moment is not None and identifier is not None else None
    posts = await queries.followed_posts_before(
        viewer.signed_in_user.id, moment, identifier, limit + 1
    )
    highlights = await queries.highlights_before(clock.now(), moment, identifier, limit + 1)
    offers = await _offers(viewer, position, limit + 1)
    entries = (
        [FeedEntry(p.created_at, p.id, post=p) for p in posts.posts]
        + [FeedEntry(h.published_at, h.id, highlight=h) for h in highlights]
        # A public offer has been published: first_published_at is set.
        + [FeedEntry(o.first_published_at, o.id, offer=o) for o in offers]  # type: ignore[arg-type]
    )
    entries.sort(key=lambda e: (e.at, e.id), reverse=True)
    page = entries[:limit]
    more = len(entries) > limit
    cursor = cursors.encode(page[-1].at, page[-1].id) if more else None
    return FeedPage(page, cursor, posts)
