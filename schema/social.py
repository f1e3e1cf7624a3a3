"""Types for posts, the feed, follows, reports and the département's highlights."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from domain.core import clock
from domain.offers.visibility import may_see
from models.social import Highlight as HighlightModel
from models.social import Post as PostModel
from models.social import PostReport as PostReportModel
from models.social import PostStatus as PostStatusModel
from models.social import ReportReason as ReportReasonModel
from models.social import ReportStatus as ReportStatusModel
from resolvers.permissions import ANY_STAFF, allow, delegate_of_source
from schema.errors import Done, UserError
from schema.images import Image
from schema.partners import Partner
from server.context import Info

if TYPE_CHECKING:
    from schema.offers import Offer

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

    @strawberry.field(description="The post's partner: name, logo… for the feed's header.")
    async def partner(self, info: Info) -> Partner | None:
        partner = await info.context.loaders.partner.load(self.partner_id)
        return Partner.from_model(partner) if partner else None

    @strawberry.field(description="Up to 4 images, in order.")
    async def images(self, info: Info) -> list[Image]:
        images = await info.context.loaders.images_by_post.load(UUID(self.id))
        return [Image.from_model(i) for i in images]

    @strawberry.field(description="Whether I liked it (always false for non-young people).")
    async def liked_by_me(self, info: Info) -> bool:
        viewer = info.context.viewer
        if not viewer.is_young_person:
            return False
        return await info.context.loaders.liked.load((viewer.user.id, UUID(self.id)))

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
        )


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
