"""Resolver for image uploads: the file goes to domain.core.images, which checks everything."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload

from domain.core import images
from models.social import Image, ImagePurpose
from resolvers.arguments import parse_id
from resolvers.context import Info


async def upload_image(
    info: Info, purpose: ImagePurpose, file: Upload, partner_id: strawberry.ID | None
) -> Image:
    owner = parse_id(partner_id, "partnerId") if partner_id is not None else None
    return await images.store_image(
        info.context.viewer, owner, purpose, file, getattr(file, "filename", None)
    )
