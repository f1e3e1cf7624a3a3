"""The image type: every picture the apps show (logos, banners, post images, visuals),
and the upload mutation (`ImageMutations`, composed into the root Mutation)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from infra.storage import public_url
from models.social import Image as ImageModel
from models.social import ImagePurpose as ImagePurposeModel
from resolvers import images
from resolvers.context import Info
from resolvers.permissions import SIGNED_IN, allow
from schema.errors import UserError, user_errors

ImagePurpose = strawberry.enum(
    ImagePurposeModel,
    name="ImagePurpose",
    description=(
        "What an image is for; it decides who may upload it, its minimum size and its "
        "variants: LOGO (square: 96, 256, 512 px), BANNER (3:1: 1200x400, 2400x800), "
        "POST, OFFER and HIGHLIGHT (longest side 320, 800, 1600 px)."
    ),
)


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


@strawberry.type(description="The image was checked, re-encoded and stored.")
class ImageUploaded:
    image: Image


UploadImageResult = Annotated[ImageUploaded | UserError, strawberry.union("UploadImageResult")]


@strawberry.type
class ImageMutations:
    @strawberry.mutation(
        extensions=allow(SIGNED_IN),
        description=(
            "Upload a JPEG, PNG or WebP image (GraphQL multipart request, with the header "
            "`Apollo-Require-Preflight: true`). A partner's logo and banner need its "
            "`profile` permission, post and offer images its `offers_and_posts` permission; "
            "highlight images have no partner and are for marketing and moderation staff. "
            "Metadata (EXIF, GPS) is removed; an animated image keeps its first frame."
        ),
    )
    @user_errors
    async def upload_image(
        self,
        info: Info,
        purpose: ImagePurpose,
        file: Upload,
        partner_id: strawberry.ID | None = None,
    ) -> UploadImageResult:
        result = await images.upload_image(info, purpose, file, partner_id)
        return ImageUploaded(image=Image.from_model(result))
