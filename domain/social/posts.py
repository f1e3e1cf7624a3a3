"""Partners' posts: published by delegates with the offers-and-posts permission."""

from __future__ import annotations

from uuid import UUID

from domain.accounts.viewer import Viewer
from domain.core import clock, cursors
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.text import clean_text
from domain.core.transactions import atomic
from models.offers import Offer
from models.partners import DelegatePermission, Partner, PartnerStatus
from models.social import Image, ImagePurpose, Post, PostImage, PostStatus

MAX_BODY = 2000
MAX_IMAGES = 4


def _checked_body(body: str) -> str:
    return clean_text("body", body, max_length=MAX_BODY, multiline=True)


async def _checked_images(partner_id: UUID, image_ids: list[UUID]) -> list[UUID]:
    if len(image_ids) > MAX_IMAGES:
        raise invalid("imageIds", f"Au plus {MAX_IMAGES} images par publication.")
    if len(set(image_ids)) != len(image_ids):
        raise invalid("imageIds", "La même image est en double.")
    found = await Image.filter(
        id__in=image_ids, partner_id=partner_id, purpose=ImagePurpose.POST
    ).count()
    if found != len(image_ids):
        raise invalid("imageIds", "Une des images est introuvable pour ce partenaire.")
    return image_ids


async def _set_images(post_id: UUID, image_ids: list[UUID]) -> None:
    await PostImage.filter(post_id=post_id).delete()
    if image_ids:
        await PostImage.bulk_create(
            [
                PostImage(post_id=post_id, image_id=image_id, position=position)
                for position, image_id in enumerate(image_ids)
            ]
        )


def _may_publish(viewer: Viewer, partner_id: UUID) -> None:
    if not viewer.may_act_for(partner_id, DelegatePermission.OFFERS_AND_POSTS):
        raise DomainError(
            ErrorCode.FORBIDDEN, "Il faut la permission « offres et publications » du partenaire."
        )


async def _checked_offer(partner_id: UUID, offer_id: UUID | None) -> Offer | None:
    """A post may point to one of the partner's own deals or events (the app opens it)."""
    if offer_id is None:
        return None
    offer = await Offer.get_or_none(id=offer_id, partner_id=partner_id, withdrawn_at=None)
    if offer is None:
        raise invalid("offerId", "Ce bon plan ou cet événement n'est pas à ce partenaire.")
    return offer


async def create_post(
    viewer: Viewer,
    partner_id: UUID,
    body: str,
    image_ids: list[UUID],
    offer_id: UUID | None = None,
) -> Post:
    _may_publish(viewer, partner_id)
    body = _checked_body(body)
    images = await _checked_images(partner_id, image_ids)
    offer = await _checked_offer(partner_id, offer_id)
    if not await Partner.exists(id=partner_id, status=PartnerStatus.ACTIVE):
        raise not_found("Partenaire")
    async with atomic():
        post = await Post.create(
            partner_id=partner_id,
            author_id=viewer.signed_in_user.id,
            body=body,
            offer_kind=offer.kind.value if offer else None,
            offer_id=offer.id if offer else None,
        )
        await _set_images(post.id, images)
        await record(
            viewer,
            "post.created",
            post,
            partner_id=partner_id,
            after={
                "body": body,
                "imageIds": [str(i) for i in images],
                "offerId": str(offer.id) if offer else None,
            },
        )
    return post


async def _own_post(viewer: Viewer, post_id: UUID) -> Post:
    post = await Post.get_or_none(id=post_id)
    if post is None or post.status == PostStatus.DELETED:
        raise not_found("Publication")
    _may_publish(viewer, post.partner_id)
    return post


async def edit_post(
    viewer: Viewer, post_id: UUID, body: str | None, image_ids: list[UUID] | None
) -> Post:
    post = await _own_post(viewer, post_id)
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    new_body = _checked_body(body) if body is not None else None
    images = await _checked_images(post.partner_id, image_ids) if image_ids is not None else None
    async with atomic():
        if new_body is not None and new_body != post.body:
            before["body"], after["body"] = post.body, new_body
            post.body = new_body
        if images is not None:
            current = await PostImage.filter(post_id=post.id).order_by("position")
            before["imageIds"] = [str(i.image_id) for i in current]
            after["imageIds"] = [str(i) for i in images]
            await _set_images(post.id, images)
        if after:
            post.edited_at = clock.now()
            await post.save(update_fields=["body", "edited_at"])
            await record(
                viewer, "post.edited", post, partner_id=post.partner_id, before=before, after=after
            )
    return post


async def delete_post(viewer: Viewer, post_id: UUID) -> None:
    post = await _own_post(viewer, post_id)
    async with atomic():
        await Post.filter(id=post.id).update(status=PostStatus.DELETED)
        await record(
            viewer,
            "post.deleted",
            post,
            partner_id=post.partner_id,
            before={"status": post.status.value},
            after={"status": PostStatus.DELETED.value},
        )


async def visible_post(post_id: UUID) -> Post:
    post = await Post.get_or_none(id=post_id, status=PostStatus.PUBLISHED)
    if post is None:
        raise not_found("Publication")
    return post


async def partner_posts(
    partner_id: UUID,
    statuses: list[PostStatus],
    limit: int,
    after: cursors.Position | None,
) -> tuple[list[Post], str | None]:
    """Newest first, keyset pagination."""
    rows = (
        await Post.filter(
            cursors.older_than("created_at", after), partner_id=partner_id, status__in=statuses
        )
        .order_by("-created_at", "-id")
        .limit(limit + 1)
    )
    page = rows[:limit]
    more = len(rows) > limit
    return page, cursors.encode(page[-1].created_at, page[-1].id) if more else None
