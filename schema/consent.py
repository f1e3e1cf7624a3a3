"""Marketing consent and parents' consent for under-15s: the types, and the root fields
`ConsentQueries` and `ConsentMutations` (composed in schema/root.py)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import strawberry

from domain.consent.marketing import opted_in, unsubscribe_wording
from domain.consent.parental import LINK_VALID_DAYS, ConsentLink, ConsentStatus, status_of
from domain.notifications.channels import with_opt_in
from models.accounts import StaffRole
from models.notifications import Channel
from models.notifications import ParentalConsent as ParentalConsentModel
from push.unsubscribe import UnsubscribeLink as UnsubscribeLinkModel
from resolvers import consent as resolvers
from resolvers.consent import MarketingChoices
from resolvers.context import Info
from resolvers.permissions import ANYONE, SIGNED_IN, YOUNG_PERSON, allow, staff
from schema.errors import UserError, user_errors

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

    @classmethod
    def from_model(cls, consent: ParentalConsentModel) -> ParentalConsent:
        return cls(
            id=strawberry.ID(str(consent.id)),
            status=status_of(consent),
            parent_name=consent.parent_name,
            parent_email=consent.parent_email,
            requested_at=consent.requested_at,
            given_at=consent.given_at,
            withdrawn_at=consent.withdrawn_at,
            recorded_on_paper=consent.recorded_by_id is not None,
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

    @classmethod
    def from_choices(cls, choices: MarketingChoices) -> MarketingConsent:
        consent = choices.parental_consent
        return cls(
            email_opt_in=opted_in(choices.user, Channel.EMAIL),
            push_opt_in=opted_in(choices.user, Channel.PUSH),
            parental_consent_needed=choices.parental_consent_needed,
            parental_consent_status=choices.parental_consent_status,
            parental_consent=ParentalConsent.from_model(consent) if consent else None,
            receives_marketing_email=choices.receives_marketing_email,
            receives_marketing_push=choices.receives_marketing_push,
            notice=choices.notice,
        )


@strawberry.type(
    description="What a parent's emailed link is about: the link itself is the parent's "
    "credential (valid 14 days to give consent; withdrawing works however old it is)."
)
class ParentalConsentRequest:
    child_first_name: str
    child_last_name: str
    parent_name: str
    status: ParentalConsentStatus
    requested_at: datetime
    given_at: datetime | None
    withdrawn_at: datetime | None
    may_give: bool = strawberry.field(
        description="The request is the newest, unanswered and less than `validDays` old."
    )
    may_refuse: bool = strawberry.field(
        description="A consent given can be withdrawn, a request not answered yet declined."
    )
    superseded: bool = strawberry.field(
        description="The young person asked again since: only the newest link gives consent."
    )
    expired: bool
    valid_days: int

    @classmethod
    def from_link(cls, link: ConsentLink) -> ParentalConsentRequest:
        consent = link.consent
        return cls(
            child_first_name=link.young_person.first_name,
            child_last_name=link.young_person.last_name,
            parent_name=consent.parent_name,
            status=link.status,
            requested_at=consent.requested_at,
            given_at=consent.given_at,
            withdrawn_at=consent.withdrawn_at,
            may_give=link.may_give,
            may_refuse=link.may_refuse,
            superseded=link.superseded,
            expired=link.expired,
            valid_days=LINK_VALID_DAYS,
        )


@strawberry.type(description="What a marketing email's unsubscribe link stops.")
class UnsubscribeLink:
    channel: MarketingChannel
    wording: str = strawberry.field(
        description="What the person stops receiving, in French: « les bons plans et "
        "actualités de CJeune de Provence par e-mail »."
    )

    @classmethod
    def from_link(cls, link: UnsubscribeLinkModel) -> UnsubscribeLink:
        return cls(channel=MarketingChannel(link.channel.value), wording=unsubscribe_wording(link))


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

ParentalConsentRequestResult = Annotated[
    ParentalConsentRequest | UserError, strawberry.union("ParentalConsentRequestResult")
]
UnsubscribeLinkResult = Annotated[
    UnsubscribeLink | UserError, strawberry.union("UnsubscribeLinkResult")
]


def _request_answer(link: ConsentLink) -> ParentalConsentRequest:
    return ParentalConsentRequest.from_link(link)


def _consent_answer(choices: MarketingChoices) -> MarketingConsentSuccess:
    return MarketingConsentSuccess(consent=MarketingConsent.from_choices(choices))


@strawberry.type
class ConsentQueries:
    @strawberry.field(extensions=allow(YOUNG_PERSON))
    async def my_marketing_consent(self, info: Info) -> MarketingConsent:
        return MarketingConsent.from_choices(await resolvers.my_marketing_consent(info))

    @strawberry.field(
        extensions=allow(ANYONE),
        description="The parent's page: what the emailed link asks. Reading it changes "
        "nothing. An altered or unknown link: INVALID_TOKEN.",
    )
    @user_errors
    async def parental_consent_request(
        self, info: Info, token: str
    ) -> ParentalConsentRequestResult:
        return _request_answer(await resolvers.parental_consent_request(info, token))

    @strawberry.field(
        extensions=allow(ANYONE),
        description="The unsubscribe page: what the emailed link stops. Reading it changes "
        "nothing. An altered link: INVALID_TOKEN.",
    )
    @user_errors
    async def unsubscribe_link(self, info: Info, token: str) -> UnsubscribeLinkResult:
        return UnsubscribeLink.from_link(await resolvers.unsubscribe_link(info, token))


@strawberry.type
class ConsentMutations:
    @strawberry.mutation(
        extensions=allow(SIGNED_IN),
        description="Under 15, the choice is kept but takes effect once a parent consents.",
    )
    @user_errors
    async def set_marketing_opt_in(
        self, info: Info, channel: MarketingChannel, opted_in: bool
    ) -> MarketingConsentResult:
        return _consent_answer(await resolvers.set_marketing_opt_in(info, channel, opted_in))

    @strawberry.mutation(
        extensions=allow(YOUNG_PERSON),
        description="Under 15: the parent receives an email with a link valid 14 days.",
    )
    @user_errors
    async def request_parental_consent(
        self, info: Info, parent_name: str, parent_email: str
    ) -> MarketingConsentResult:
        return _consent_answer(
            await resolvers.request_parental_consent(info, parent_name, parent_email)
        )

    @strawberry.mutation(
        extensions=allow(YOUNG_PERSON),
        description="Withdraws the parent's consent, or cancels an unanswered request.",
    )
    @user_errors
    async def withdraw_parental_consent(self, info: Info) -> MarketingConsentResult:
        return _consent_answer(await resolvers.withdraw_parental_consent(info))

    @strawberry.mutation(
        extensions=allow(staff(StaffRole.SUPPORT)),
        description="A consent given on paper (signed form kept by the support team).",
    )
    @user_errors
    async def record_parental_consent(
        self, info: Info, young_person_id: strawberry.ID, parent_name: str, parent_email: str
    ) -> ParentalConsentResult:
        consent = await resolvers.record_parental_consent(
            info, young_person_id, parent_name, parent_email
        )
        return ParentalConsentSuccess(parental_consent=ParentalConsent.from_model(consent))

    @strawberry.mutation(
        extensions=allow(ANYONE),
        description="The parent gives consent through the emailed link (the newest request, "
        "within 14 days; otherwise LINK_EXPIRED). Giving it twice changes nothing.",
    )
    @user_errors
    async def give_parental_consent(self, info: Info, token: str) -> ParentalConsentRequestResult:
        return _request_answer(await resolvers.give_parental_consent(info, token))

    @strawberry.mutation(
        extensions=allow(ANYONE),
        description="The parent says no through the emailed link: withdraws the consent "
        "given, or declines the request, however old the link. Twice changes nothing.",
    )
    @user_errors
    async def refuse_parental_consent(self, info: Info, token: str) -> ParentalConsentRequestResult:
        return _request_answer(await resolvers.refuse_parental_consent(info, token))

    @strawberry.mutation(
        extensions=allow(ANYONE),
        description="One-click unsubscribe (RFC 8058) from the marketing messages of the "
        "link's channel; the link never expires, and twice changes nothing.",
    )
    @user_errors
    async def unsubscribe_by_token(self, info: Info, token: str) -> UnsubscribeLinkResult:
        return UnsubscribeLink.from_link(await resolvers.unsubscribe_by_token(info, token))
