"""Resolver for image uploads: the file goes to domain.core.images, which checks everything."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry.file_uploads import Upload

from domain.core import images
from domain.core.errors import DomainError, invalid
from models.social import Image, ImagePurpose
from schema.errors import UserError
from server.context import Info


async def upload_image(
    info: Info, purpose: ImagePurpose, file: Upload, partner_id: strawberry.ID | None
) -> Image | UserError:
    try:
        owner = None
        if partner_id is not None:
            try:
                owner = UUID(str(partner_id))
            except ValueError:
                raise invalid("partnerId", "Identifiant invalide.") from None
        return await images.store_image(
            info.context.viewer, owner, purpose, file, getattr(file, "filename", None)
        )
    except DomainError as error:
        return UserError.from_domain(error)
