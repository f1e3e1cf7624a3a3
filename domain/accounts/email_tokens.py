"""Single-use, expiring links sent by email (verification, password reset, invitation)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from domain.core import clock
from domain.core.errors import DomainError, ErrorCode
from domain.core.secrets import new_secret, secret_hash
from models.accounts import EmailToken, EmailTokenPurpose, User

LIFETIMES = {
    EmailTokenPurpose.VERIFY_EMAIL: timedelta(hours=48),
    EmailTokenPurpose.RESET_PASSWORD: timedelta(minutes=30),
    EmailTokenPurpose.DELEGATE_INVITATION: timedelta(days=7),
}

_MESSAGES = {
    EmailTokenPurpose.VERIFY_EMAIL: "Ce lien de confirmation n'est plus valable. "
    "Demandez-en un nouveau depuis l'application.",
    EmailTokenPurpose.RESET_PASSWORD: "Ce lien de réinitialisation n'est plus valable. "
    "Faites une nouvelle demande de mot de passe oublié.",
    EmailTokenPurpose.DELEGATE_INVITATION: "Cette invitation n'est plus valable. "
    "Demandez au délégué principal de vous inviter à nouveau.",
}


async def issue(user: User, purpose: EmailTokenPurpose, delegate_id: UUID | None = None) -> str:
    secret = new_secret()
    await EmailToken.create(
        user=user,
        purpose=purpose,
        secret_hash=secret_hash(secret),
        delegate_id=delegate_id,
        expires_at=clock.now() + LIFETIMES[purpose],
    )
    return secret


async def consume(secret: str, purpose: EmailTokenPurpose) -> EmailToken:
    """Mark the token used and return it; a second use, or an expired one, is refused.

    Call inside the transaction that acts on it, so a failure leaves the token usable."""
    invalid = DomainError(ErrorCode.INVALID_TOKEN, _MESSAGES[purpose], "token")
    token = await EmailToken.get_or_none(
        secret_hash=secret_hash(secret), purpose=purpose
    ).select_related("user")
    if token is None or token.used_at is not None or token.expires_at <= clock.now():
        raise invalid
    used = await EmailToken.filter(id=token.id, used_at__isnull=True).update(used_at=clock.now())
    if not used:
        raise invalid
    return token


async def discard_unused(user_id: UUID, purpose: EmailTokenPurpose) -> None:
    await EmailToken.filter(user_id=user_id, purpose=purpose, used_at__isnull=True).update(
        used_at=clock.now()
    )


async def discard_for_delegate(delegate_id: UUID) -> None:
    await EmailToken.filter(delegate_id=delegate_id, used_at__isnull=True).update(
        used_at=clock.now()
    )
