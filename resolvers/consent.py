"""Resolvers for marketing opt-ins and parents' consent for under-15s."""

from __future__ import annotations

import strawberry

from domain.consent import marketing as marketing_consent
from domain.consent import parental as parental_consent
from domain.consent.marketing import marketing_allowed, needs_parental_consent
from domain.consent.parental import ConsentStatus, status_of
from domain.core import clock
from domain.core.errors import DomainError
from models.accounts import User
from models.notifications import ConsentSource, DeliveryChannel
from models.notifications import ParentalConsent as ParentalConsentModel
from resolvers.ids import parse_id
from schema.consent import (
    MarketingConsent,
    MarketingConsentResult,
    MarketingConsentSuccess,
    ParentalConsent,
    ParentalConsentResult,
    ParentalConsentSuccess,
)
from schema.errors import UserError
from server.context import Info


def _parental_consent(consent: ParentalConsentModel) -> ParentalConsent:
    return ParentalConsent(
        id=strawberry.ID(str(consent.id)),
        status=status_of(consent),
        parent_name=consent.parent_name,
        parent_email=consent.parent_email,
        requested_at=consent.requested_at,
        given_at=consent.given_at,
        withdrawn_at=consent.withdrawn_at,
        recorded_on_paper=consent.recorded_by_id is not None,
    )


def _notice(user: User, needed: bool, status: ConsentStatus, consent) -> str | None:
    if not needed or status == ConsentStatus.GIVEN:
        return None
    if not (user.marketing_email_opt_in or user.marketing_push_opt_in):
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


async def _marketing_consent(user_id) -> MarketingConsent:
    user = await User.get(id=user_id)  # fresh: the viewer's copy predates the change
    today = clock.paris_today()
    needed = needs_parental_consent(user, today)
    consent = await parental_consent.current_consent(user.id)
    status = status_of(consent)
    given = status == ConsentStatus.GIVEN
    return MarketingConsent(
        email_opt_in=user.marketing_email_opt_in,
        push_opt_in=user.marketing_push_opt_in,
        parental_consent_needed=needed,
        parental_consent_status=status,
        parental_consent=_parental_consent(consent) if consent else None,
        receives_marketing_email=marketing_allowed(user, DeliveryChannel.EMAIL, today, given),
        receives_marketing_push=marketing_allowed(user, DeliveryChannel.PUSH, today, given),
        notice=_notice(user, needed, status, consent),
    )


async def my_marketing_consent(info: Info) -> MarketingConsent:
    return await _marketing_consent(info.context.viewer.user.id)


async def set_marketing_opt_in(
    info: Info, channel: DeliveryChannel, opted_in: bool
) -> MarketingConsentResult:
    user_id = info.context.viewer.user.id
    try:
        await marketing_consent.set_marketing_opt_in(user_id, channel, opted_in, ConsentSource.APP)
    except DomainError as error:
        return UserError.from_domain(error)
    return MarketingConsentSuccess(consent=await _marketing_consent(user_id))


async def request_parental_consent(
    info: Info, parent_name: str, parent_email: str
) -> MarketingConsentResult:
    viewer = info.context.viewer
    try:
        await parental_consent.request_consent(viewer, parent_name, parent_email)
    except DomainError as error:
        return UserError.from_domain(error)
    return MarketingConsentSuccess(consent=await _marketing_consent(viewer.user.id))


async def withdraw_parental_consent(info: Info) -> MarketingConsentResult:
    viewer = info.context.viewer
    try:
        await parental_consent.withdraw_consent(viewer)
    except DomainError as error:
        return UserError.from_domain(error)
    return MarketingConsentSuccess(consent=await _marketing_consent(viewer.user.id))


async def record_parental_consent(
    info: Info, young_person_id: strawberry.ID, parent_name: str, parent_email: str
) -> ParentalConsentResult:
    try:
        consent = await parental_consent.record_paper_consent(
            info.context.viewer,
            parse_id(young_person_id, "youngPersonId"),
            parent_name,
            parent_email,
        )
    except DomainError as error:
        return UserError.from_domain(error)
    return ParentalConsentSuccess(parental_consent=_parental_consent(consent))
