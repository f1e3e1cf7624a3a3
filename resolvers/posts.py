"""Resolvers for posts, likes, reports and the département's highlights."""

from __future__ import annotations

import strawberry

from domain.core import cursors
from domain.core.errors import DomainError
from domain.social import highlights, likes, post_reports, posts
from models.partners import Partner as PartnerModel
from models.social import PostStatus as PostStatusModel
from models.social import ReportReason
from resolvers.arguments import parse_id
from schema.errors import Done, UserError
from schema.social import (
    DeletePostResult,
    Highlight,
    HighlightInput,
    HighlightResult,
    HighlightSuccess,
    Post,
    PostChanges,
    PostInput,
    PostPage,
    PostReport,
    PostReportResult,
    PostReportSuccess,
    PostResult,
    PostSuccess,
    ReportResult,
    ReportSuccess,
)
from server.context import Info

MAX_PAGE = 50


async def create_post(info: Info, partner_id: strawberry.ID, input: PostInput) -> PostResult:
    try:
        post = await posts.create_post(
            info.context.viewer,
            parse_id(partner_id, "partnerId"),
            input.body,
            [parse_id(i, "imageIds") for i in input.image_ids],
            parse_id(input.offer_id, "offerId") if input.offer_id else None,
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return PostSuccess(post=Post.from_model(post))


async def edit_post(info: Info, id: strawberry.ID, changes: PostChanges) -> PostResult:
    try:
        image_ids = (
            [parse_id(i, "imageIds") for i in changes.image_ids]
            if changes.image_ids is not None
            else None
        )
        post = await posts.edit_post(
            info.context.viewer, parse_id(id, "id"), changes.body, image_ids
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return PostSuccess(post=Post.from_model(post))


async def delete_post(info: Info, id: strawberry.ID) -> DeletePostResult:
    try:
        await posts.delete_post(info.context.viewer, parse_id(id, "id"))
    except DomainError as error:
        return UserError.from_domain(error)
    return Done()


async def like_post(info: Info, post_id: strawberry.ID) -> PostResult:
    try:
        post = await likes.like_post(info.context.viewer.user.id, parse_id(post_id, "postId"))
    except DomainError as error:
        return UserError.from_domain(error)
    return PostSuccess(post=Post.from_model(post))


async def unlike_post(info: Info, post_id: strawberry.ID) -> PostResult:
    try:
        post = await likes.unlike_post(info.context.viewer.user.id, parse_id(post_id, "postId"))
    except DomainError as error:
        return UserError.from_domain(error)
    return PostSuccess(post=Post.from_model(post))


async def report_post(
    info: Info, post_id: strawberry.ID, reason: ReportReason, text: str = ""
) -> ReportResult:
    try:
        await post_reports.report_post(
            info.context.viewer, parse_id(post_id, "postId"), reason, text
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return ReportSuccess()


async def post_reports_queue(info: Info, first: int = 50) -> list[PostReport]:
    return [PostReport.from_model(r) for r in await post_reports.open_reports(first)]


async def hide_post(info: Info, post_id: strawberry.ID, reason: str) -> PostResult:
    try:
        post = await post_reports.hide_post(
            info.context.viewer, parse_id(post_id, "postId"), reason
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return PostSuccess(post=Post.from_model(post))


async def dismiss_post_report(info: Info, report_id: strawberry.ID) -> PostReportResult:
    try:
        report = await post_reports.dismiss_report(
            info.context.viewer, parse_id(report_id, "reportId")
        )
        await report.fetch_related("post")
    except DomainError as error:
        return UserError.from_domain(error)
    return PostReportSuccess(report=PostReport.from_model(report))


async def publish_highlight(info: Info, input: HighlightInput) -> HighlightResult:
    try:
        highlight = await highlights.publish_highlight(
            info.context.viewer,
            input.title,
            input.body,
            input.link,
            parse_id(input.image_id, "imageId") if input.image_id else None,
            input.published_at,
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return HighlightSuccess(highlight=Highlight.from_model(highlight))


async def withdraw_highlight(info: Info, id: strawberry.ID) -> HighlightResult:
    try:
        highlight = await highlights.withdraw_highlight(info.context.viewer, parse_id(id, "id"))
    except DomainError as error:
        return UserError.from_domain(error)
    return HighlightSuccess(highlight=Highlight.from_model(highlight))


async def partner_posts(
    info: Info, partner_id: strawberry.ID, first: int = 20, after: str | None = None
) -> PostPage:
    """A partner's news feed. Its own people also see what moderation hid, and why."""
    try:
        partner = parse_id(partner_id, "partnerId")
        position = cursors.decode(after) if after else None
    except DomainError:
        return PostPage(posts=[], next_cursor=None)
    viewer = info.context.viewer
    insider = viewer.is_staff or viewer.delegation(partner) is not None
    statuses = [PostStatusModel.PUBLISHED, *([PostStatusModel.HIDDEN] if insider else [])]
    if not await PartnerModel.exists(id=partner):
        return PostPage(posts=[], next_cursor=None)
    rows, cursor = await posts.partner_posts(
        partner, statuses, max(1, min(first, MAX_PAGE)), position
    )
    return PostPage(posts=[Post.from_model(p) for p in rows], next_cursor=cursor)
