"""Deals ("bons plans") and events, their moderated revisions, places and favourites."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # for annotations only: Tortoise links the models by name ("models.X")
    from models.accounts import User
    from models.partners import Partner


class OfferKind(StrEnum):
    DEAL = "deal"
    EVENT = "event"


class DealType(StrEnum):
    DISCOUNT_EUROS = "discount_euros"
    DISCOUNT_PERCENT = "discount_percent"
    PROMO_CODE = "promo_code"
    CONTEST = "contest"  # jeu concours, cadeaux à gagner
    GOODIES = "goodies"
    LIMITED_SERVICE = "limited_service"  # un service à validité limitée


class OfferTheme(StrEnum):
    LOISIRS = "loisirs"
    SPORT = "sport"
    CULTURE = "culture"
    SOUTIEN_SCOLAIRE = "soutien_scolaire"
    TOURISME = "tourisme"  # 18-25 only
    INSERTION_PROFESSIONNELLE = "insertion_professionnelle"  # 18-25 only


class EventKind(StrEnum):
    MANIFESTATION = "manifestation"
    FESTIVAL = "festival"
    STAGE = "stage"
    CONCERT = "concert"
    SPECTACLE = "spectacle"
    EXPOSITION = "exposition"
    ATELIER = "atelier"
    COMPETITION = "competition"
    AUTRE = "autre"


class RevisionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # an approved version replaced by a newer approved one


class Offer(Model):
    """A deal or an event, shown to young people through its published revision only."""

    # The columns after `withdrawn_at` copy the published revision for search and the map.

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="offers", on_delete=fields.CASCADE
    )
    partner_id: uuid.UUID
    kind = fields.CharEnumField(OfferKind, max_length=8)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by_id: uuid.UUID | None
    created_at = fields.DatetimeField(auto_now_add=True)
    published_revision: fields.ForeignKeyNullableRelation[OfferRevision] = fields.ForeignKeyField(
        "models.OfferRevision", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    published_revision_id: uuid.UUID | None
    working_revision: fields.ForeignKeyNullableRelation[OfferRevision] = fields.ForeignKeyField(
        "models.OfferRevision", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    working_revision_id: uuid.UUID | None
    first_published_at = fields.DatetimeField(null=True)
    is_super = fields.BooleanField(default=False, db_default=False)  # "super bon plan"
    withdrawn_at = fields.DatetimeField(null=True)
    title = fields.CharField(max_length=200, null=True)
    # Tortoise types a CharEnumField as never null, whatever null= says.
    theme: fields.Field[OfferTheme | None] = fields.CharEnumField(  # type: ignore[assignment]
        OfferTheme, max_length=32, null=True
    )
    # Tortoise types a CharEnumField as never null, whatever null= says.
    deal_type: fields.Field[DealType | None] = fields.CharEnumField(  # type: ignore[assignment]
        DealType, max_length=24, null=True
    )
    # Tortoise types a CharEnumField as never null, whatever null= says.
    event_kind: fields.Field[EventKind | None] = fields.CharEnumField(  # type: ignore[assignment]
        EventKind, max_length=16, null=True
    )
    valid_from = fields.DateField(null=True)
    valid_until = fields.DateField(null=True)
    adults_only = fields.BooleanField(default=False, db_default=False)
    search_text = fields.TextField(default="")  # lower-case, accents removed

    class Meta:
        table = "offers"
        indexes = (("partner_id", "first_published_at"), ("valid_until", "theme"))


class OfferRevision(Model):
    """One version of an offer's content, moderated before it is shown."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    offer: fields.ForeignKeyRelation[Offer] = fields.ForeignKeyField(
        "models.Offer", related_name="revisions", on_delete=fields.CASCADE
    )
    offer_id: uuid.UUID
    number = fields.IntField()
    status = fields.CharEnumField(RevisionStatus, max_length=12, default=RevisionStatus.DRAFT)
    title = fields.CharField(max_length=200)
    description = fields.TextField()
    theme = fields.CharEnumField(OfferTheme, max_length=32)
    # Tortoise types a CharEnumField as never null, whatever null= says.
    deal_type: fields.Field[DealType | None] = fields.CharEnumField(  # type: ignore[assignment]
        DealType, max_length=24, null=True
    )
    # Tortoise types a CharEnumField as never null, whatever null= says.
    event_kind: fields.Field[EventKind | None] = fields.CharEnumField(  # type: ignore[assignment]
        EventKind, max_length=16, null=True
    )
    discount_cents = fields.IntField(null=True)
    discount_percent = fields.IntField(null=True)
    promo_code = fields.CharField(max_length=64, null=True)
    conditions = fields.CharField(max_length=1000, default="Sur présentation de la carte CJeune")
    practical_info = fields.TextField(default="")
    valid_from = fields.DateField()
    valid_until = fields.DateField()
    # Events: [{"startsAt": iso, "endsAt": iso}, ...] in UTC; deals: [].
    sessions: list[dict[str, str]] = fields.JSONField(default=list)
    # [{"label", "street", "postalCode", "city", "latitude", "longitude"}, ...]
    places: list[dict[str, Any]] = fields.JSONField(default=list)
    image_ids: list[str] = fields.JSONField(default=list)  # at most 2 visuals
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by_id: uuid.UUID | None
    created_at = fields.DatetimeField(auto_now_add=True)
    submitted_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    decided_by_id: uuid.UUID | None
    rejection_reason = fields.CharField(max_length=1000, null=True)

    class Meta:
        table = "offer_revisions"
        unique_together = (("offer_id", "number"),)
        indexes = (("status", "submitted_at"),)


class OfferLocation(Model):
    """A place of a published offer, for the map and the radius search."""

    id = fields.BigIntField(primary_key=True)
    offer: fields.ForeignKeyRelation[Offer] = fields.ForeignKeyField(
        "models.Offer", related_name="locations", on_delete=fields.CASCADE
    )
    offer_id: uuid.UUID
    label = fields.CharField(max_length=200, default="")
    city = fields.CharField(max_length=100, default="")
    latitude = fields.FloatField()
    longitude = fields.FloatField()

    class Meta:
        table = "offer_locations"
        indexes = (("latitude", "longitude"),)


class ModerationDecision(Model):
    """Each decision on a revision, with its author: the moderation history."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    revision: fields.ForeignKeyRelation[OfferRevision] = fields.ForeignKeyField(
        "models.OfferRevision", related_name="decisions", on_delete=fields.CASCADE
    )
    revision_id: uuid.UUID
    approved = fields.BooleanField()
    reason = fields.CharField(max_length=1000, null=True)
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    decided_by_id: uuid.UUID | None
    decided_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "moderation_decisions"


class Favorite(Model):
    """A deal or event a young person saved. Only they see their favourites."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    offer: fields.ForeignKeyRelation[Offer] = fields.ForeignKeyField(
        "models.Offer", related_name=False, on_delete=fields.CASCADE
    )
    offer_id: uuid.UUID
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "favorites"
        unique_together = (("user_id", "offer_id"),)


class ServiceCategory(StrEnum):
    TEAM13 = "team13"
    YOUTH_COUNCIL = "youth_council"  # Conseil départemental des jeunes
    CIVIC_SERVICE = "civic_service"
    LISTENING_PLACE = "listening_place"  # lieux d'écoute et de conseil
    SCREENING_CENTRE = "screening_centre"  # centres de dépistage
    OTHER = "other"


class DepartmentService(Model):
    """One of the département's other schemes, managed by staff, searchable and on the map."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    category = fields.CharEnumField(ServiceCategory, max_length=24)
    title = fields.CharField(max_length=200)
    description = fields.TextField()
    link = fields.CharField(max_length=300, null=True)
    street = fields.CharField(max_length=200, null=True)
    postal_code = fields.CharField(max_length=5, null=True)
    city = fields.CharField(max_length=100, null=True)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    search_text = fields.TextField(default="")
    published = fields.BooleanField(default=True, db_default=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "department_services"
