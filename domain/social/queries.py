"""The hand-written SQL of the social features: the feed's posts of followed partners, with
what a feed item shows, and the département's highlights.

A feed page's posts come in one statement with everything their items show: whether I
liked each, its images in order, its partner with the partner's profile and logo. The
fields of the page then read them from the request's DataLoaders, primed with them
(resolvers/feed.py), instead of one statement per kind of object. The statements are fixed
text (no query building per request) and the rows become models as Tortoise's executor
makes them (models/fixed_sql.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from models import fixed_sql, sql
from models.partners import Partner
from models.social import Highlight, Image, PartnerProfile, Post

# Partner by partner through the (partner, created_at, id) index: at most $4 rows per
# followed partner, whatever the size of the table.
_LATERAL_POSTS = """
SELECT p.* FROM follows f
CROSS JOIN LATERAL (
  SELECT p.* FROM posts p
  WHERE p.partner_id = f.partner_id AND p.status = 'published'
    AND ($2::timestamptz IS NULL OR (p.created_at, p.id) < ($2::timestamptz, $3::uuid))
  ORDER BY p.created_at DESC, p.id DESC
  LIMIT $4
) p
WHERE f.user_id = $1
ORDER BY p.created_at DESC, p.id DESC
LIMIT $4
"""
# SQLite (embedded, small): the followed partners' posts through the same index.
_SQLITE_POSTS = """
SELECT p.* FROM posts p
WHERE p.partner_id IN (SELECT f.partner_id FROM follows f WHERE f.user_id = $1)
  AND p.status = 'published'
  AND ($2 IS NULL OR p.created_at < $2 OR (p.created_at = $2 AND p.id < $3))
ORDER BY p.created_at DESC, p.id DESC
LIMIT $4
"""
# A post with images is one row per image (in order); the others one row.
_WITH_WHAT_ITEMS_SHOW = """
FROM ({posts}) p
JOIN partners pa ON pa.id = p.partner_id
LEFT JOIN partner_profiles pp ON pp.partner_id = p.partner_id
LEFT JOIN images lo ON lo.id = pp.logo_id
LEFT JOIN post_images pi ON pi.post_id = p.id
LEFT JOIN images im ON im.id = pi.image_id
ORDER BY p.created_at DESC, p.id DESC, pi.position
"""
_LIKED = 'EXISTS (SELECT 1 FROM post_likes l WHERE l.user_id = $1 AND l.post_id = p.id) AS "liked"'


@cache
def _feed_posts(postgres: bool) -> str:
    sources = [(Post, "p"), (Partner, "pa"), (PartnerProfile, "pp"), (Image, "lo"), (Image, "im")]
    rest = _WITH_WHAT_ITEMS_SHOW.format(posts=_LATERAL_POSTS if postgres else _SQLITE_POSTS)
    return fixed_sql.select(sources, f", {_LIKED} {rest}")


@dataclass
class FollowedPosts:
    """A page of posts of followed partners, newest first, and what their items show."""

    posts: list[Post] = field(default_factory=list)
    liked: set[UUID] = field(default_factory=set)
    images: dict[UUID, list[Image]] = field(default_factory=dict)  # by post, in order
    partners: dict[UUID, Partner] = field(default_factory=dict)
    profiles: dict[UUID, PartnerProfile | None] = field(default_factory=dict)  # by partner
    logos: dict[UUID, Image] = field(default_factory=dict)  # by image id


async def followed_posts_before(
    user_id: UUID, moment: datetime | None, post_id: UUID | int | None, limit: int
) -> FollowedPosts:
    """The newest published posts of the partners the user follows, older than (moment,
    post_id) when given, with whether the user liked each, their images, partners,
    profiles and logos: one statement."""
    rows = await sql.rows(_feed_posts(sql.is_postgres()), user_id, moment, post_id, limit)
    page = FollowedPosts()
    post, read = None, None  # the post of the previous row, and its id as read
    for row in rows:
        if post is None or row["p.id"] != read:
            post, read = _post_of(row, page), row["p.id"]
        if row["im.id"] is not None:
            page.images[post.id].append(fixed_sql.hydrate(Image, row, "im"))
    return page


def _post_of(row: dict[str, Any], page: FollowedPosts) -> Post:
    post = fixed_sql.hydrate(Post, row, "p")
    page.posts.append(post)
    page.images[post.id] = []
    if row["liked"]:
        page.liked.add(post.id)
    partner_id = post.partner_id
    if partner_id not in page.partners:
        page.partners[partner_id] = fixed_sql.hydrate(Partner, row, "pa")
        profile = None if row["pp.id"] is None else fixed_sql.hydrate(PartnerProfile, row, "pp")
        page.profiles[partner_id] = profile
        if row["lo.id"] is not None:
            logo = fixed_sql.hydrate(Image, row, "lo")
            page.logos[logo.id] = logo
    return post


async def highlights_before(
    now: datetime, moment: datetime | None, highlight_id: UUID | int | None, limit: int
) -> list[Highlight]:
    """The département's highlights on show at `now`, newest first, older than (moment,
    highlight_id) when given."""
    query = sql.Sql()
    where = ["h.withdrawn_at IS NULL", f"h.published_at <= {query(now)}"]
    if moment is not None:
        at, identifier = query(moment), query(highlight_id)
        where.append(f"(h.published_at < {at} OR (h.published_at = {at} AND h.id < {identifier}))")
    text = fixed_sql.select(
        [(Highlight, "h")],
        f"FROM highlights h WHERE {' AND '.join(where)} "
        f"ORDER BY h.published_at DESC, h.id DESC LIMIT {query(limit)}",
    )
    return [fixed_sql.hydrate(Highlight, row, "h") for row in await query.rows(text)]
