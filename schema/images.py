"""The image type: every picture the apps show (logos, banners, post images, visuals)."""

from __future__ import annotations

from enum import StrEnum

import strawberry

from models.social import Image as ImageModel
from server.storage import public_url


@strawberry.enum(description="The resized variants of an uploaded image.")
class ImageSize(StrEnum):
    SMALL = "small"  # thumbnails, avatars in lists
    MEDIUM = "medium"  # the feed
    LARGE = "large"  # full screen


@strawberry.type(description="A picture, re-encoded without its metadata, in several sizes.")
class Image:
    id: strawberry.ID
    width: int
    height: int
    variants: strawberry.Private[dict[str, str]]

    @strawberry.field(description="The address of the variant; the largest there is if absent.")
    def url(self, size: ImageSize = ImageSize.MEDIUM) -> str:
        key = self.variants.get(size.value) or next(iter(self.variants.values()), "")
        return public_url(key)

    @classmethod
    def from_model(cls, image: ImageModel) -> Image:
        return cls(
            id=strawberry.ID(str(image.id)),
            width=image.width,
            height=image.height,
            variants=image.variants,
        )
