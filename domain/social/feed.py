"""The young person's feed: posts of the partners they follow and the département's
highlights, newest first, one keyset cursor over both, stable under new arrivals.

Each source is read with the same keyset (instant, id) and at most `first + 1` rows; the
merge keeps the newest `first`. Posts are read, on PostgreSQL, partner by partner through the
(partner, created_at, id) index with a LATERAL join: at most `first + 1` rows per followed
partner, whatever the size of the table. The newly published deals and events of followed
partners that I may see are the third source, keyed by their first publication.

The three sources, and what the posts' items show (whether I liked each, images, partner,
profile, logo), are read in one statement (queries.py), whatever the page's length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.accounts.viewer import Viewer
from domain.core import clock, cursors
from domain.social import queries
from domain.social.queries import FeedSources
from models.offers import Offer
from models.social import Highlight, Post

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
    # Read with the posts: whether I liked each, their images, partners, profiles, logos.
    sources: FeedSources = field(default_factory=FeedSources)


async def feed_page(viewer: Viewer, first: int, after: str | None) -> FeedPage:
    limit = max(1, min(first, MAX_PAGE))
    moment, identifier = cursors.decode(after) if after else (None, None)
    # The deals and events: those on show to me (public_offers_conditions).
    sources = await queries.feed_sources(
        viewer, moment, identifier, limit + 1, clock.now(), clock.paris_today()
    )
    entries = (
        [FeedEntry(p.created_at, p.id, post=p) for p in sources.posts]
        + [FeedEntry(h.published_at, h.id, highlight=h) for h in sources.highlights]
        # A public offer has been published: first_published_at is set.
        + [FeedEntry(o.first_published_at, o.id, offer=o) for o in sources.offers]  # type: ignore[arg-type]
    )
    entries.sort(key=lambda e: (e.at, e.id), reverse=True)
    page = entries[:limit]
    more = len(entries) > limit
    cursor = cursors.encode(page[-1].at, page[-1].id) if more else None
    return FeedPage(page, cursor, sources)
