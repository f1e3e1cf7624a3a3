"""The hand-written SQL of the social features: a feed page's three sources in one statement.

A feed page reads the posts of the partners I follow, the département's highlights and the
newly published deals and events of those partners. Each went to the database on its own,
and then each kind of object a post shows (whether I liked it, its images, its partner, the
partner's profile and logo) one statement more: eight round trips a page, each costing the
server more CPU than its SQL costs PostgreSQL. Here the three sources are one statement
(UNION ALL, each branch with its own order and limit, the others' columns NULL), the posts
joined with what their items show; the rows become models as Tortoise's executor makes
them (models/fixed_sql.py). The page's fields then find the posts' likes, images, partners,
profiles and logos in the request's DataLoaders, primed with them (resolvers/feed.py).
Nothing is kept between requests: a post published a second ago, a hidden post, an
unfollowed partner are seen at the next page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any
from uuid import UUID

from tortoise.models import Model

from domain.accounts.viewer import Viewer
from domain.offers.visibility import public_offers_conditions
from models import fixed_sql, sql
from models.offers import Offer
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
# A post with images is one row per image; the others one row. On PostgreSQL the partner
# is read by its key for each post (a LATERAL that OFFSET 0 keeps apart): joined plainly,
# the planner hashed the whole partners table for a page of 21 posts (1 ms instead of 0.05).
_POSTS_WITH_WHAT_ITEMS_SHOW = """
FROM ({posts}) p
{partner}
LEFT JOIN partner_profiles pp ON pp.partner_id = p.partner_id
LEFT JOIN images lo ON lo.id = pp.logo_id
LEFT JOIN post_images pi ON pi.post_id = p.id
LEFT JOIN images im ON im.id = pi.image_id
"""
_POSTS = ((Post, "p"), (Partner, "pa"), (PartnerProfile, "pp"), (Image, "lo"), (Image, "im"))
_HIGHLIGHTS = ((Highlight, "h"),)
_OFFERS = ((Offer, "o"),)
# Whether I liked the post, the image's position; the entry's instant and id, for the page.
_EXTRA = ('"liked"', '"pi.position"', '"at"', '"key"')

Sources = tuple[tuple[type[Model], str], ...]
_HIGHLIGHT_EXTRA = ("NULL", "NULL", "h.published_at", "h.id")
_OFFER_EXTRA = ("NULL", "NULL", "o.first_published_at", "o.id")


@cache
def _nulls(model: type[Model], alias: str, postgres: bool) -> str:
    """NULL for each column of `model`; on PostgreSQL typed as the column (a field of a
    NULL of the table's row type), as a UNION of three branches wants."""
    table = model._meta.db_table

    def null(column: str) -> str:
        return f'(NULL::{table})."{column}"' if postgres else "NULL"

    return ", ".join(f'{null(c)} AS "{alias}.{c}"' for c in sorted(model._meta.db_fields))


def _projection(kind: str, present: Sources, extra: tuple[str, ...], postgres: bool) -> str:
    """The columns of every source, in the same order in each branch: this branch's, and
    NULL for the others'."""
    columns = [f"'{kind}' AS \"kind\""]
    for sources in (_POSTS, _HIGHLIGHTS, _OFFERS):
        for model, alias in sources:
            if sources is present:
                columns.append(fixed_sql.columns(model, alias))
            else:
                columns.append(_nulls(model, alias, postgres))
    columns += [f"{value} AS {name}" for value, name in zip(extra, _EXTRA, strict=True)]
    return ", ".join(columns)


@cache
def _posts_branch(postgres: bool) -> str:
    liked = "EXISTS (SELECT 1 FROM post_likes l WHERE l.user_id = $1 AND l.post_id = p.id)"
    rest = _POSTS_WITH_WHAT_ITEMS_SHOW.format(
        posts=_LATERAL_POSTS if postgres else _SQLITE_POSTS,
        partner=(
            "CROSS JOIN LATERAL (SELECT * FROM partners pa WHERE pa.id = p.partner_id OFFSET 0) pa"
            if postgres
            else "JOIN partners pa ON pa.id = p.partner_id"
        ),
    )
    extra = (liked, "pi.position", "p.created_at", "p.id")
    return f"SELECT {_projection('post', _POSTS, extra, postgres)} {rest}"


def _older(at: str, identifier: str, after: bool) -> str:
    """Rows after the cursor ($2, $3) in (at, identifier) descending order."""
    return f" AND ({at} < $2 OR ({at} = $2 AND {identifier} < $3))" if after else ""


@dataclass
class FeedSources:
    """The newest of each source (older than the cursor), and what the posts show."""

    posts: list[Post] = field(default_factory=list)
    highlights: list[Highlight] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    liked: set[UUID] = field(default_factory=set)
    images: dict[UUID, list[Image]] = field(default_factory=dict)  # by post, in order
    partners: dict[UUID, Partner] = field(default_factory=dict)
    profiles: dict[UUID, PartnerProfile | None] = field(default_factory=dict)  # by partner
    logos: dict[UUID, Image] = field(default_factory=dict)  # by image id


async def feed_sources(
    viewer: Viewer,
    moment: datetime | None,
    identifier: UUID | int | None,
    limit: int,
    now: datetime,
    today: date,
) -> FeedSources:
    """At most `limit` of each source, newest first, older than (moment, identifier) when
    given: the published posts of the partners the viewer follows (with whether they liked
    each, the images, partners, profiles and logos), the highlights on show at `now`, and
    the deals and events of those partners on show to them `today`. One statement."""
    query = sql.Sql()
    # $1 user, $2 and $3 the cursor's instant and id, $4 the limit: the posts' branch is
    # written once per dialect; the others use them too.
    for value in (viewer.signed_in_user.id, moment, identifier, limit):
        query(value)
    after = moment is not None
    highlights = (
        f"SELECT {_projection('highlight', _HIGHLIGHTS, _HIGHLIGHT_EXTRA, query.postgres)} FROM ("
        f"SELECT * FROM highlights h WHERE h.withdrawn_at IS NULL "
        f"AND h.published_at <= {query(now)}{_older('h.published_at', 'h.id', after)} "
        f"ORDER BY h.published_at DESC, h.id DESC LIMIT $4) h"
    )
    shown = " AND ".join(public_offers_conditions(viewer, today, query, "o"))
    offers = (
        f"SELECT {_projection('offer', _OFFERS, _OFFER_EXTRA, query.postgres)} FROM ("
        f"SELECT * FROM offers o WHERE {shown} "
        f"AND o.partner_id IN (SELECT f.partner_id FROM follows f WHERE f.user_id = $1)"
        f"{_older('o.first_published_at', 'o.id', after)} "
        f"ORDER BY o.first_published_at DESC, o.id DESC LIMIT $4) o"
    )
    union = f"{_posts_branch(query.postgres)} UNION ALL {highlights} UNION ALL {offers}"
    # Only the rows of the newest $4 entries of the three: those the page may show.
    text = (
        'SELECT * FROM (SELECT u.*, dense_rank() OVER (ORDER BY u."at" DESC, u."key" DESC) '
        f'AS "rank" FROM ({union}) u) ranked WHERE "rank" <= $4'
    )
    return _sources_of(await query.rows(text))


def _sources_of(rows: list[dict[str, Any]]) -> FeedSources:
    found = FeedSources()
    posts: dict[Any, Post] = {}  # by the id as read
    positions: dict[UUID, list[tuple[int, Image]]] = {}
    for row in rows:
        kind = row["kind"]
        if kind == "highlight":
            found.highlights.append(fixed_sql.hydrate(Highlight, row, "h"))
        elif kind == "offer":
            found.offers.append(fixed_sql.hydrate(Offer, row, "o"))
        else:
            post = posts.get(row["p.id"])
            if post is None:
                post = posts[row["p.id"]] = _post_of(row, found)
                positions[post.id] = []
            if row["im.id"] is not None:
                image = fixed_sql.hydrate(Image, row, "im")
                positions[post.id].append((row["pi.position"], image))
    for post_id, images in positions.items():
        found.images[post_id] = [image for _, image in sorted(images, key=_first)]
    return found


def _first(pair: tuple[int, Image]) -> int:
    return pair[0]


def _post_of(row: dict[str, Any], found: FeedSources) -> Post:
    post = fixed_sql.hydrate(Post, row, "p")
    found.posts.append(post)
    if row["liked"]:
        found.liked.add(post.id)
    partner_id = post.partner_id
    if partner_id not in found.partners:
        found.partners[partner_id] = fixed_sql.hydrate(Partner, row, "pa")
        profile = None if row["pp.id"] is None else fixed_sql.hydrate(PartnerProfile, row, "pp")
        found.profiles[partner_id] = profile
        if row["lo.id"] is not None:
            logo = fixed_sql.hydrate(Image, row, "lo")
            found.logos[logo.id] = logo
    return post
