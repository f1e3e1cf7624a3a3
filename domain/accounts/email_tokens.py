"""Single-use, expiring links sent by email (verification, password reset, invitation)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from uuid import UUID

from domain.core import clock
from domain.core.errors import DomainError, ErrorCode
from domain.core.secrets import new_secret, secret_hash
from models.accounts import EmailToken, EmailTokenPurpose, User

LIFETIMES = {
    EmailTokenPurpose.VERIFY_EMAIL: timedelta(hours=48),
    EmailTokenPurpose.RESET_PASSWORD: timedelta(minutes=30),
    EmailTokenPurpose.DELEGATE_INVITATION: timedelta(days=7),
    EmailTokenPurpose.STAFF_INVITATION: timedelta(days=7),
}

# What each page says, by purpose: an unknown link (mistyped, cut), an expired one (or one a
# newer link replaced), and one already used; each gives a way forward.
_UNKNOWN = {
    EmailTokenPurpose.VERIFY_EMAIL: "Ce lien de confirmation n'est pas valable. Vérifiez "
    "qu'il a été copié en entier depuis l'e-mail reçu, ou demandez-en un nouveau.",
    EmailTokenPurpose.RESET_PASSWORD: "Ce lien de réinitialisation n'est pas valable. "
    "Vérifiez qu'il a été copié en entier depuis l'e-mail reçu, ou faites une nouvelle "
    "demande de mot de passe oublié.",
    EmailTokenPurpose.DELEGATE_INVITATION: "Cette invitation n'est pas valable. Vérifiez "
    "que le lien a été copié en entier depuis l'e-mail reçu.",
    EmailTokenPurpose.STAFF_INVITATION: "Cette invitation n'est pas valable. Vérifiez "
    "que le lien a été copié en entier depuis l'e-mail reçu.",
}
_EXPIRED = {
    EmailTokenPurpose.VERIFY_EMAIL: "Ce lien de confirmation a expiré (il est valable "
    "48 heures, et seul le dernier envoyé compte). Demandez-en un nouveau depuis "
    "l'application.",
    EmailTokenPurpose.RESET_PASSWORD: "Ce lien de réinitialisation a expiré (il est valable "
    "30 minutes, et seul le dernier envoyé compte). Faites une nouvelle demande de mot de "
    "passe oublié.",
    EmailTokenPurpose.DELEGATE_INVITATION: "Cette invitation a expiré (elle est valable "
    "7 jours, et seule la dernière envoyée compte). Demandez au délégué principal de vous "
    "inviter à nouveau.",
    EmailTokenPurpose.STAFF_INVITATION: "Cette invitation a expiré (elle est valable "
    "7 jours, et seule la dernière envoyée compte). Demandez à un administrateur de vous "
    "inviter à nouveau.",
}
_USED = {
    EmailTokenPurpose.VERIFY_EMAIL: "Ce lien a déjà servi : votre adresse e-mail est "
    "confirmée. Connectez-vous.",
    EmailTokenPurpose.RESET_PASSWORD: "Ce lien a déjà servi : votre mot de passe a été "
    "changé. Connectez-vous avec le nouveau, ou faites une nouvelle demande de mot de passe "
    "oublié.",
    EmailTokenPurpose.DELEGATE_INVITATION: "Cette invitation a déjà été acceptée : "
    "connectez-vous à l'espace partenaire.",
    EmailTokenPurpose.STAFF_INVITATION: "Cette invitation a déjà été acceptée : "
    "connectez-vous à l'espace du Département.",
}


class LinkState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


_REFUSALS = {
    LinkState.UNKNOWN: (ErrorCode.INVALID_TOKEN, _UNKNOWN),
    LinkState.EXPIRED: (ErrorCode.LINK_EXPIRED, _EXPIRED),
    LinkState.USED: (ErrorCode.LINK_USED, _USED),
}


def refusal(state: LinkState, purpose: EmailTokenPurpose) -> DomainError:
    code, messages = _REFUSALS[state]
    return DomainError(code, messages[purpose], "token")


def _state(token: EmailToken | None) -> LinkState:
    if token is None:
        return LinkState.UNKNOWN
    if token.used_at is not None:
        return LinkState.USED
    if token.expires_at <= clock.now():
        return LinkState.EXPIRED
    return LinkState.VALID


async def _find(secret: str, purpose: EmailTokenPurpose) -> EmailToken | None:
    return await EmailToken.get_or_none(
        secret_hash=secret_hash(secret or ""), purpose=purpose
    ).select_related("user")


async def open_link(secret: str, purpose: EmailTokenPurpose) -> EmailToken:
    """The token, with its user, if the link still works; refused as `consume` would.

    For the page that shows the form before the person acts: it changes nothing (mail
    scanners and link previews open every link)."""
    token = await _find(secret, purpose)
    state = _state(token)
    if token is None or state != LinkState.VALID:
        raise refusal(state, purpose)
    return token


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
    """Mark the token used and return it. An unknown link is INVALID_TOKEN, an expired one
    (or one a newer link replaced) LINK_EXPIRED, one already used LINK_USED.

    Call inside the transaction that acts on it, so a failure leaves the token usable."""
    token = await _find(secret, purpose)
    state = _state(token)
    if token is None or state != LinkState.VALID:
        raise refusal(state, purpose)
    used = await EmailToken.filter(id=token.id, used_at__isnull=True).update(used_at=clock.now())
    if not used:
        raise refusal(LinkState.USED, purpose)
    return token


async def discard_unused(user_id: UUID, purpose: EmailTokenPurpose) -> None:
    """A newer link replaces the unused ones: they read as expired, not as used."""
    await EmailToken.filter(
        user_id=user_id, purpose=purpose, used_at__isnull=True, expires_at__gt=clock.now()
    ).update(expires_at=clock.now())


async def discard_for_delegate(delegate_id: UUID) -> None:
    await EmailToken.filter(
        delegate_id=delegate_id, used_at__isnull=True, expires_at__gt=clock.now()
    ).update(expires_at=clock.now())
