"""Types and root fields for marketing consent and parents' consent for under-15s.

The root fields call resolvers/consent.py at request time: that module imports the types
below, so importing it here at load time would be circular.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.parental_consent import ConsentStatus
from models.accounts import StaffRole
from models.notifications import DeliveryChannel
from resolvers.permissions import SIGNED_IN, YOUNG_PERSON, allow, staff
from schema.errors import UserError
from server.context import Info

MarketingChannel = strawberry.enum(DeliveryChannel, name="MarketingChannel")
ParentalConsentStatus = strawberry.enum(ConsentStatus, name="ParentalConsentStatus")


@strawberry.type(description="A parent's consent for an under-15 (or the request for it).")
class ParentalConsent:
    id: strawberry.ID
    status: ParentalConsentStatus
    parent_name: str
    parent_email: str
    requested_at: datetime
    given_at: datetime | None
    withdrawn_at: datetime | None
    recorded_on_paper: bool = strawberry.field(
        description="Recorded by the support team from a signed form."
    )


@strawberry.type(description="The person's marketing choices and whether they take effect.")
class MarketingConsent:
    email_opt_in: bool
    push_opt_in: bool
    parental_consent_needed: bool = strawberry.field(description="Under 15 today (Paris).")
    parental_consent_status: ParentalConsentStatus
    parental_consent: ParentalConsent | None
    receives_marketing_email: bool
    receives_marketing_push: bool
    notice: str | None = strawberry.field(
        description="Why an opt-in does not take effect yet, in French; null when it does."
    )


@strawberry.type
class MarketingConsentSuccess:
    consent: MarketingConsent


@strawberry.type
class ParentalConsentSuccess:
    parental_consent: ParentalConsent


MarketingConsentResult = Annotated[
    MarketingConsentSuccess | UserError, strawberry.union("MarketingConsentResult")
]
ParentalConsentResult = Annotated[
    ParentalConsentSuccess | UserError, strawberry.union("ParentalConsentResult")
]


def _resolvers():
    from resolvers import consent

    return consent


@strawberry.type
class ConsentQueries:
    @strawberry.field(extensions=allow(YOUNG_PERSON))
    async def my_marketing_consent(self, info: Info) -> MarketingConsent:
        return await _resolvers().my_marketing_consent(info)


@strawberry.type
class ConsentMutations:
    @strawberry.mutation(
        extensions=allow(SIGNED_IN),
        description="Under 15, the choice is kept but takes effect once a parent consents.",
    )
    async def set_marketing_opt_in(
        self, info: Info, channel: MarketingChannel, opted_in: bool
    ) -> MarketingConsentResult:
        return await _resolvers().set_marketing_opt_in(info, channel, opted_in)

    @strawberry.mutation(
        extensions=allow(YOUNG_PERSON),
        description="Under 15: the parent receives an email with a link valid 14 days.",
    )
    async def request_parental_consent(
        self, info: Info, parent_name: str, parent_email: str
    ) -> MarketingConsentResult:
        return await _resolvers().request_parental_consent(info, parent_name, parent_email)

    @strawberry.mutation(
        extensions=allow(YOUNG_PERSON),
        description="Withdraws the parent's consent, or cancels an unanswered request.",
    )
    async def withdraw_parental_consent(self, info: Info) -> MarketingConsentResult:
        return await _resolvers().withdraw_parental_consent(info)

    @strawberry.mutation(
        extensions=allow(staff(StaffRole.SUPPORT)),
        description="A consent given on paper (signed form kept by the support team).",
    )
    async def record_parental_consent(
        self, info: Info, young_person_id: strawberry.ID, parent_name: str, parent_email: str
    ) -> ParentalConsentResult:
        return await _resolvers().record_parental_consent(
            info, young_person_id, parent_name, parent_email
        )
