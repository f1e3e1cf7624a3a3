"""Reports on posts, and moderation's decision: hide the post (telling the partner why) or not."""

from __future__ import annotations

from uuid import UUID

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.text import clean_text
from domain.core.transactions import atomic
from domain.notifications.notify import notify
from domain.social.posts import visible_post
from models.partners import Delegate, DelegatePermission, DelegateStatus
from models.social import Post, PostReport, PostStatus, ReportReason, ReportStatus

MAX_TEXT = 1000
MAX_REASON = 500


async def report_post(viewer: Viewer, post_id: UUID, reason: ReportReason, text: str) -> PostReport:
    """One report per person and post: reporting again updates the first."""
    text = clean_text("text", text, max_length=MAX_TEXT, multiline=True, required=False)
    if reason == ReportReason.OTHER and not text:
        raise invalid("text", "Précisez ce qui ne va pas dans cette publication.")
    await visible_post(post_id)
    async with atomic():
        report, created = await PostReport.get_or_create(
            post_id=post_id,
            reporter_id=viewer.signed_in_user.id,
            defaults={"reason": reason, "text": text},
        )
        if not created and report.status == ReportStatus.OPEN:
            report.reason, report.text = reason, text
            await report.save(update_fields=["reason", "text"])
    return report


async def open_reports(first: int) -> list[PostReport]:
    """Oldest first: the queue moderation works through."""
    return (
        await PostReport.filter(status=ReportStatus.OPEN)
        .select_related("post")
        .order_by("created_at")
        .limit(max(1, min(first, 100)))
    )


async def hide_post(viewer: Viewer, post_id: UUID, reason: str) -> Post:
    """The post leaves every feed; the partner's publishers are told why."""
    reason = clean_text("reason", reason, max_length=MAX_REASON, multiline=True)
    post = await Post.get_or_none(id=post_id).select_related("partner")
    if post is None or post.status == PostStatus.DELETED:
        raise not_found("Publication")
    if post.status == PostStatus.HIDDEN:
        raise DomainError(ErrorCode.INVALID_STATE, "Cette publication est déjà masquée.")
    async with atomic():
        await Post.filter(id=post.id).update(
            status=PostStatus.HIDDEN, hidden_reason=reason, hidden_by_id=viewer.signed_in_user.id
        )
        await PostReport.filter(post_id=post.id, status=ReportStatus.OPEN).update(
            status=ReportStatus.POST_HIDDEN,
            handled_by_id=viewer.signed_in_user.id,
            handled_at=clock.now(),
        )
        await record(
            viewer,
            "post.hidden",
            post,
            partner_id=post.partner_id,
            before={"status": post.status.value},
            after={"status": PostStatus.HIDDEN.value, "reason": reason},
        )
        for user_id in await _publishers(post.partner_id):
            await notify(
                user_id,
                "post_hidden",
                "Publication masquée par la modération",
                f"Votre publication du {post.created_at.astimezone(clock.PARIS):%d/%m/%Y} "
                f"n'est plus visible. Motif : {reason}",
                {"postId": str(post.id), "partnerId": str(post.partner_id)},
            )
    await post.refresh_from_db()
    return post


async def restore_post(viewer: Viewer, post_id: UUID) -> Post:
    """Moderation takes a hiding back: the post is on show again; the partner is told."""
    async with atomic():
        restored = await Post.filter(id=post_id, status=PostStatus.HIDDEN).update(
            status=PostStatus.PUBLISHED, hidden_reason=None, hidden_by_id=None
        )
        post = await Post.get_or_none(id=post_id)
        if post is None or post.status == PostStatus.DELETED:
            raise not_found("Publication")
        if not restored:
            raise DomainError(ErrorCode.INVALID_STATE, "Cette publication n'est pas masquée.")
        await record(
            viewer,
            "post.restored",
            post,
            partner_id=post.partner_id,
            before={"status": PostStatus.HIDDEN.value},
            after={"status": PostStatus.PUBLISHED.value},
        )
        for user_id in await _publishers(post.partner_id):
            await notify(
                user_id,
                "post_hidden",
                "Publication rétablie par la modération",
                f"Votre publication du {post.created_at.astimezone(clock.PARIS):%d/%m/%Y} "
                "est de nouveau visible.",
                {"postId": str(post.id), "partnerId": str(post.partner_id)},
            )
    return post


async def hidden_posts(first: int) -> list[Post]:
    """Newest first: those moderation may restore."""
    return (
        await Post.filter(status=PostStatus.HIDDEN)
        .order_by("-created_at", "-id")
        .limit(max(1, min(first, 100)))
    )


async def dismiss_report(viewer: Viewer, report_id: UUID) -> PostReport:
    report = await PostReport.get_or_none(id=report_id)
    if report is None:
        raise not_found("Signalement")
    if report.status != ReportStatus.OPEN:
        raise DomainError(ErrorCode.INVALID_STATE, "Ce signalement est déjà traité.")
    async with atomic():
        report.status, report.handled_by_id, report.handled_at = (
            ReportStatus.DISMISSED,
            viewer.signed_in_user.id,
            clock.now(),
        )
        await report.save(update_fields=["status", "handled_by_id", "handled_at"])
        await record(
            viewer,
            "post_report.dismissed",
            report,
            before={"status": ReportStatus.OPEN.value},
            after={"status": ReportStatus.DISMISSED.value},
        )
    return report


async def _publishers(partner_id: UUID) -> list[UUID]:
    """The principal and the delegates who publish: those who must know."""
    delegates = await Delegate.filter(partner_id=partner_id, status=DelegateStatus.ACTIVE)
    return [
        d.user_id
        for d in delegates
        if d.is_principal or DelegatePermission.OFFERS_AND_POSTS.value in d.permissions
    ]
