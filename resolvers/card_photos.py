"""Resolvers of the card holder's photo: the file goes to domain/cards/card_photos.py, which
checks the image, the state and who may act."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry.file_uploads import Upload

from domain.cards import card_photos
from models.cards import CardPhoto
from resolvers.arguments import parse_id
from resolvers.context import Info


async def submit(info: Info, file: Upload) -> CardPhoto:
    return await card_photos.submit(info.context.viewer, file, getattr(file, "filename", None))


async def my_photos(info: Info) -> card_photos.MyPhotos:
    return await card_photos.my_photos(info.context.viewer)


async def queue(info: Info, first: int) -> list[CardPhoto]:
    return await card_photos.queue(info.context.viewer, first)


async def validate(info: Info, id: strawberry.ID) -> CardPhoto:
    return await card_photos.validate(info.context.viewer, parse_id(id, "id"))


async def refuse(info: Info, id: strawberry.ID, reason: str, details: str | None) -> CardPhoto:
    return await card_photos.refuse(info.context.viewer, parse_id(id, "id"), reason, details)


async def holder_photo_url(beneficiary_id: UUID) -> str | None:
    """The validated photo's signed link. Only reached through a holder the viewer was
    already allowed to see: their own card, a record support opened, a lookup at the till."""
    photo = await card_photos.validated_photo(beneficiary_id)
    return card_photos.photo_link(photo) if photo is not None else None


def photo_url(photo: CardPhoto) -> str:
    return card_photos.photo_link(photo)


def refusal_text(photo: CardPhoto) -> str | None:
    return card_photos.refusal_text(photo)
