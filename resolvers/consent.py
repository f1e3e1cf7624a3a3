"""Resolvers for marketing opt-ins and parents' consent for under-15s: they answer the
person's consent as the domain sees it (schema/consent.py shapes it); a refused rule raises
DomainError."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import strawberry

from domain.consent import marketing as marketing_consent
from domain.consent import parental as parental_consent
from domain.consent.marketing import marketing_allowed, needs_parental_consent
from domain.consent.parental import ConsentLink, ConsentStatus, status_of
from domain.core import clock
from models.accounts import User
from models.notifications import Channel, ConsentSource, ParentalConsent
from push.unsubscribe import UnsubscribeLink
from resolvers.arguments import parse_id
from resolvers.context import Info


@dataclass(frozen=True)
class MarketingChoices:
    """The person's opt-ins, the parent's consent they may need, and what takes effect."""

    user: User
    parental_consent_needed: bool
    parental_consent_status: ConsentStatus
    parental_consent: ParentalConsent | None
    receives_marketing_email: bool
    receives_marketing_push: bool
    notice: str | None


def _notice(user: User, needed: bool, status: ConsentStatus, consent) -> str | None:
    if not needed or status == ConsentStatus.GIVEN:
        return None
    if not marketing_consent.opted_in(user, Channel.IN_APP):  # opted in on no channel
        return None
    if status == ConsentStatus.REQUESTED:
        return (
            "Votre choix est enregistré. Comme vous avez moins de 15 ans, vous recevrez les bons "
            f"plans dès que votre parent aura donné son accord (demande envoyée à "
            f"{consent.parent_email})."
        )
    return (
        "Votre choix est enregistré, mais comme vous avez moins de 15 ans, vous ne recevrez "
        "les bons plans qu'avec l'accord d'un parent. Demandez-le depuis l'application."
    )


async def _marketing_choices(user_id: UUID) -> MarketingChoices:
    user = await User.get(id=user_id)  # fresh: the viewer's copy predates the change
    today = clock.paris_today()
    needed = needs_parental_consent(user, today)
    consent = await parental_consent.current_consent(user.id)
    status = status_of(consent)
    given = status == ConsentStatus.GIVEN
    return MarketingChoices(
        user=user,
        parental_consent_needed=needed,
        parental_consent_status=status,
        parental_consent=consent,
        receives_marketing_email=marketing_allowed(user, Channel.EMAIL, today, given),
        receives_marketing_push=marketing_allowed(user, Channel.PUSH, today, given),
        notice=_notice(user, needed, status, consent),
    )


async def my_marketing_consent(info: Info) -> MarketingChoices:
    return await _marketing_choices(info.context.viewer.user.id)


async def set_marketing_opt_in(info: Info, channel: str, opted_in: bool) -> MarketingChoices:
    """`channel`: a MarketingChannel's value (a Channel with an opt-in)."""
    user_id = info.context.viewer.user.id
    await marketing_consent.set_marketing_opt_in(
        user_id, Channel(channel), opted_in, ConsentSource.APP
    )
    return await _marketing_choices(user_id)


async def request_parental_consent(
    info: Info, parent_name: str, parent_email: str
) -> MarketingChoices:
    viewer = info.context.viewer
    await parental_consent.request_consent(viewer, parent_name, parent_email)
    return await _marketing_choices(viewer.user.id)


async def withdraw_parental_consent(info: Info) -> MarketingChoices:
    viewer = info.context.viewer
    await parental_consent.withdraw_consent(viewer)
    return await _marketing_choices(viewer.user.id)


async def record_parental_consent(
    info: Info, young_person_id: strawberry.ID, parent_name: str, parent_email: str
) -> ParentalConsent:
    return await parental_consent.record_paper_consent(
        info.context.viewer,
        parse_id(young_person_id, "youngPersonId"),
        parent_name,
        parent_email,
    )


# --- the pages reached by an emailed link: the token is the caller's credential -------------


async def parental_consent_request(info: Info, token: str) -> ConsentLink:
    return await parental_consent.open_link(token)


async def give_parental_consent(info: Info, token: str) -> ConsentLink:
    await parental_consent.give_consent(token)
    return await parental_consent.open_link(token)


async def refuse_parental_consent(info: Info, token: str) -> ConsentLink:
    await parental_consent.refuse_with_link(token)
    return await parental_consent.open_link(token)


async def unsubscribe_link(info: Info, token: str) -> UnsubscribeLink:
    return marketing_consent.read_unsubscribe_link(token)


async def unsubscribe_by_token(info: Info, token: str) -> UnsubscribeLink:
    return await marketing_consent.unsubscribe_with_link(token)
