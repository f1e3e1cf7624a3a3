"""Resolvers for the young person's feed, favourites and the partners they follow: they
answer the models (schema/social.py shapes them); a refused rule raises DomainError."""

from __future__ import annotations

from uuid import UUID

import strawberry

from domain.core.errors import DomainError, not_found
from domain.social import favorites, follows
from domain.social import feed as feed_domain
from domain.social.queries import FeedSources
from models.offers import Offer
from models.partners import Partner
from models.social import Follow
from resolvers.arguments import parse_id
from resolvers.context import Info
from resolvers.loaders import Loaders


async def feed(
    info: Info, first: int, after: str | None
) -> tuple[list[feed_domain.FeedEntry], str | None]:
    try:
        page = await feed_domain.feed_page(info.context.viewer, first, after)
    except DomainError:
        return [], None
    _prime(info.context.loaders, info.context.viewer.signed_in_user.id, page.sources)
    return page.entries, page.next_cursor


def _prime(loaders: Loaders, user_id: UUID, posts: FeedSources) -> None:
    """The page's posts came with what their fields show: those fields find it in the
    request's loaders instead of reading it again."""
    loaders.liked.prime_many({(user_id, p.id): p.id in posts.liked for p in posts.posts})
    loaders.images_by_post.prime_many(posts.images)
    loaders.partner.prime_many(posts.partners)
    loaders.partner_profile.prime_many(posts.profiles)
    loaders.image.prime_many(posts.logos)


async def save_favorite(info: Info, offer_id: strawberry.ID) -> Offer:
    return await favorites.save_favorite(info.context.viewer, parse_id(offer_id, "offerId"))


async def remove_favorite(info: Info, offer_id: strawberry.ID) -> None:
    """Idempotent."""
    try:
        await favorites.remove_favorite(info.context.viewer, parse_id(offer_id, "offerId"))
    except DomainError:
        pass


async def my_favorites(info: Info, first: int, after: str | None) -> tuple[list[Offer], str | None]:
    """Only I see my favourites; expired or withdrawn ones drop out."""
    try:
        return await favorites.my_favorites(info.context.viewer, first, after)
    except DomainError:
        return [], None


async def set_following(info: Info, partner_id: strawberry.ID, start: bool) -> Partner:
    """Follow (`start`) or unfollow; the partner as it is now."""
    user_id = info.context.viewer.user.id
    partner = parse_id(partner_id, "partnerId")
    if start:
        await follows.follow(user_id, partner)
    else:
        await follows.unfollow(user_id, partner)
    found = await info.context.loaders.partner.load(partner)
    if found is None:
        raise not_found("Partenaire")
    return found


async def my_follows(info: Info, first: int, after: str | None) -> tuple[list[Follow], str | None]:
    """Only I see whom I follow (the follows come with their partner)."""
    try:
        return await follows.followed_partners(info.context.viewer.user.id, first, after)
    except DomainError:
        return [], None
