"""Resolvers for posts, likes, reports and the département's highlights: read the input,
call domain.social, answer with the models (schema/social.py shapes them); a refused rule
raises DomainError."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.core import cursors
from domain.core.errors import DomainError
from domain.social import highlights, likes, post_reports, posts
from models.social import Highlight, Post, PostReport, PostStatus, ReportReason
from resolvers.arguments import parse_id
from resolvers.context import Info

MAX_PAGE = 50


async def create_post(info: Info, partner_id: strawberry.ID, input: Any) -> Post:
    """`input` is a PostInput."""
    return await posts.create_post(
        info.context.viewer,
        parse_id(partner_id, "partnerId"),
        input.body,
        [parse_id(i, "imageIds") for i in input.image_ids],
        parse_id(input.offer_id, "offerId") if input.offer_id else None,
    )


async def edit_post(info: Info, id: strawberry.ID, changes: Any) -> Post:
    """`changes` is a PostChanges."""
    image_ids = (
        [parse_id(i, "imageIds") for i in changes.image_ids]
        if changes.image_ids is not None
        else None
    )
    return await posts.edit_post(info.context.viewer, parse_id(id, "id"), changes.body, image_ids)


async def delete_post(info: Info, id: strawberry.ID) -> None:
    await posts.delete_post(info.context.viewer, parse_id(id, "id"))


async def like_post(info: Info, post_id: strawberry.ID) -> Post:
    return await likes.like_post(info.context.viewer.user.id, parse_id(post_id, "postId"))


async def unlike_post(info: Info, post_id: strawberry.ID) -> Post:
    return await likes.unlike_post(info.context.viewer.user.id, parse_id(post_id, "postId"))


async def report_post(info: Info, post_id: strawberry.ID, reason: ReportReason, text: str) -> None:
    await post_reports.report_post(info.context.viewer, parse_id(post_id, "postId"), reason, text)


async def post_reports_queue(info: Info, first: int) -> list[PostReport]:
    return await post_reports.open_reports(first)


async def hide_post(info: Info, post_id: strawberry.ID, reason: str) -> Post:
    return await post_reports.hide_post(info.context.viewer, parse_id(post_id, "postId"), reason)


async def restore_post(info: Info, post_id: strawberry.ID) -> Post:
    return await post_reports.restore_post(info.context.viewer, parse_id(post_id, "postId"))


async def hidden_posts(info: Info, first: int) -> list[Post]:
    return await post_reports.hidden_posts(first)


async def dismiss_post_report(info: Info, report_id: strawberry.ID) -> PostReport:
    """The report, with its post."""
    report = await post_reports.dismiss_report(info.context.viewer, parse_id(report_id, "reportId"))
    await report.fetch_related("post")
    return report


async def publish_highlight(info: Info, input: Any) -> Highlight:
    """`input` is a HighlightInput."""
    return await highlights.publish_highlight(
        info.context.viewer,
        input.title,
        input.body,
        input.link,
        parse_id(input.image_id, "imageId") if input.image_id else None,
        input.published_at,
    )


async def withdraw_highlight(info: Info, id: strawberry.ID) -> Highlight:
    return await highlights.withdraw_highlight(info.context.viewer, parse_id(id, "id"))


async def partner_posts(
    info: Info, partner_id: strawberry.ID, first: int, after: str | None
) -> tuple[list[Post], str | None]:
    """A partner's news feed. Its own people also see what moderation hid, and why."""
    try:
        partner = parse_id(partner_id, "partnerId")
        position = cursors.decode(after) if after else None
    except DomainError:
        return [], None
    viewer = info.context.viewer
    insider = viewer.is_staff or viewer.delegation(partner) is not None
    statuses = [PostStatus.PUBLISHED, *([PostStatus.HIDDEN] if insider else [])]
    # Through the loader: a page that asks for the partner too reads it once.
    if await info.context.loaders.partner.load(partner) is None:
        return [], None
    return await posts.partner_posts(partner, statuses, max(1, min(first, MAX_PAGE)), position)
