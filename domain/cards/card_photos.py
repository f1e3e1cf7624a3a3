"""The card holder's photo for the identity check at the till.

The young person sends it from their phone; it goes through the image rules of
domain/core/images.py (type sniffed from the content, weight and pixel limits, re-encoded to
WebP without EXIF or GPS) and is centre-cropped to a 3:4 portrait of at most 480 × 640. It
waits (`pending`) until support staff validate or refuse it; a refusal carries a reason from
a list and the agent's words, and the young person is told in French (inbox, push, email).
A partner sees only the validated photo, and only at the lookup of that holder's card.

At most one pending and one validated photo per holder (the database says so too): a new
photo replaces the pending or refused one; the validated one stays shown until a newer one
is validated, which deletes it. The files live under `card-photos/` in the storage, which
`/media` never serves: they are read through links signed with SECRET_KEY that expire after
PHOTO_LINK_MINUTES and name one photo (`photo_link`, `read_photo_link`). They go with the
account (domain/privacy/closure.py) and are in the copy of one's data (export.py).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import jwt

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, forbidden, invalid, not_found
from domain.core.images import PurposeRules, VariantSpec, encode_with_rules, read_upload
from domain.core.text import clean_text
from domain.core.transactions import after_commit, atomic
from domain.notifications.notify import notify
from infra.settings import get_settings
from infra.storage import PRIVATE_PREFIX, StoredFileNotFound, get_storage
from models.accounts import StaffRole
from models.cards import Beneficiary, CardPhoto, CardPhotoStatus

logger = logging.getLogger(__name__)

PHOTO_RULES = PurposeRules(
    "La photo",
    (VariantSpec("portrait", 480, 640, crop=True),),
    240,
    320,
    0.5,
    1.8,
    "La photo doit être prise en hauteur ou presque carrée : elle est recadrée en portrait "
    "(3 × 4), le visage au centre.",
)
PHOTO_LINK_MINUTES = 10
MAX_QUEUE = 50
MAX_DETAILS = 500
LINK_PATH = "/photos-carte"
ISSUER, ALGORITHM, KIND = "cjeune", "HS256", "card-photo"
NOTIFICATION_KIND = "card_photo_decision"

# Why a photo is refused: what the young person reads, before the agent's own words.
REFUSAL_REASONS = {
    "face_not_visible": "Votre visage n'est pas entièrement visible, de face.",
    "blurry_or_dark": "La photo est floue, trop sombre ou trop petite.",
    "not_the_holder": "La photo ne semble pas être la vôtre.",
    "several_people": "Il y a plusieurs personnes sur la photo.",
    "not_suitable": "La photo ne convient pas à une vérification d'identité (filtre, "
    "lunettes de soleil, couvre-chef…).",
    "other": "Autre motif.",
}


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def photo_key(photo_id: UUID) -> str:
    return f"{PRIVATE_PREFIX}{photo_id.hex[:2]}/{photo_id}.webp"


def refusal_text(photo: CardPhoto) -> str | None:
    """The reason as the young person reads it: the list's words, then the agent's."""
    if photo.refusal_reason is None:
        return None
    text = REFUSAL_REASONS.get(photo.refusal_reason, REFUSAL_REASONS["other"])
    return f"{text} {photo.refusal_details}" if photo.refusal_details else text


# --- the young person ------------------------------------------------------------------------


async def holder_of(viewer: Viewer) -> Beneficiary:
    """The card holder the signed-in young person is (their newest, if several)."""
    if not viewer.is_young_person:
        raise forbidden("Seul le titulaire de la carte envoie sa photo.")
    holder = (
        await Beneficiary.filter(user_id=viewer.signed_in_user.id).order_by("-created_at").first()
    )
    if holder is None:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            "Activez d'abord votre carte : la photo est celle du titulaire d'une carte.",
        )
    return holder


async def submit(viewer: Viewer, data: bytes | Any, filename: str | None = None) -> CardPhoto:
    """The young person's new photo, pending; it replaces a pending or refused one."""
    holder = await holder_of(viewer)
    settings = get_settings()
    content = await read_upload(data, settings.max_upload_bytes)
    if not content:
        raise DomainError(ErrorCode.INVALID_IMAGE, "Le fichier est vide.", "file")
    encoded = await asyncio.to_thread(
        encode_with_rules, content, PHOTO_RULES, settings.max_image_pixels
    )
    portrait = encoded[0]
    photo_id = uuid.uuid4()
    key = photo_key(photo_id)
    storage = get_storage()
    await storage.save(key, portrait.data, "image/webp")
    try:
        async with atomic():
            await Beneficiary.select_for_update().get(id=holder.id)  # one submission at a time
            replaced = await CardPhoto.filter(
                beneficiary_id=holder.id,
                status__in=[CardPhotoStatus.PENDING, CardPhotoStatus.REFUSED],
            )
            await CardPhoto.filter(id__in=[p.id for p in replaced]).delete()
            photo = await CardPhoto.create(
                id=photo_id,
                beneficiary_id=holder.id,
                storage_key=key,
                width=portrait.width,
                height=portrait.height,
                status=CardPhotoStatus.PENDING,
                submitted_by_id=viewer.signed_in_user.id,
                submitted_at=clock.now(),
            )
            await _delete_files_after_commit([p.storage_key for p in replaced])
    except BaseException:
        await _delete_files([key])
        raise
    logger.info("card photo %s sent (%r)", photo_id, filename)
    return photo


@dataclass(frozen=True)
class MyPhotos:
    shown: CardPhoto | None  # validated: what partners see
    latest: CardPhoto | None  # pending or refused: the one sent since


async def my_photos(viewer: Viewer) -> MyPhotos:
    if not viewer.is_young_person:
        raise forbidden("Seul le titulaire de la carte voit l'état de sa photo.")
    photos = await CardPhoto.filter(beneficiary__user_id=viewer.signed_in_user.id).order_by(
        "-submitted_at"
    )
    shown = next((p for p in photos if p.status == CardPhotoStatus.VALIDATED), None)
    latest = next((p for p in photos if p.status != CardPhotoStatus.VALIDATED), None)
    return MyPhotos(shown, latest)


# --- support staff ---------------------------------------------------------------------------


def _check_support(viewer: Viewer) -> None:
    if not viewer.has_staff_role(StaffRole.SUPPORT):
        raise forbidden("Seule l'équipe Jeunes et cartes du Département valide les photos.")


async def queue(viewer: Viewer, first: int = 20) -> list[CardPhoto]:
    """The pending photos, oldest first, with their holder. Looking at a minor's photo is
    audited like opening their record: one entry per photo shown, its id only."""
    _check_support(viewer)
    photos = (
        await CardPhoto.filter(status=CardPhotoStatus.PENDING)
        .select_related("beneficiary")
        .order_by("submitted_at", "id")
        .limit(max(1, min(first, MAX_QUEUE)))
    )
    if photos:
        async with atomic():
            for photo in photos:
                await record(viewer, "card_photo.viewed", photo)
    return photos


async def _pending(photo_id: UUID) -> CardPhoto:
    # Locked alone: PostgreSQL refuses FOR UPDATE across the join a select_related makes.
    photo = await CardPhoto.select_for_update().get_or_none(id=photo_id)
    if photo is None:
        raise not_found("Photo")
    if photo.status != CardPhotoStatus.PENDING:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            "Cette photo a déjà été examinée, ou remplacée par une autre depuis.",
        )
    await photo.fetch_related("beneficiary")
    return photo


async def validate(viewer: Viewer, photo_id: UUID) -> CardPhoto:
    """The photo becomes the one partners see; the one validated before is deleted."""
    _check_support(viewer)
    async with atomic():
        photo = await _pending(photo_id)
        older = await CardPhoto.filter(beneficiary_id=photo.beneficiary_id).exclude(id=photo.id)
        await CardPhoto.filter(id__in=[p.id for p in older]).delete()
        await _delete_files_after_commit([p.storage_key for p in older])
        photo.status = CardPhotoStatus.VALIDATED
        photo.decided_by_id = viewer.signed_in_user.id
        photo.decided_at = clock.now()
        await photo.save(update_fields=["status", "decided_by_id", "decided_at"])
        await record(viewer, "card_photo.validated", photo, after={"status": "validated"})
        await _tell_holder(
            photo,
            "Photo validée",
            "Votre photo est validée : les partenaires la voient quand ils vérifient votre carte.",
        )
    return photo


async def refuse(viewer: Viewer, photo_id: UUID, reason: str, details: str | None) -> CardPhoto:
    """The photo is refused for `reason` (a key of REFUSAL_REASONS) and the agent's words
    (required for « other »); the young person reads both and may send another."""
    _check_support(viewer)
    if reason not in REFUSAL_REASONS:
        raise invalid("reason", "Choisissez le motif du refus dans la liste.")
    details = clean_text("details", details, max_length=MAX_DETAILS, multiline=True, required=False)
    if reason == "other" and not details:
        raise invalid("details", "Précisez le motif du refus : le jeune le lira.")
    async with atomic():
        photo = await _pending(photo_id)
        photo.status = CardPhotoStatus.REFUSED
        photo.refusal_reason = reason
        if details:  # otherwise it stays null, as every pending photo's is
            photo.refusal_details = details
        photo.decided_by_id = viewer.signed_in_user.id
        photo.decided_at = clock.now()
        await photo.save(
            update_fields=[
                "status",
                "refusal_reason",
                "refusal_details",
                "decided_by_id",
                "decided_at",
            ]
        )
        # The reason's code only: the agent's words may name the young person.
        await record(
            viewer, "card_photo.refused", photo, after={"status": "refused", "reason": reason}
        )
        await _tell_holder(
            photo,
            "Photo refusée",
            f"Votre photo n'a pas été validée. Motif : {refusal_text(photo)} "
            "Envoyez-en une autre depuis « Ma photo ».",
        )
    return photo


async def _tell_holder(photo: CardPhoto, title: str, body: str) -> None:
    user_id = photo.beneficiary.user_id
    if user_id is not None:
        data = {"photoId": str(photo.id), "status": photo.status.value}
        await notify(user_id, NOTIFICATION_KIND, title, body, data)


# --- what partners see -----------------------------------------------------------------------


async def validated_photo(beneficiary_id: UUID) -> CardPhoto | None:
    return await CardPhoto.get_or_none(
        beneficiary_id=beneficiary_id, status=CardPhotoStatus.VALIDATED
    )


# --- the signed links ------------------------------------------------------------------------


def photo_link(photo: CardPhoto) -> str:
    """An address that shows this photo for PHOTO_LINK_MINUTES, to whoever was given it."""
    settings = get_settings()
    expires = clock.now() + timedelta(minutes=PHOTO_LINK_MINUTES)
    claims = {"iss": ISSUER, "typ": KIND, "pid": str(photo.id), "exp": int(expires.timestamp())}
    token = jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)
    return f"{settings.public_url}{LINK_PATH}/{token}"


async def read_photo_link(token: str) -> bytes:
    """The photo's WebP bytes; LinkExpired past its lifetime, LinkInvalid otherwise (a
    changed character, another kind of link, a photo deleted since)."""
    try:
        payload = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "typ", "pid"], "verify_exp": False},
        )
        photo_id = UUID(payload["pid"])
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise LinkInvalid from error
    if payload.get("typ") != KIND:
        raise LinkInvalid
    if payload["exp"] <= clock.now().timestamp():  # the project's clock, not the wall's
        raise LinkExpired
    photo = await CardPhoto.get_or_none(id=photo_id)
    if photo is None:
        raise LinkInvalid
    try:
        return await get_storage().read(photo.storage_key)
    except StoredFileNotFound as error:
        raise LinkInvalid from error


# --- the account's data ----------------------------------------------------------------------


async def erase_photos_of(user_id: UUID) -> None:
    """Closing the account: the photos of its cards' holders, the rows now, the files once
    the closure commits."""
    photos = await CardPhoto.filter(beneficiary__user_id=user_id)
    await CardPhoto.filter(id__in=[p.id for p in photos]).delete()
    await _delete_files_after_commit([p.storage_key for p in photos])


async def photo_files(beneficiary_ids: list[UUID]) -> dict[str, bytes]:
    """The copy of one's data: each photo's file, named after its row's id."""
    files = {}
    for photo in await CardPhoto.filter(beneficiary_id__in=beneficiary_ids):
        try:
            files[f"photos/{photo.id}.webp"] = await get_storage().read(photo.storage_key)
        except StoredFileNotFound:
            logger.warning("card photo %s has no file", photo.id)
    return files


async def _delete_files_after_commit(keys: list[str]) -> None:
    if keys:
        await after_commit(lambda: _delete_files(keys))


async def _delete_files(keys: list[str]) -> None:
    storage = get_storage()
    for key in keys:
        try:
            await storage.delete(key)
        except Exception:
            logger.exception("could not delete the card photo file %s", key)
