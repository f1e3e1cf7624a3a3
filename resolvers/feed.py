"""Resolvers for the young person's feed and the partners they follow."""

from __future__ import annotations

import strawberry

from domain.core.errors import DomainError, not_found
from domain.social import favorites, follows
from domain.social import feed as feed_domain
from resolvers.arguments import parse_id
from schema.errors import Done, UserError
from schema.offers import Offer as OfferType
from schema.partners import Partner
from schema.social import (
    FavoritePage,
    FavoriteResult,
    FavoriteSaved,
    FeedHighlight,
    FeedOffer,
    FeedPage,
    FeedPost,
    FollowedPartner,
    FollowedPartnerPage,
    FollowResult,
    FollowSuccess,
    Highlight,
    Post,
)
from server.context import Info


async def feed(info: Info, first: int = 20, after: str | None = None) -> FeedPage:
    """Everything an item needs comes in the same answer: partner, logo, images, likes."""
    try:
        entries, cursor = await feed_domain.feed_page(info.context.viewer, first, after)
    except DomainError:
        return FeedPage(items=[], next_cursor=None)
    offers = iter(await OfferType.list_of([e.offer for e in entries if e.offer is not None]))
    items: list[FeedPost | FeedHighlight | FeedOffer] = []
    for entry in entries:
        if entry.post is not None:
            items.append(FeedPost(post=Post.from_model(entry.post)))
        elif entry.highlight is not None:
            items.append(FeedHighlight(highlight=Highlight.from_model(entry.highlight)))
        else:
            items.append(FeedOffer(offer=next(offers)))
    return FeedPage(items=items, next_cursor=cursor)


async def save_favorite(info: Info, offer_id: strawberry.ID) -> FavoriteResult:
    try:
        offer = await favorites.save_favorite(info.context.viewer, parse_id(offer_id, "offerId"))
    except DomainError as error:
        return UserError.from_domain(error)
    (shaped,) = await OfferType.list_of([offer])
    return FavoriteSaved(offer=shaped, saved=True)


async def remove_favorite(info: Info, offer_id: strawberry.ID) -> Done:
    """Idempotent."""
    try:
        await favorites.remove_favorite(info.context.viewer, parse_id(offer_id, "offerId"))
    except DomainError:
        pass
    return Done()


async def my_favorites(info: Info, first: int = 50, after: str | None = None) -> FavoritePage:
    """Only I see my favourites; expired or withdrawn ones drop out."""
    try:
        offers, cursor = await favorites.my_favorites(info.context.viewer, first, after)
    except DomainError:
        return FavoritePage(offers=[], next_cursor=None)
    return FavoritePage(offers=await OfferType.list_of(offers), next_cursor=cursor)


async def _follow_answer(info: Info, partner_id: strawberry.ID, start: bool) -> FollowResult:
    user_id = info.context.viewer.user.id
    try:
        partner = parse_id(partner_id, "partnerId")
        if start:
            await follows.follow(user_id, partner)
        else:
            await follows.unfollow(user_id, partner)
    except DomainError as error:
        return UserError.from_domain(error)
    found = await info.context.loaders.partner.load(partner)
    if found is None:
        return UserError.from_domain(not_found("Partenaire"))
    return FollowSuccess(partner=Partner.from_model(found), following=start)


async def follow(info: Info, partner_id: strawberry.ID) -> FollowResult:
    return await _follow_answer(info, partner_id, start=True)


async def unfollow(info: Info, partner_id: strawberry.ID) -> FollowResult:
    return await _follow_answer(info, partner_id, start=False)


async def my_follows(info: Info, first: int = 50, after: str | None = None) -> FollowedPartnerPage:
    """Only I see whom I follow."""
    try:
        rows, cursor = await follows.followed_partners(info.context.viewer.user.id, first, after)
    except DomainError:
        return FollowedPartnerPage(partners=[], next_cursor=None)
    return FollowedPartnerPage(
        partners=[
            FollowedPartner(partner=Partner.from_model(f.partner), followed_at=f.created_at)
            for f in rows
        ],
        next_cursor=cursor,
    )
