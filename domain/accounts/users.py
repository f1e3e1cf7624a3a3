"""Accounts: young people's registration, email verification, passwords, staff accounts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from tortoise.exceptions import IntegrityError

from domain.accounts import email_tokens, sessions, throttle
from domain.accounts.outgoing_email import email_after_commit
from domain.accounts.passwords import check_password_policy, hash_password
from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.text import clean_text, has_hidden_character
from domain.core.transactions import atomic
from infra.settings import get_settings
from models.accounts import EmailTokenPurpose, StaffRole, User, UserKind
from push.email import OutgoingEmail

MIN_AGE, MAX_AGE = 11, 25
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_POSTAL_CODE_13 = re.compile(r"13[0-9]{3}")


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email) or has_hidden_character(email):
        raise invalid("email", "Adresse e-mail invalide.")
    return email


def clean_name(value: str, field: str) -> str:
    """A person's or a structure's name, as others will read it."""
    return clean_text(field, value, max_length=100)


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    first_name: str
    last_name: str
    birth_date: date
    postal_code: str


async def register_young_person(data: Registration) -> User:
    email = normalize_email(data.email)
    first_name = clean_name(data.first_name, "firstName")
    last_name = clean_name(data.last_name, "lastName")
    age = clock.age_on(data.birth_date, clock.paris_today())
    if not MIN_AGE <= age <= MAX_AGE:
        raise DomainError(
            ErrorCode.AGE_NOT_ELIGIBLE,
            "La carte CJeune est réservée aux jeunes de 11 à 25 ans.",
            "birthDate",
        )
    if not _POSTAL_CODE_13.fullmatch(data.postal_code.strip()):
        raise invalid(
            "postalCode",
            "La carte CJeune est réservée aux jeunes domiciliés dans les Bouches-du-Rhône "
            "(code postal en 13).",
        )
    check_password_policy(
        data.password,
        email=email,
        first_name=first_name,
        last_name=last_name,
        birth_date=data.birth_date,
    )
    password_hash = await hash_password(data.password)
    try:
        async with atomic():
            user = await User.create(
                email=email,
                password_hash=password_hash,
                kind=UserKind.YOUNG_PERSON,
                first_name=first_name,
                last_name=last_name,
                birth_date=data.birth_date,
                postal_code=data.postal_code.strip(),
            )
            await send_verification(user)
    except IntegrityError:
        raise DomainError(
            ErrorCode.EMAIL_ALREADY_USED,
            "Un compte existe déjà avec cette adresse e-mail. "
            "Connectez-vous ou utilisez « mot de passe oublié ».",
            "email",
        ) from None
    return user


async def send_verification(user: User) -> None:
    secret = await email_tokens.issue(user, EmailTokenPurpose.VERIFY_EMAIL)
    url = f"{get_settings().public_url}/verifier-email?jeton={secret}"
    email = OutgoingEmail(
        user.email, "verify_email", {"first_name": user.first_name, "url": url, "valid_hours": 48}
    )
    await email_after_commit(email)


async def resend_verification(viewer: Viewer, user_id: UUID) -> User:
    """The support desk sends a young person a new verification link (the older ones stop
    working); audited with the account's id only."""
    user = await User.get_or_none(id=user_id, kind=UserKind.YOUNG_PERSON)
    if user is None:
        raise not_found("Compte")
    if user.email_verified_at is not None:
        raise DomainError(ErrorCode.INVALID_STATE, "Cette adresse e-mail est déjà vérifiée.")
    async with atomic():
        await email_tokens.discard_unused(user.id, EmailTokenPurpose.VERIFY_EMAIL)
        await send_verification(user)
        await record(viewer, "user.verification_resent", user)
    return user


async def verify_email(secret: str) -> User:
    async with atomic():
        token = await email_tokens.consume(secret, EmailTokenPurpose.VERIFY_EMAIL)
        user = token.user
        if user.email_verified_at is None:
            user.email_verified_at = clock.now()
            await user.save(update_fields=["email_verified_at", "updated_at"])
    return user


async def request_password_reset(email: str) -> None:
    """Sends a reset link if the account exists; the caller's answer is the same either way."""
    try:
        email = normalize_email(email)
    except DomainError:
        return
    user = await User.get_or_none(email=email, is_active=True)
    if user is None:
        return
    async with atomic():
        await email_tokens.discard_unused(user.id, EmailTokenPurpose.RESET_PASSWORD)
        secret = await email_tokens.issue(user, EmailTokenPurpose.RESET_PASSWORD)
        url = f"{get_settings().public_url}/nouveau-mot-de-passe?jeton={secret}"
        message = OutgoingEmail(
            user.email,
            "reset_password",
            {"first_name": user.first_name, "url": url, "valid_minutes": 30},
        )
        await email_after_commit(message)


async def _set_password(user: User, password: str) -> None:
    check_password_policy(
        password,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        birth_date=user.birth_date,
    )
    user.password_hash = await hash_password(password)
    await user.save(update_fields=["password_hash", "updated_at"])


async def reset_password(secret: str, new_password: str) -> None:
    async with atomic():
        token = await email_tokens.consume(secret, EmailTokenPurpose.RESET_PASSWORD)
        user = token.user
        await _set_password(user, new_password)
        # The link proves the mailbox: the address is verified, and old sessions end.
        if user.email_verified_at is None:
            user.email_verified_at = clock.now()
            await user.save(update_fields=["email_verified_at"])
        await sessions.revoke_all_sessions(user.id, reason="password_reset")


async def change_password(viewer: Viewer, current: str, new_password: str) -> None:
    user = viewer.user
    if user is None:
        raise DomainError(ErrorCode.FORBIDDEN, "Connexion requise.")
    await throttle.confirm_password(
        user,
        current,
        viewer.client_address,
        DomainError(
            ErrorCode.INVALID_CREDENTIALS, "Mot de passe actuel incorrect.", "currentPassword"
        ),
    )
    async with atomic():
        await _set_password(user, new_password)
        # Other devices are signed out; this one keeps its session.
        await sessions.revoke_all_sessions(
            user.id, reason="password_changed", except_session=viewer.session_id
        )
        if user.kind != UserKind.YOUNG_PERSON:
            await record(viewer, "account.password_changed", user)


async def create_staff(
    actor: Viewer | None,
    *,
    email: str,
    first_name: str,
    last_name: str,
    roles: list[StaffRole],
    password: str,
) -> User:
    """Create a département staff account (from `cjeune createstaff` or an administrator)."""
    email = normalize_email(email)
    if not roles:
        raise invalid("roles", "Choisissez au moins un rôle.")
    user = User(
        email=email,
        kind=UserKind.STAFF,
        staff_roles=sorted({r.value for r in roles}),
        first_name=clean_name(first_name, "firstName"),
        last_name=clean_name(last_name, "lastName"),
        email_verified_at=clock.now(),
    )
    check_password_policy(
        password, email=email, first_name=user.first_name, last_name=user.last_name
    )
    user.password_hash = await hash_password(password)
    try:
        async with atomic():
            await user.save()
            # From the command line there is no signed-in actor: the entry says "system".
            await record(
                actor or Viewer(client_address="cli"),
                "staff.created",
                user,
                after={"roles": user.staff_roles},
            )
    except IntegrityError:
        raise DomainError(
            ErrorCode.EMAIL_ALREADY_USED, "Un compte existe déjà avec cette adresse.", "email"
        ) from None
    return user
