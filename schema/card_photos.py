"""The card holder's photo for the identity check at the till: the young person sends it
(`submitCardPhoto`), support staff validate or refuse it (`cardPhotoQueue`,
`validateCardPhoto`, `refuseCardPhoto`), partners see the validated one at `lookupCard`
(`CardHolder.photoUrl`). Every address of a photo is a signed link valid a few minutes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from models.accounts import StaffRole
from models.cards import CardPhoto as CardPhotoModel
from models.cards import CardPhotoStatus as CardPhotoStatusModel
from resolvers import card_photos
from resolvers.context import Info
from resolvers.permissions import YOUNG_PERSON, allow, staff
from schema.errors import UserError, user_errors

SUPPORT = staff(StaffRole.SUPPORT)

CardPhotoStatus = strawberry.enum(
    CardPhotoStatusModel,
    name="CardPhotoStatus",
    description="PENDING: waiting for the département; VALIDATED: shown to partners at "
    "lookup; REFUSED: with a reason, the young person may send another.",
)


@strawberry.enum(description="Why support staff refused a photo (OTHER needs `details`).")
class CardPhotoRefusalReason(StrEnum):
    FACE_NOT_VISIBLE = "face_not_visible"
    BLURRY_OR_DARK = "blurry_or_dark"
    NOT_THE_HOLDER = "not_the_holder"
    SEVERAL_PEOPLE = "several_people"
    NOT_SUITABLE = "not_suitable"
    OTHER = "other"


@strawberry.type(description="A photo sent for the card: a 3:4 portrait of at most 480x640.")
class CardPhoto:
    id: strawberry.ID
    status: CardPhotoStatus
    width: int
    height: int
    submitted_at: datetime
    decided_at: datetime | None
    refusal_reason: CardPhotoRefusalReason | None
    refusal_message: str | None = strawberry.field(
        description="The refusal as the young person reads it, in French: the reason's words "
        "and the agent's."
    )
    url: str = strawberry.field(description="A signed link to the image, valid a few minutes.")

    @classmethod
    def from_model(cls, photo: CardPhotoModel) -> CardPhoto:
        reason = photo.refusal_reason
        return cls(
            id=strawberry.ID(str(photo.id)),
            status=photo.status,
            width=photo.width,
            height=photo.height,
            submitted_at=photo.submitted_at,
            decided_at=photo.decided_at,
            refusal_reason=CardPhotoRefusalReason(reason) if reason else None,
            refusal_message=card_photos.refusal_text(photo),
            url=card_photos.photo_url(photo),
        )

    @classmethod
    def maybe(cls, photo: CardPhotoModel | None) -> CardPhoto | None:
        return cls.from_model(photo) if photo is not None else None


@strawberry.type(description="The young person's photos: the one shown, the one sent since.")
class MyCardPhoto:
    shown: CardPhoto | None = strawberry.field(
        description="The validated photo partners see at lookup; null until one is validated."
    )
    latest: CardPhoto | None = strawberry.field(
        description="A photo sent since, pending or refused; a new one replaces it."
    )


@strawberry.type(description="A pending photo, beside what support staff compare it with.")
class CardPhotoReview:
    photo: CardPhoto
    first_name: str
    last_name: str
    birth_date: date

    @classmethod
    def from_model(cls, photo: CardPhotoModel) -> CardPhotoReview:
        holder = photo.beneficiary
        return cls(
            photo=CardPhoto.from_model(photo),
            first_name=holder.first_name,
            last_name=holder.last_name,
            birth_date=holder.birth_date,
        )


@strawberry.type
class CardPhotoSuccess:
    photo: CardPhoto


CardPhotoResult = Annotated[CardPhotoSuccess | UserError, strawberry.union("CardPhotoResult")]


@strawberry.type
class CardPhotoQueries:
    @strawberry.field(
        extensions=allow(YOUNG_PERSON),
        description="The signed-in young person's card photo and where it stands.",
    )
    async def my_card_photo(self, info: Info) -> MyCardPhoto:
        found = await card_photos.my_photos(info)
        return MyCardPhoto(shown=CardPhoto.maybe(found.shown), latest=CardPhoto.maybe(found.latest))

    @strawberry.field(
        extensions=allow(SUPPORT),
        description="The photos waiting for validation, oldest first (at most 50), with the "
        "holder's name and birth date. Each photo shown is audited (who, when, its id).",
    )
    async def card_photo_queue(self, info: Info, first: int = 20) -> list[CardPhotoReview]:
        return [CardPhotoReview.from_model(p) for p in await card_photos.queue(info, first)]


@strawberry.type
class CardPhotoMutations:
    @strawberry.mutation(
        extensions=allow(YOUNG_PERSON),
        description="Send one's photo for the card (GraphQL multipart request): JPEG, PNG or "
        "WebP, re-encoded without metadata and cropped to a 3:4 portrait. It waits for the "
        "département; it replaces a pending or refused one, and the validated one stays "
        "shown until this one is validated.",
    )
    @user_errors
    async def submit_card_photo(self, info: Info, file: Upload) -> CardPhotoResult:
        return CardPhotoSuccess(photo=CardPhoto.from_model(await card_photos.submit(info, file)))

    @strawberry.mutation(
        extensions=allow(SUPPORT),
        description="Validate a pending photo: partners see it at lookup from now on (the "
        "one validated before is deleted); the young person is told. Audited.",
    )
    @user_errors
    async def validate_card_photo(self, info: Info, id: strawberry.ID) -> CardPhotoResult:
        return CardPhotoSuccess(photo=CardPhoto.from_model(await card_photos.validate(info, id)))

    @strawberry.mutation(
        extensions=allow(SUPPORT),
        description="Refuse a pending photo for a reason (and `details`, required for OTHER), "
        "which the young person reads in their notification and on their page. Audited.",
    )
    @user_errors
    async def refuse_card_photo(
        self, info: Info, id: strawberry.ID, reason: CardPhotoRefusalReason, details: str = ""
    ) -> CardPhotoResult:
        photo = await card_photos.refuse(info, id, reason.value, details)
        return CardPhotoSuccess(photo=CardPhoto.from_model(photo))
