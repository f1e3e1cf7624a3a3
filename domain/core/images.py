"""Uploaded images: checked with Pillow, re-encoded without metadata, resized, stored.

Only the content decides: the file must decode as JPEG, PNG or WebP whatever its name or
declared type. It is refused above `MAX_UPLOAD_BYTES` (read in chunks, stopped at the
limit) or `MAX_IMAGE_PIXELS` (checked from the header, before decoding), and below the
purpose's minimum size. An animated PNG or WebP keeps its first frame only. The picture is
turned upright (EXIF orientation), converted to sRGB, and every variant is a fresh WebP
written without EXIF, GPS, XMP or ICC data.

Variants (never enlarged: a smaller source gives a smaller variant):

    logo                 small 96x96, medium 256x256, large 512x512   centre-cropped square
    banner               medium 1200x400, large 2400x800              centre-cropped 3:1
    post, offer, highlight  small 320, medium 800, large 1600         longest side, ratio kept

Files are written first, then the `Image` row; if anything fails, what was written is
deleted. Keys: images/<2 hex>/<uuid>-<variant>.webp. `Image.width`/`height` are those of
the largest variant.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from uuid import UUID

from PIL import Image as Pillow
from PIL import ImageCms, ImageOps, UnidentifiedImageError

from domain.accounts.viewer import Viewer
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, forbidden, invalid, not_found
from domain.core.transactions import atomic
from infra.settings import get_settings
from infra.storage import get_storage
from models.accounts import StaffRole
from models.partners import DelegatePermission
from models.social import Image, ImagePurpose

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
READ_CHUNK = 64 * 1024
WEBP_QUALITY = 82
# Decoding a 40-megapixel picture takes hundreds of megabytes: a few at a time per process.
_DECODING = threading.BoundedSemaphore(2)
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class VariantSpec:
    name: str
    width: int
    height: int
    crop: bool  # True: centre-cropped to exactly this ratio; False: fitted within the box


@dataclass(frozen=True)
class PurposeRules:
    label: str  # the French subject of the error messages
    variants: tuple[VariantSpec, ...]
    min_width: int
    min_height: int
    min_ratio: float  # width / height
    max_ratio: float
    ratio_message: str


def _fitted(*edges: int) -> tuple[VariantSpec, ...]:
    names = ("small", "medium", "large")
    return tuple(VariantSpec(n, e, e, crop=False) for n, e in zip(names, edges, strict=True))


_PICTURE_RATIO = "Une image de plus de 4 fois plus large que haute (ou l'inverse) est refusée."
RULES: dict[ImagePurpose, PurposeRules] = {
    ImagePurpose.LOGO: PurposeRules(
        "Le logo",
        (
            VariantSpec("small", 96, 96, crop=True),
            VariantSpec("medium", 256, 256, crop=True),
            VariantSpec("large", 512, 512, crop=True),
        ),
        200,
        200,
        0.5,
        2.0,
        "Le logo doit être à peu près carré (il est recadré en carré).",
    ),
    ImagePurpose.BANNER: PurposeRules(
        "La bannière",
        (
            VariantSpec("medium", 1200, 400, crop=True),
            VariantSpec("large", 2400, 800, crop=True),
        ),
        1200,
        400,
        1.3,  # a 4:3 photo still gives a usable 3:1 crop; a square does not
        6.0,
        "La bannière doit être bien plus large que haute (elle est recadrée en 3 pour 1).",
    ),
    ImagePurpose.POST: PurposeRules(
        "L'image de la publication", _fitted(320, 800, 1600), 200, 200, 0.25, 4.0, _PICTURE_RATIO
    ),
    ImagePurpose.OFFER: PurposeRules(
        "Le visuel de l'offre", _fitted(320, 800, 1600), 200, 200, 0.25, 4.0, _PICTURE_RATIO
    ),
    ImagePurpose.HIGHLIGHT: PurposeRules(
        "L'image de l'actualité", _fitted(320, 800, 1600), 200, 200, 0.25, 4.0, _PICTURE_RATIO
    ),
}


@dataclass(frozen=True)
class EncodedVariant:
    name: str
    data: bytes
    width: int
    height: int


def _decimal(value: float) -> str:
    return f"{value:.3g}".replace(".", ",")


def _too_heavy(limit: int) -> DomainError:
    return DomainError(
        ErrorCode.IMAGE_TOO_LARGE,
        f"Le fichier dépasse {_decimal(limit / (1024 * 1024))} Mo.",
        "file",
    )


def _not_an_image() -> DomainError:
    return DomainError(
        ErrorCode.INVALID_IMAGE, "Ce fichier n'est pas une image JPEG, PNG ou WebP.", "file"
    )


# --- reading the upload --------------------------------------------------------------


async def read_upload(data: Any, limit: int) -> bytes:
    """The bytes of `data` (bytes, or a file with a sync or async `read`), refused as soon
    as they pass `limit`: a huge upload is never read further than that."""
    if isinstance(data, bytes | bytearray | memoryview):
        if len(data) > limit:
            raise _too_heavy(limit)
        return bytes(data)
    declared = getattr(data, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_heavy(limit)
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = data.read(READ_CHUNK)
        if inspect.isawaitable(chunk):
            chunk = await chunk
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise _too_heavy(limit)
        chunks.append(chunk)


# --- checking and re-encoding (CPU work, run in a thread) ----------------------------


def _too_many_pixels(max_pixels: int, size: tuple[int, int] | None = None) -> DomainError:
    actual = f" (celle-ci fait {size[0]} × {size[1]} pixels)" if size else ""
    return DomainError(
        ErrorCode.IMAGE_TOO_LARGE,
        f"L'image est trop grande : {_decimal(max_pixels / 1_000_000)} mégapixels au plus{actual}.",
        "file",
    )


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    if size[0] * size[1] > max_pixels:
        raise _too_many_pixels(max_pixels, size)


def _check_shape(size: tuple[int, int], rules: PurposeRules) -> None:
    width, height = size
    if width < rules.min_width or height < rules.min_height:
        raise DomainError(
            ErrorCode.INVALID_IMAGE,
            f"{rules.label} doit mesurer au moins {rules.min_width} × {rules.min_height} pixels "
            f"(celle-ci fait {width} × {height}).",
            "file",
        )
    if not rules.min_ratio <= width / height <= rules.max_ratio:
        raise DomainError(ErrorCode.INVALID_IMAGE, rules.ratio_message, "file")


def _decoded(data: bytes, rules: PurposeRules, max_pixels: int) -> Pillow.Image:
    """The first frame, decoded, after the checks that need only the header."""
    try:
        with Pillow.open(BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            _check_pixels(probe.size, max_pixels)
            probe.verify()  # structure and checksums, without decoding the pixels
        image = Pillow.open(BytesIO(data), formats=ACCEPTED_FORMATS)
        _check_pixels(image.size, max_pixels)
        upright = image.size
        if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # rotated a quarter turn
            upright = (image.size[1], image.size[0])
        _check_shape(upright, rules)
        # JPEG can decode at 1/2, 1/4, 1/8 scale: still at least the largest variant's size.
        edge = max(max(v.width, v.height) for v in rules.variants)
        image.draft(None, (edge, edge))
        image.load()
        return image
    except Pillow.DecompressionBombError:  # above Pillow's own limit, before our check
        raise _too_many_pixels(max_pixels) from None
    except UnidentifiedImageError:
        raise _not_an_image() from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as error:
        # Truncated data, broken checksums, impossible headers.
        raise DomainError(
            ErrorCode.INVALID_IMAGE, "Cette image est illisible ou incomplète.", "file"
        ) from error


def _has_alpha(image: Pillow.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _in_srgb(image: Pillow.Image) -> Pillow.Image:
    """RGB or RGBA pixels in sRGB; the embedded colour profile, if any, is applied then
    dropped (browsers assume sRGB for an untagged picture)."""
    icc = image.info.get("icc_profile")
    target = "RGBA" if _has_alpha(image) else "RGB"
    if image.mode not in ("CMYK", target):
        image = image.convert(target)
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(BytesIO(icc))
            # Typed `Image | None` for its inPlace=True form; this one returns the new image.
            image = ImageCms.profileToProfile(image, source, _SRGB, outputMode=target)  # type: ignore[assignment]
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken or mismatched profile: keep the values as they are
    return image.convert(target) if image.mode != target else image


def _resized(image: Pillow.Image, spec: VariantSpec) -> Pillow.Image:
    width, height = image.size
    if spec.crop:
        ratio = spec.width / spec.height
        box_width = min(width, height * ratio)  # the largest centred box of that ratio
        scale = min(1.0, box_width / spec.width)
        size = (max(1, round(spec.width * scale)), max(1, round(spec.height * scale)))
        return ImageOps.fit(image, size, Pillow.Resampling.LANCZOS)
    copy = image.copy()
    copy.thumbnail((spec.width, spec.height), Pillow.Resampling.LANCZOS, reducing_gap=3.0)
    return copy


def _webp(image: Pillow.Image) -> bytes:
    image.info = {}  # nothing of the source's metadata travels with the pixels
    buffer = BytesIO()
    image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()


def encode_variants(data: bytes, purpose: ImagePurpose, max_pixels: int) -> list[EncodedVariant]:
    """Check `data` and return its variants for `purpose`; raises DomainError. Blocking."""
    return encode_with_rules(data, RULES[purpose], max_pixels)


def encode_with_rules(data: bytes, rules: PurposeRules, max_pixels: int) -> list[EncodedVariant]:
    """The same checks and re-encoding for rules of another kind of picture (the card
    holder's photo, domain/cards/card_photos.py). Blocking."""
    with _DECODING:
        image = _decoded(data, rules, max_pixels)
        try:
            picture = _in_srgb(ImageOps.exif_transpose(image))
        finally:
            image.close()
        variants = []
        for spec in rules.variants:
            resized = _resized(picture, spec)
            variants.append(EncodedVariant(spec.name, _webp(resized), *resized.size))
        return variants


# --- authorization, storage, the row -------------------------------------------------

_PERMISSION_FOR = {
    ImagePurpose.LOGO: DelegatePermission.PROFILE,
    ImagePurpose.BANNER: DelegatePermission.PROFILE,
    ImagePurpose.POST: DelegatePermission.OFFERS_AND_POSTS,
    ImagePurpose.OFFER: DelegatePermission.OFFERS_AND_POSTS,
}
_PERMISSION_NAMES = {
    DelegatePermission.PROFILE: "profil",
    DelegatePermission.OFFERS_AND_POSTS: "offres et publications",
}
HIGHLIGHT_ROLES = (StaffRole.MARKETING, StaffRole.MODERATION)


def check_may_upload(viewer: Viewer, partner_id: UUID | None, purpose: ImagePurpose) -> None:
    """A partner's images by its delegates with the right permission; the département's
    highlight images (no partner) by marketing or moderation staff."""
    if partner_id is None:
        if purpose is ImagePurpose.HIGHLIGHT and viewer.has_staff_role(*HIGHLIGHT_ROLES):
            return
        if viewer.is_staff and purpose is not ImagePurpose.HIGHLIGHT:
            raise invalid("partnerId", "Indiquez le partenaire à qui est cette image.")
        raise forbidden(
            "Seules les équipes communication et modération du Département ajoutent "
            "des images d'actualité."
        )
    if purpose is ImagePurpose.HIGHLIGHT:
        raise invalid("partnerId", "Une image d'actualité est au Département : sans partenaire.")
    permission = _PERMISSION_FOR[purpose]
    if not viewer.may_act_for(partner_id, permission):
        raise forbidden(f"Il faut la permission « {_PERMISSION_NAMES[permission]} » du partenaire.")


def variant_key(image_id: UUID, variant: str) -> str:
    return f"images/{image_id.hex[:2]}/{image_id}-{variant}.webp"


async def _discard(keys: Iterable[str]) -> None:
    storage = get_storage()
    for key in keys:
        try:
            await storage.delete(key)
        except Exception:
            logger.exception("could not delete %s after a failed upload", key)


async def store_image(
    viewer: Viewer,
    partner_id: UUID | None,
    purpose: ImagePurpose,
    data: bytes | Any,
    filename: str | None = None,
) -> Image:
    """Check, re-encode and store an upload; the new `Image` row. `filename` is only
    logged: the content alone decides what the file is. Raises DomainError."""
    check_may_upload(viewer, partner_id, purpose)
    settings = get_settings()
    content = await read_upload(data, settings.max_upload_bytes)
    if not content:
        raise DomainError(ErrorCode.INVALID_IMAGE, "Le fichier est vide.", "file")
    variants = await asyncio.to_thread(encode_variants, content, purpose, settings.max_image_pixels)
    image_id = uuid.uuid4()
    keys = {v.name: variant_key(image_id, v.name) for v in variants}
    largest = max(variants, key=lambda v: v.width * v.height)
    storage = get_storage()
    try:
        for variant in variants:
            await storage.save(keys[variant.name], variant.data, "image/webp")
        async with atomic():
            image = await Image.create(
                id=image_id,
                partner_id=partner_id,
                uploaded_by_id=viewer.user.id if viewer.user else None,
                purpose=purpose,
                width=largest.width,
                height=largest.height,
                variants=keys,
            )
            await record(
                viewer,
                "image.uploaded",
                image,
                partner_id=partner_id,
                after={"purpose": purpose.value, "width": largest.width, "height": largest.height},
            )
    except BaseException:
        await _discard(keys.values())
        raise
    logger.info("image %s stored (%s, %r)", image_id, purpose.value, filename)
    return image


async def image_for(
    partner_id: UUID | None, image_id: UUID, purposes: Iterable[ImagePurpose]
) -> Image:
    """The image, if it is that partner's (None: the département's) with one of `purposes`;
    for attaching an uploaded image to a profile, a post or an offer."""
    owner = {"partner_id__isnull": True} if partner_id is None else {"partner_id": partner_id}
    image = await Image.get_or_none(id=image_id, purpose__in=list(purposes), **owner)
    if image is None:
        raise not_found("Image")
    return image
