"""School years, beneficiaries and their cards."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # for annotations only: Tortoise links the models by name ("models.X")
    from models.accounts import User


class SchoolYear(Model):
    """From the first day of school to 31 August (Europe/Paris), with its wallet types."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    label = fields.CharField(max_length=9, unique=True)  # "2026-2027"
    starts_on = fields.DateField()
    ends_on = fields.DateField()  # 31 August, the last day included
    closed_at = fields.DatetimeField(null=True)  # the year-end job has run
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "school_years"


class SchoolYearWallet(Model):
    """A wallet type of a school year and the amount credited to each middle-schooler."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    school_year: fields.ForeignKeyRelation[SchoolYear] = fields.ForeignKeyField(
        "models.SchoolYear", related_name="wallet_types", on_delete=fields.RESTRICT
    )
    school_year_id: uuid.UUID
    kind = fields.CharField(max_length=32)
    label = fields.CharField(max_length=100)
    amount_cents = fields.IntField()

    class Meta:
        table = "school_year_wallets"
        unique_together = (("school_year", "kind"),)


class BeneficiaryKind(StrEnum):
    MIDDLE_SCHOOLER = "middle_schooler"  # wallets and deals
    YOUNG_ADULT = "young_adult"  # 16-25: deals only


class Beneficiary(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    kind = fields.CharEnumField(BeneficiaryKind, max_length=16)
    school_identifier = fields.CharField(max_length=32, unique=True, null=True)
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    birth_date = fields.DateField()
    school_name = fields.CharField(max_length=200, null=True)
    commune_code = fields.CharField(max_length=5)  # INSEE code, 13xxx
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="beneficiaries", null=True, on_delete=fields.RESTRICT
    )
    user_id: uuid.UUID | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "beneficiaries"


class CardKind(StrEnum):
    PHYSICAL = "physical"
    DIGITAL = "digital"


class CardStatus(StrEnum):
    NOT_ACTIVATED = "not_activated"
    ACTIVE = "active"
    OPPOSED = "opposed"  # declared lost or stolen
    EXPIRED = "expired"  # its school year is over


class Card(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    code = fields.CharField(max_length=14, unique=True)
    kind = fields.CharEnumField(CardKind, max_length=16)
    beneficiary: fields.ForeignKeyRelation[Beneficiary] = fields.ForeignKeyField(
        "models.Beneficiary", related_name="cards", on_delete=fields.RESTRICT
    )
    beneficiary_id: uuid.UUID
    school_year: fields.ForeignKeyRelation[SchoolYear] = fields.ForeignKeyField(
        "models.SchoolYear", related_name="cards", on_delete=fields.RESTRICT
    )
    school_year_id: uuid.UUID
    status = fields.CharEnumField(CardStatus, max_length=16, default=CardStatus.NOT_ACTIVATED)
    activated_at = fields.DatetimeField(null=True)
    opposed_at = fields.DatetimeField(null=True)
    opposition_reason = fields.CharField(max_length=16, null=True)  # lost | stolen
    replaces: fields.ForeignKeyNullableRelation[Card] = fields.ForeignKeyField(
        "models.Card", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    replaces_id: uuid.UUID | None
    pin_hash = fields.CharField(max_length=64, null=True)
    pin_failures = fields.IntField(default=0, db_default=0)
    pin_locked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "cards"


class CardPhotoStatus(StrEnum):
    PENDING = "pending"  # sent by the young person, waiting for support staff
    VALIDATED = "validated"  # shown to partners at lookup
    REFUSED = "refused"  # with a reason the young person reads


# The holder's photo for the identity check at the till, sent by the young person and
# validated by support staff. A holder has at most one pending and one validated photo
# (partial unique indexes); the file lives in the private part of the storage, read only
# through short-lived signed links (domain/cards/card_photos.py). A comment, not a
# docstring: Tortoise would take a docstring for the table's description.
class CardPhoto(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    beneficiary: fields.ForeignKeyRelation[Beneficiary] = fields.ForeignKeyField(
        "models.Beneficiary", related_name="photos", on_delete=fields.RESTRICT
    )
    beneficiary_id: uuid.UUID
    storage_key = fields.CharField(max_length=255)
    width = fields.IntField()
    height = fields.IntField()
    status = fields.CharEnumField(CardPhotoStatus, max_length=16, default=CardPhotoStatus.PENDING)
    refusal_reason = fields.CharField(max_length=32, null=True)  # a code of the reasons' list
    refusal_details = fields.TextField(null=True)  # the agent's own words, for the young person
    submitted_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.RESTRICT
    )
    submitted_by_id: uuid.UUID
    submitted_at = fields.DatetimeField()
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    decided_by_id: uuid.UUID | None
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "card_photos"
        indexes = (("status", "submitted_at"),)


class BeneficiaryImport(Model):
    """One run of the schools' file for a school year, kept for its report: what it did, and
    the lines refused with their reason (line numbers and reasons only, no names)."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    school_year: fields.ForeignKeyRelation[SchoolYear] = fields.ForeignKeyField(
        "models.SchoolYear", related_name="imports", on_delete=fields.RESTRICT
    )
    school_year_id: uuid.UUID
    imported_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    imported_by_id: uuid.UUID | None
    file_name = fields.CharField(max_length=200, null=True)
    rows = fields.IntField()
    created = fields.IntField()
    already_present = fields.IntField()
    cards_issued = fields.IntField()
    # [{"line": 3, "reason": "…"}], in the file's order
    rejected: list[dict[str, Any]] = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "beneficiary_imports"
        indexes = (("school_year_id", "created_at"),)
