"""Types for marketing consent and parents' consent for under-15s."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import strawberry

from domain.consent.parental import ConsentStatus
from domain.notifications.channels import with_opt_in
from schema.errors import UserError

# The channels one opts in to (Channel values), in the registry's order: push, then email.
MarketingChannel = strawberry.enum(
    StrEnum("MarketingChannel", [(c.channel.name, c.channel.value) for c in with_opt_in()]),
    name="MarketingChannel",
)
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
