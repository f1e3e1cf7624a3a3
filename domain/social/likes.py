"""Young people like posts; the post keeps its count, updated in the same transaction."""

from __future__ import annotations

from uuid import UUID

from tortoise.expressions import F

from domain.core.errors import not_found
from domain.core.transactions import atomic
from domain.social.posts import visible_post
from models.social import Post, PostLike


async def like_post(user_id: UUID, post_id: UUID) -> Post:
    """Idempotent: liking twice counts once."""
    await visible_post(post_id)
    async with atomic():
        _, created = await PostLike.get_or_create(user_id=user_id, post_id=post_id)
        if created:
            await Post.filter(id=post_id).update(like_count=F("like_count") + 1)
    return await Post.get(id=post_id)


async def unlike_post(user_id: UUID, post_id: UUID) -> Post:
    async with atomic():
        removed = await PostLike.filter(user_id=user_id, post_id=post_id).delete()
        if removed:
            await Post.filter(id=post_id).update(like_count=F("like_count") - 1)
    post = await Post.get_or_none(id=post_id)
    if post is None:
        raise not_found("Publication")
    return post
