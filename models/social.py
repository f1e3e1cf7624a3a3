"""The social network: partner profiles, images, posts, likes, follows, reports, highlights."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # for annotations only: Tortoise links the models by name ("models.X")
    from models.accounts import User
    from models.partners import Partner


class ImagePurpose(StrEnum):
    LOGO = "logo"
    BANNER = "banner"
    POST = "post"
    OFFER = "offer"  # deal and event visuals
    HIGHLIGHT = "highlight"


class Image(Model):
    """An uploaded picture, checked and re-encoded without metadata, with its resized variants."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    partner: fields.ForeignKeyNullableRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="images", null=True, on_delete=fields.CASCADE
    )
    partner_id: uuid.UUID | None
    uploaded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    uploaded_by_id: uuid.UUID | None
    purpose = fields.CharEnumField(ImagePurpose, max_length=16)
    width = fields.IntField()
    height = fields.IntField()
    # variant name -> storage key, e.g. {"small": "ab/cd...-small.webp", ...}
    variants: dict[str, str] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "images"


class LocationSource(StrEnum):
    GEOCODED = "geocoded"
    MOVED_BY_PARTNER = "moved_by_partner"
    COMMUNE_CENTRE = "commune_centre"  # the address base did not answer: refined by a job


class PartnerProfile(Model):
    """What a partner shows the young people: presentation, practical information, the map pin."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    partner: fields.OneToOneRelation[Partner] = fields.OneToOneField(
        "models.Partner", related_name="profile", on_delete=fields.CASCADE
    )
    partner_id: uuid.UUID
    description = fields.TextField(default="")
    street = fields.CharField(max_length=200, default="")
    postal_code = fields.CharField(max_length=5, default="")
    city = fields.CharField(max_length=100, default="")
    phone = fields.CharField(max_length=20, default="")
    contact_email = fields.CharField(max_length=254, default="")
    website = fields.CharField(max_length=300, default="")
    logo: fields.ForeignKeyNullableRelation[Image] = fields.ForeignKeyField(
        "models.Image", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    logo_id: uuid.UUID | None
    banner: fields.ForeignKeyNullableRelation[Image] = fields.ForeignKeyField(
        "models.Image", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    banner_id: uuid.UUID | None
    # {"monday": [["09:00", "12:00"], ["14:00", "18:30"]], ...}; a missing day is closed;
    # "closed_on_public_holidays": true when it says so.
    weekly_hours: dict[str, Any] = fields.JSONField(default=dict)
    accessibility: list[str] = fields.JSONField(default=list)  # motor, hearing, visual, mental
    accessibility_notes = fields.CharField(max_length=1000, default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    # Tortoise types a CharEnumField as never null, whatever null= says.
    location_source: fields.Field[LocationSource | None] = fields.CharEnumField(  # type: ignore[assignment]
        LocationSource, max_length=24, null=True
    )
    # Kept by follow/unfollow in their transaction: read on every profile and feed item.
    followers_count = fields.IntField(default=0, db_default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "partner_profiles"


class OpeningException(Model):
    """A closure (holidays, works) or special hours over a range of days, in Paris dates."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="opening_exceptions", on_delete=fields.CASCADE
    )
    partner_id: uuid.UUID
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    label = fields.CharField(max_length=100, default="")
    hours: list[list[str]] = fields.JSONField(default=list)  # empty: closed all day

    class Meta:
        table = "opening_exceptions"
        indexes = (("partner_id", "ends_on"),)


class PostStatus(StrEnum):
    PUBLISHED = "published"
    HIDDEN = "hidden"  # by moderation staff, with a reason the partner reads
    DELETED = "deleted"  # by the partner


class Post(Model):
    """A partner's publication in its news feed."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="posts", on_delete=fields.CASCADE
    )
    partner_id: uuid.UUID
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    author_id: uuid.UUID | None
    body = fields.TextField()
    offer_kind = fields.CharField(max_length=8, null=True)  # "deal" | "event"
    offer_id = fields.UUIDField(null=True)
    status = fields.CharEnumField(PostStatus, max_length=12, default=PostStatus.PUBLISHED)
    hidden_reason = fields.CharField(max_length=500, null=True)
    hidden_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    hidden_by_id: uuid.UUID | None
    like_count = fields.IntField(default=0, db_default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)

    class Meta:
        table = "posts"
        indexes = (("partner_id", "created_at", "id"), ("status", "created_at"))


class PostImage(Model):
    """One of a post's images (at most 4), in order."""

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="images", on_delete=fields.CASCADE
    )
    post_id: uuid.UUID
    image: fields.ForeignKeyRelation[Image] = fields.ForeignKeyField(
        "models.Image", related_name=False, on_delete=fields.RESTRICT
    )
    image_id: uuid.UUID
    position = fields.SmallIntField()

    class Meta:
        table = "post_images"
        unique_together = (("post_id", "position"),)


class PostLike(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="likes", on_delete=fields.CASCADE
    )
    post_id: uuid.UUID
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "post_likes"
        unique_together = (("user_id", "post_id"),)


class Follow(Model):
    """A young person follows a partner. Only they see it: partners see a count."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name=False, on_delete=fields.CASCADE
    )
    partner_id: uuid.UUID
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "follows"
        unique_together = (("user_id", "partner_id"),)


class ReportReason(StrEnum):
    INAPPROPRIATE = "inappropriate"
    MISLEADING = "misleading"
    HARASSMENT = "harassment"
    DANGEROUS = "dangerous"
    SPAM = "spam"
    OTHER = "other"


class ReportStatus(StrEnum):
    OPEN = "open"
    POST_HIDDEN = "post_hidden"
    DISMISSED = "dismissed"


class PostReport(Model):
    """Someone signed in flags a post, and moderation staff decide."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="reports", on_delete=fields.CASCADE
    )
    post_id: uuid.UUID
    reporter: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    reporter_id: uuid.UUID
    reason = fields.CharEnumField(ReportReason, max_length=16)
    text = fields.CharField(max_length=1000, default="")
    status = fields.CharEnumField(ReportStatus, max_length=12, default=ReportStatus.OPEN)
    created_at = fields.DatetimeField(auto_now_add=True)
    handled_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    handled_by_id: uuid.UUID | None
    handled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "post_reports"
        unique_together = (("post_id", "reporter_id"),)
        indexes = (("status", "created_at"),)


class Highlight(Model):
    """The département's own news in every young person's feed."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    author_id: uuid.UUID | None
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    link = fields.CharField(max_length=300, null=True)
    image: fields.ForeignKeyNullableRelation[Image] = fields.ForeignKeyField(
        "models.Image", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    image_id: uuid.UUID | None
    published_at = fields.DatetimeField()
    withdrawn_at = fields.DatetimeField(null=True)

    class Meta:
        table = "highlights"
        indexes = (("published_at", "id"),)
