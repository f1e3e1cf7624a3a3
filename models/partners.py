"""Partner structures and the delegates who act for them."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # for annotations only: Tortoise links the models by name ("models.X")
    from models.accounts import User


class PartnerCategory(StrEnum):
    SPORT = "sport"
    CULTURE = "culture"
    LOISIRS = "loisirs"
    SOUTIEN_SCOLAIRE = "soutien_scolaire"
    TOURISME = "tourisme"
    INSERTION_PROFESSIONNELLE = "insertion_professionnelle"


class WalletKind(StrEnum):
    SPORT_CULTURE_LOISIRS = "SPORT_CULTURE_LOISIRS"
    SOUTIEN_SCOLAIRE = "SOUTIEN_SCOLAIRE"


class PinPolicy(StrEnum):
    """Where a partner's tills ask the holder's PIN before a debit, weakest first."""

    NONE = "none"
    TERMINALS = "terminals"  # on the payment terminals (TPE, smart TPE) only
    EVERY_TILL = "every_till"  # on every till, the partner's web space included


class PartnerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # for a while: reactivated by the département
    # The convention renews itself each year (« tacite reconduction ») until it is
    # terminated: for good, the partner can no longer debit nor be reactivated.
    TERMINATED = "terminated"


class DelegatePermission(StrEnum):
    TRANSACTIONS = "transactions"
    OFFERS_AND_POSTS = "offers_and_posts"
    PROFILE = "profile"
    FINANCE = "finance"
    DELEGATES = "delegates"
    TERMINALS = "terminals"  # pair, rename and revoke the payment terminals


class DelegateStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class Partner(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    legal_name = fields.CharField(max_length=200)
    trade_name = fields.CharField(max_length=200)
    siret = fields.CharField(max_length=14, unique=True)
    categories: list[str] = fields.JSONField(default=list)
    debitable_wallets: list[str] = fields.JSONField(default=list)
    convention_signed_on = fields.DateField()
    status = fields.CharEnumField(PartnerStatus, max_length=16, default=PartnerStatus.ACTIVE)
    # The PIN rule (domain/partners/pin_policy.py): the minimum the département imposes and
    # the level the partner's principal delegate chose; the stronger of the two applies.
    pin_policy_minimum = fields.CharEnumField(
        PinPolicy, max_length=16, default=PinPolicy.NONE, db_default=PinPolicy.NONE.value
    )
    pin_policy_chosen = fields.CharEnumField(
        PinPolicy, max_length=16, default=PinPolicy.NONE, db_default=PinPolicy.NONE.value
    )
    # The current suspension's or termination's day (Paris) and reason; empty while active
    # (the audit trail keeps the earlier ones).
    status_since = fields.DateField(null=True)
    status_reason = fields.TextField(default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "partners"


class BonPlanReminder(Model):
    """A reminder of the yearly « at least one bon plan » commitment, emailed by the
    département to the partner's principal delegate: the history the back office shows."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="bon_plan_reminders", on_delete=fields.RESTRICT
    )
    partner_id: uuid.UUID
    school_year = fields.CharField(max_length=9)  # "2026-2027"
    recipient_email = fields.CharField(max_length=254)
    sent_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    sent_by_id: uuid.UUID | None
    sent_at = fields.DatetimeField()

    class Meta:
        table = "bon_plan_reminders"
        indexes = (("partner_id", "sent_at"),)


class Delegate(Model):
    """A person's right to act for one partner. A person may be a delegate of several partners."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="delegates", on_delete=fields.RESTRICT
    )
    partner_id: uuid.UUID
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="delegations", on_delete=fields.RESTRICT
    )
    user_id: uuid.UUID
    is_principal = fields.BooleanField(default=False, db_default=False)
    permissions: list[str] = fields.JSONField(default=list)
    # The evening report by email, for those who get it (principal, finance): on by default.
    daily_collection_email = fields.BooleanField(default=True, db_default=True)
    status = fields.CharEnumField(DelegateStatus, max_length=16, default=DelegateStatus.INVITED)
    invited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    invited_by_id: uuid.UUID | None
    created_at = fields.DatetimeField(auto_now_add=True)
    accepted_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "delegates"
        unique_together = (("partner", "user"),)  # one principal: 0002_integrity
