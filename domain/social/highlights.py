"""The département's own highlights, shown in every young person's feed."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.text import clean_text, has_hidden_character
from domain.core.transactions import atomic
from models.social import Highlight, Image, ImagePurpose

MAX_TITLE = 200
MAX_BODY = 2000


async def publish_highlight(
    viewer: Viewer,
    title: str,
    body: str,
    link: str | None,
    image_id: UUID | None,
    published_at: datetime | None,
) -> Highlight:
    title = clean_text("title", title, max_length=MAX_TITLE)
    body = clean_text("body", body, max_length=MAX_BODY, multiline=True)
    if link is not None and (not link.startswith("https://") or has_hidden_character(link)):
        raise invalid("link", "Le lien doit commencer par https://.")
    if image_id is not None and not await Image.exists(id=image_id, purpose=ImagePurpose.HIGHLIGHT):
        raise invalid("imageId", "Image introuvable.")
    async with atomic():
        highlight = await Highlight.create(
            author_id=viewer.signed_in_user.id,
            title=title,
            body=body,
            link=link,
            image_id=image_id,
            published_at=published_at or clock.now(),
        )
        await record(viewer, "highlight.published", highlight, after={"title": title})
    return highlight


async def withdraw_highlight(viewer: Viewer, highlight_id: UUID) -> Highlight:
    highlight = await Highlight.get_or_none(id=highlight_id)
    if highlight is None:
        raise not_found("Actualité")
    if highlight.withdrawn_at is not None:
        raise DomainError(ErrorCode.INVALID_STATE, "Cette actualité est déjà retirée.")
    async with atomic():
        highlight.withdrawn_at = clock.now()
        await highlight.save(update_fields=["withdrawn_at"])
        await record(viewer, "highlight.withdrawn", highlight, after={"title": highlight.title})
    return highlight
