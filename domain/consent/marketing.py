"""Marketing consent: each person's opt-in per channel, with an append-only proof of every
change, and who may actually receive marketing messages.

Under 15 (Europe/Paris calendar), the opt-in alone is not enough: a parent's consent must be
given and not withdrawn (loi Informatique et Libertés, article 45).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from uuid import UUID

from domain.core import clock
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.transactions import atomic
from domain.notifications.channels import channel_of, with_opt_in
from domain.notifications.channels.base import DeliveryChannel
from infra.settings import get_settings
from models.accounts import User, UserKind
from models.notifications import (
    Channel,
    ConsentSource,
    MarketingConsentEvent,
    ParentalConsent,
)
from push.unsubscribe import UnsubscribeLink, read_unsubscribe_token

logger = logging.getLogger(__name__)
CONSENT_AGE = 15


def _unknown() -> DomainError:
    known = " ou ".join(f"« {c} »" for c in Channel if channel_of(c).opt_in_field)
    return invalid("channel", f"Canal inconnu : {known}.")


def _channel(channel: Channel | str) -> DeliveryChannel:
    try:
        return channel_of(channel)
    except ValueError:
        raise _unknown() from None


def _opt_in_field(channel: Channel | str) -> str:
    """The User column of the opt-in on `channel`; refused for a channel without one."""
    field = _channel(channel).opt_in_field
    if field is None:
        raise _unknown()
    return field


async def set_marketing_opt_in(
    user_id: UUID,
    channel: Channel | str,
    opted_in: bool,
    source: ConsentSource,
    campaign_id: UUID | None = None,
) -> bool:
    """Record the person's choice; True if it changed (then exactly one event is written)."""
    column = _opt_in_field(channel)
    async with atomic():
        # Conditional update: of two concurrent identical requests, only one changes the row.
        changed = await User.filter(id=user_id, **{column: not opted_in}).update(
            **{column: opted_in, "updated_at": clock.now()}
        )
        if not changed:
            if not await User.exists(id=user_id):
                raise not_found("Compte")
            return False
        await MarketingConsentEvent.create(
            user_id=user_id,
            channel=Channel(channel).value,
            opted_in=opted_in,
            source=source,
            campaign_id=campaign_id,
        )
    return True


def opted_in(user: User, channel: Channel | str) -> bool:
    """On `channel`; on a channel without an opt-in of its own (the inbox), on any channel."""
    field = _channel(channel).opt_in_field
    if field is None:
        return any(getattr(user, str(c.opt_in_field)) for c in with_opt_in())
    return bool(getattr(user, field))


def needs_parental_consent(user: User, today: date) -> bool:
    """A young person under 15 on `today`; one without a birth date is treated as such."""
    if user.kind != UserKind.YOUNG_PERSON:
        return False
    return user.birth_date is None or clock.age_on(user.birth_date, today) < CONSENT_AGE


def marketing_allowed(
    user: User, channel: Channel | str, today: date, has_parental_consent: bool
) -> bool:
    """The rule, without the database: for campaigns that load consents in bulk."""
    if not user.is_active or not opted_in(user, channel):
        return False
    return has_parental_consent or not needs_parental_consent(user, today)


async def has_parental_consent(user_id: UUID) -> bool:
    return await ParentalConsent.exists(
        young_person_id=user_id, given_at__isnull=False, withdrawn_at__isnull=True
    )


async def with_parental_consent(user_ids: Iterable[UUID]) -> set[UUID]:
    """Those of `user_ids` whose parent's consent is given and not withdrawn (one query)."""
    found = await ParentalConsent.filter(
        young_person_id__in=list(user_ids), given_at__isnull=False, withdrawn_at__isnull=True
    ).values_list("young_person_id", flat=True)
    return {UUID(str(user_id)) for user_id in found}


async def may_receive_marketing(
    user: User, channel: Channel | str, today: date | None = None
) -> bool:
    """Opted in on this channel AND (15 or older on `today`, Paris, OR a parent consented)."""
    today = today or clock.paris_today()
    if not marketing_allowed(user, channel, today, has_parental_consent=True):
        return False
    return not needs_parental_consent(user, today) or await has_parental_consent(user.id)


# --- the one-click unsubscribe link of marketing emails (push/unsubscribe.py signs it) ------

_INVALID_UNSUBSCRIBE_LINK = DomainError(
    ErrorCode.INVALID_TOKEN,
    "Ce lien de désabonnement n'est pas valable. Vérifiez qu'il a été copié en entier depuis "
    "l'e-mail reçu. Vous pouvez aussi choisir les messages que vous recevez dans "
    "l'application CJeune, rubrique « Mon compte ».",
    "token",
)


def read_unsubscribe_link(token: str) -> UnsubscribeLink:
    """What an unsubscribe link is about; it never expires (an old email must still work)."""
    link = read_unsubscribe_token(get_settings(), token)
    if link is None:
        raise _INVALID_UNSUBSCRIBE_LINK
    return link


def unsubscribe_wording(link: UnsubscribeLink) -> str:
    """What the person stops receiving, in French: « les bons plans … par e-mail »."""
    return (
        "les bons plans et actualités de CJeune de Provence "
        + channel_of(link.channel).marketing_wording
    )


async def unsubscribe_with_link(token: str) -> UnsubscribeLink:
    """Opt out of the link's channel (RFC 8058 one-click); doing it twice changes nothing.
    An account deleted since the email was sent has nothing left to unsubscribe."""
    link = read_unsubscribe_link(token)
    try:
        await set_marketing_opt_in(
            link.user_id, link.channel, False, ConsentSource.UNSUBSCRIBE_LINK, link.campaign_id
        )
    except DomainError:
        logger.info("unsubscribe link of a deleted account %s", link.user_id)
    return link
