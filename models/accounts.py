"""People who sign in, their sessions and the single-use tokens sent to them by email."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class UserKind(StrEnum):
    YOUNG_PERSON = "young_person"
    DELEGATE = "delegate"
    STAFF = "staff"


class StaffRole(StrEnum):
    MODERATION = "moderation"
    SUPPORT = "support"
    FINANCE = "finance"
    MARKETING = "marketing"
    ADMINISTRATOR = "administrator"


class ProfileVisibility(StrEnum):
    PRIVATE = "private"
    FOLLOWED_PARTNERS = "followed_partners"


class EmailTokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"
    DELEGATE_INVITATION = "delegate_invitation"
    STAFF_INVITATION = "staff_invitation"


class User(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255, null=True)
    kind = fields.CharEnumField(UserKind, max_length=16)
    staff_roles: list[str] = fields.JSONField(default=list)
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    birth_date = fields.DateField(null=True)
    postal_code = fields.CharField(max_length=5, null=True)
    email_verified_at = fields.DatetimeField(null=True)
    is_active = fields.BooleanField(default=True, db_default=True)
    profile_visibility = fields.CharEnumField(
        ProfileVisibility, max_length=24, default=ProfileVisibility.PRIVATE
    )
    marketing_email_opt_in = fields.BooleanField(default=False, db_default=False)
    marketing_push_opt_in = fields.BooleanField(default=False, db_default=False)
    # Channels for everything but marketing; the in-app inbox always receives everything.
    notify_by_push = fields.BooleanField(default=True, db_default=True)
    notify_by_email = fields.BooleanField(default=True, db_default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # Inactive accounts (domain/privacy/inactivity.py): the last sign-in or session refresh,
    # written at most once a day (domain/accounts/activity.py); when the warning that the
    # account will be closed was emailed (cleared by the next sign-in).
    last_active_at = fields.DatetimeField(null=True)
    inactivity_warned_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"  # CHECKs: migrations/0002_integrity.py

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class AuthSession(Model):
    """One signed-in device: the family of its refresh tokens. Revoking it ends every token."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=32, null=True)
    client_address = fields.CharField(max_length=64, null=True)
    user_agent = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "auth_sessions"


class RefreshToken(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    session: fields.ForeignKeyRelation[AuthSession] = fields.ForeignKeyField(
        "models.AuthSession", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    session_id: uuid.UUID
    secret_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    rotated_at = fields.DatetimeField(null=True)
    # The token its rotation issued, whose secret is derived from this one's (see
    # domain/accounts/sessions.py): presented again soon after, this one gets that one back.
    successor_id = fields.UUIDField(null=True)

    class Meta:
        table = "refresh_tokens"


class EmailToken(Model):
    """A single-use, expiring secret sent by email (verification, reset, invitation)."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="email_tokens", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    purpose = fields.CharEnumField(EmailTokenPurpose, max_length=32)
    secret_hash = fields.CharField(max_length=64, unique=True)
    delegate_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "email_tokens"


class LoginFailure(Model):
    """A failed sign-in, kept for throttling per account and per client address."""

    id = fields.BigIntField(primary_key=True)
    email_key = fields.CharField(max_length=64, db_index=True)
    client_address = fields.CharField(max_length=64, db_index=True)
    failed_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "login_failures"
