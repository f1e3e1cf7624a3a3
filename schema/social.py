"""Posts, the feed, favourites, follows, reports and the département's highlights: the types,
and the root fields `SocialQueries` and `SocialMutations` (composed in schema/root.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from domain.core import clock
from domain.offers.visibility import may_see
from domain.social.feed import FeedEntry
from models.accounts import StaffRole
from models.partners import DelegatePermission
from models.partners import Partner as PartnerModel
from models.social import Follow as FollowModel
from models.social import Highlight as HighlightModel
from models.social import Image as ImageModel
from models.social import Post as PostModel
from models.social import PostReport as PostReportModel
from models.social import PostStatus as PostStatusModel
from models.social import ReportReason as ReportReasonModel
from models.social import ReportStatus as ReportStatusModel
from resolvers import feed as feed_resolvers
from resolvers import posts as post_resolvers
from resolvers.context import Info
from resolvers.loaders import at_once
from resolvers.permissions import (
    ANY_STAFF,
    ANYONE,
    SIGNED_IN,
    YOUNG_PERSON,
    allow,
    delegate_of_argument,
    delegate_of_post_argument,
    delegate_of_source,
    staff,
)
from schema.errors import Done, UserError, user_errors
from schema.images import Image
from schema.offers import Offer
from schema.partners import Partner

PostStatus = strawberry.enum(PostStatusModel, name="PostStatus")
ReportReason = strawberry.enum(ReportReasonModel, name="ReportReason")
ReportStatus = strawberry.enum(ReportStatusModel, name="ReportStatus")

# The partner's own people and the département see why a post was hidden.
_INSIDE = allow(ANY_STAFF, delegate_of_source(partner_field="partner_id"))


@strawberry.type(description="A partner's publication.")
class Post:
    id: strawberry.ID
    body: str
    created_at: datetime
    edited_at: datetime | None
    like_count: int
    status: PostStatus
    hidden_reason: str | None = strawberry.field(extensions=_INSIDE)
    partner_id: strawberry.Private[UUID]
    offer_id: strawberry.Private[UUID | None]
    post_id: strawberry.Private[UUID]

    @strawberry.field(description="The deal or event the post points to, when I may see it.")
    async def offer(self, info: Info) -> Annotated[Offer, strawberry.lazy("schema.offers")] | None:
        if self.offer_id is None:
            return None
        from schema.offers import Offer  # schema.offers imports this module

        loaders = info.context.loaders
        found = await loaders.offer.load(self.offer_id)
        if found is None or not may_see(info.context.viewer, found, clock.paris_today()):
            return None
        wanted = [i for i in (found.published_revision_id, found.working_revision_id) if i]
        revisions = [r for r in await loaders.offer_revision.load_many(wanted) if r]
        return Offer.of(found, {r.id: r for r in revisions})

    # The three fields below are plain functions: on a feed page the request's loaders
    # already hold their values (resolvers/loaders.py `at_once`); elsewhere they return
    # the load, which graphql-core awaits.

    @strawberry.field(description="The post's partner: name, logo… for the feed's header.")
    def partner(self, info: Info) -> Partner | None:
        return at_once(info.context.loaders.partner, self.partner_id, _partner_or_none)  # type: ignore[return-value]

    @strawberry.field(description="Up to 4 images, in order.")
    def images(self, info: Info) -> list[Image]:
        return at_once(info.context.loaders.images_by_post, self.post_id, _images)  # type: ignore[return-value]

    @strawberry.field(description="Whether I liked it (always false for non-young people).")
    def liked_by_me(self, info: Info) -> bool:
        viewer = info.context.viewer
        if not viewer.is_young_person:
            return False
        return at_once(info.context.loaders.liked, (viewer.user.id, self.post_id), bool)  # type: ignore[return-value]

    @classmethod
    def from_model(cls, post: PostModel) -> Post:
        return cls(
            id=strawberry.ID(str(post.id)),
            body=post.body,
            created_at=post.created_at,
            edited_at=post.edited_at,
            like_count=post.like_count,
            status=post.status,
            hidden_reason=post.hidden_reason,
            partner_id=post.partner_id,
            offer_id=post.offer_id,
            post_id=post.id,
        )


def _partner_or_none(partner: PartnerModel | None) -> Partner | None:
    return Partner.from_model(partner) if partner else None


def _images(images: list[ImageModel]) -> list[Image]:
    return [Image.from_model(i) for i in images]


@strawberry.type(description="The département's own news.")
class Highlight:
    id: strawberry.ID
    title: str
    body: str
    link: str | None
    published_at: datetime
    image_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def image(self, info: Info) -> Image | None:
        if self.image_id is None:
            return None
        image = await info.context.loaders.image.load(self.image_id)
        return Image.from_model(image) if image else None

    @classmethod
    def from_model(cls, highlight: HighlightModel) -> Highlight:
        return cls(
            id=strawberry.ID(str(highlight.id)),
            title=highlight.title,
            body=highlight.body,
            link=highlight.link,
            published_at=highlight.published_at,
            image_id=highlight.image_id,
        )


@strawberry.type
class FeedPost:
    post: Post


@strawberry.type
class FeedHighlight:
    highlight: Highlight


@strawberry.type(description="A deal or event newly published by a partner I follow.")
class FeedOffer:
    offer: Annotated[Offer, strawberry.lazy("schema.offers")]


FeedItem = Annotated[FeedPost | FeedHighlight | FeedOffer, strawberry.union("FeedItem")]


@strawberry.type(description="A page of my feed, newest first.")
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next (older) page; null at the end."
    )


@strawberry.type
class PostPage:
    posts: list[Post]
    next_cursor: str | None


@strawberry.type(description="A partner I follow.")
class FollowedPartner:
    partner: Partner
    followed_at: datetime

    @classmethod
    def from_model(cls, follow: FollowModel) -> FollowedPartner:
        return cls(partner=Partner.from_model(follow.partner), followed_at=follow.created_at)


@strawberry.type
class FollowedPartnerPage:
    partners: list[FollowedPartner]
    next_cursor: str | None


@strawberry.type(description="A report on a post, for moderation staff.")
class PostReport:
    id: strawberry.ID
    reason: ReportReason
    text: str
    status: ReportStatus
    created_at: datetime
    post_model: strawberry.Private[PostModel]

    @strawberry.field
    def post(self) -> Post:
        return Post.from_model(self.post_model)

    @classmethod
    def from_model(cls, report: PostReportModel) -> PostReport:
        return cls(
            id=strawberry.ID(str(report.id)),
            reason=report.reason,
            text=report.text,
            status=report.status,
            created_at=report.created_at,
            post_model=report.post,
        )


@strawberry.type
class PostSuccess:
    post: Post


@strawberry.type
class FollowSuccess:
    partner: Partner
    following: bool


@strawberry.type
class ReportSuccess:
    received: bool = True


@strawberry.type
class PostReportSuccess:
    report: PostReport


@strawberry.type
class HighlightSuccess:
    highlight: Highlight


@strawberry.input
class PostInput:
    body: str
    image_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    offer_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of the partner's deals or events the post points to."
    )


@strawberry.input
class PostChanges:
    body: str | None = None
    image_ids: list[strawberry.ID] | None = None


@strawberry.input
class HighlightInput:
    title: str
    body: str
    link: str | None = None
    image_id: strawberry.ID | None = None
    published_at: datetime | None = None


DeletePostResult = Annotated[Done | UserError, strawberry.union("DeletePostResult")]
PostResult = Annotated[PostSuccess | UserError, strawberry.union("PostResult")]
FollowResult = Annotated[FollowSuccess | UserError, strawberry.union("FollowResult")]
ReportResult = Annotated[ReportSuccess | UserError, strawberry.union("ReportResult")]
PostReportResult = Annotated[PostReportSuccess | UserError, strawberry.union("PostReportResult")]
HighlightResult = Annotated[HighlightSuccess | UserError, strawberry.union("HighlightResult")]


@strawberry.type
class FavoritePage:
    offers: list[Annotated[Offer, strawberry.lazy("schema.offers")]]
    next_cursor: str | None


@strawberry.type
class FavoriteSaved:
    offer: Annotated[Offer, strawberry.lazy("schema.offers")]
    saved: bool


FavoriteResult = Annotated[FavoriteSaved | UserError, strawberry.union("FavoriteResult")]

MODERATION = staff(StaffRole.MODERATION)
_HIGHLIGHTS = allow(staff(StaffRole.MARKETING, StaffRole.MODERATION))


async def _feed_items(entries: list[FeedEntry]) -> list[FeedPost | FeedHighlight | FeedOffer]:
    """Everything an item needs comes in the same answer: partner, logo, images, likes."""
    offers = iter(await Offer.list_of([e.offer for e in entries if e.offer is not None]))
    items: list[FeedPost | FeedHighlight | FeedOffer] = []
    for entry in entries:
        if entry.post is not None:
            items.append(FeedPost(post=Post.from_model(entry.post)))
        elif entry.highlight is not None:
            items.append(FeedHighlight(highlight=Highlight.from_model(entry.highlight)))
        else:
            items.append(FeedOffer(offer=next(offers)))
    return items


@strawberry.type
class SocialQueries:
    @strawberry.field(
        extensions=allow(YOUNG_PERSON),
        description="Posts of the partners I follow and the département's news, newest first.",
    )
    async def feed(self, info: Info, first: int = 20, after: str | None = None) -> FeedPage:
        entries, cursor = await feed_resolvers.feed(info, first, after)
        return FeedPage(items=await _feed_items(entries), next_cursor=cursor)

    @strawberry.field(
        extensions=allow(YOUNG_PERSON),
        description="The deals and events I saved; nobody else can see this list.",
    )
    async def my_favorites(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> FavoritePage:
        offers, cursor = await feed_resolvers.my_favorites(info, first, after)
        return FavoritePage(offers=await Offer.list_of(offers), next_cursor=cursor)

    @strawberry.field(
        extensions=allow(YOUNG_PERSON),
        description="The partners I follow; nobody else can see this list.",
    )
    async def my_follows(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> FollowedPartnerPage:
        rows, cursor = await feed_resolvers.my_follows(info, first, after)
        return FollowedPartnerPage(
            partners=[FollowedPartner.from_model(f) for f in rows], next_cursor=cursor
        )

    @strawberry.field(
        extensions=allow(ANYONE),
        description="A partner's news feed; its own people also see hidden posts and why.",
    )
    async def partner_posts(
        self, info: Info, partner_id: strawberry.ID, first: int = 20, after: str | None = None
    ) -> PostPage:
        rows, cursor = await post_resolvers.partner_posts(info, partner_id, first, after)
        return PostPage(posts=[Post.from_model(p) for p in rows], next_cursor=cursor)

    @strawberry.field(
        extensions=allow(MODERATION), description="Posts moderation hid, newest first."
    )
    async def hidden_posts(self, info: Info, first: int = 50) -> list[Post]:
        return [Post.from_model(p) for p in await post_resolvers.hidden_posts(info, first)]

    @strawberry.field(extensions=allow(MODERATION), description="Open reports, oldest first.")
    async def post_reports(self, info: Info, first: int = 50) -> list[PostReport]:
        return [
            PostReport.from_model(r) for r in await post_resolvers.post_reports_queue(info, first)
        ]


def _post_answer(post: PostModel) -> PostSuccess:
    return PostSuccess(post=Post.from_model(post))


def _highlight_answer(highlight: HighlightModel) -> HighlightSuccess:
    return HighlightSuccess(highlight=Highlight.from_model(highlight))


@strawberry.type
class SocialMutations:
    @strawberry.mutation(extensions=allow(YOUNG_PERSON))
    @user_errors
    async def follow(self, info: Info, partner_id: strawberry.ID) -> FollowResult:
        partner = await feed_resolvers.set_following(info, partner_id, start=True)
        return FollowSuccess(partner=Partner.from_model(partner), following=True)

    @strawberry.mutation(extensions=allow(YOUNG_PERSON))
    @user_errors
    async def save_favorite(self, info: Info, offer_id: strawberry.ID) -> FavoriteResult:
        (offer,) = await Offer.list_of([await feed_resolvers.save_favorite(info, offer_id)])
        return FavoriteSaved(offer=offer, saved=True)

    @strawberry.mutation(extensions=allow(YOUNG_PERSON))
    async def remove_favorite(self, info: Info, offer_id: strawberry.ID) -> Done:
        await feed_resolvers.remove_favorite(info, offer_id)
        return Done()

    @strawberry.mutation(extensions=allow(YOUNG_PERSON))
    @user_errors
    async def unfollow(self, info: Info, partner_id: strawberry.ID) -> FollowResult:
        partner = await feed_resolvers.set_following(info, partner_id, start=False)
        return FollowSuccess(partner=Partner.from_model(partner), following=False)

    @strawberry.mutation(
        extensions=allow(delegate_of_argument("partner_id", DelegatePermission.OFFERS_AND_POSTS))
    )
    @user_errors
    async def create_post(
        self, info: Info, partner_id: strawberry.ID, input: PostInput
    ) -> PostResult:
        return _post_answer(await post_resolvers.create_post(info, partner_id, input))

    @strawberry.mutation(extensions=allow(delegate_of_post_argument("id")))
    @user_errors
    async def edit_post(self, info: Info, id: strawberry.ID, changes: PostChanges) -> PostResult:
        return _post_answer(await post_resolvers.edit_post(info, id, changes))

    @strawberry.mutation(extensions=allow(delegate_of_post_argument("id")))
    @user_errors
    async def delete_post(self, info: Info, id: strawberry.ID) -> DeletePostResult:
        await post_resolvers.delete_post(info, id)
        return Done()

    @strawberry.mutation(extensions=allow(YOUNG_PERSON))
    @user_errors
    async def like_post(self, info: Info, post_id: strawberry.ID) -> PostResult:
        return _post_answer(await post_resolvers.like_post(info, post_id))

    @strawberry.mutation(extensions=allow(YOUNG_PERSON))
    @user_errors
    async def unlike_post(self, info: Info, post_id: strawberry.ID) -> PostResult:
        return _post_answer(await post_resolvers.unlike_post(info, post_id))

    @strawberry.mutation(
        extensions=allow(SIGNED_IN),
        description="Anyone signed in may report a post to the département's moderation.",
    )
    @user_errors
    async def report_post(
        self, info: Info, post_id: strawberry.ID, reason: ReportReason, text: str = ""
    ) -> ReportResult:
        await post_resolvers.report_post(info, post_id, reason, text)
        return ReportSuccess()

    @strawberry.mutation(
        extensions=allow(MODERATION),
        description="The post leaves every feed; the partner is told why.",
    )
    @user_errors
    async def hide_post(self, info: Info, post_id: strawberry.ID, reason: str) -> PostResult:
        return _post_answer(await post_resolvers.hide_post(info, post_id, reason))

    @strawberry.mutation(
        extensions=allow(MODERATION),
        description="A hidden post is on show again; the partner is told.",
    )
    @user_errors
    async def restore_post(self, info: Info, post_id: strawberry.ID) -> PostResult:
        return _post_answer(await post_resolvers.restore_post(info, post_id))

    @strawberry.mutation(extensions=allow(MODERATION))
    @user_errors
    async def dismiss_post_report(self, info: Info, report_id: strawberry.ID) -> PostReportResult:
        report = await post_resolvers.dismiss_post_report(info, report_id)
        return PostReportSuccess(report=PostReport.from_model(report))

    @strawberry.mutation(extensions=_HIGHLIGHTS)
    @user_errors
    async def publish_highlight(self, info: Info, input: HighlightInput) -> HighlightResult:
        return _highlight_answer(await post_resolvers.publish_highlight(info, input))

    @strawberry.mutation(extensions=_HIGHLIGHTS)
    @user_errors
    async def withdraw_highlight(self, info: Info, id: strawberry.ID) -> HighlightResult:
        return _highlight_answer(await post_resolvers.withdraw_highlight(info, id))
