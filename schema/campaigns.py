"""Marketing campaigns by email, push and in-app, and the themes young people like.

`CampaignQueries` and `CampaignMutations` are composed into the root types (schema/root.py).
Campaigns are for the marketing team (and administrators) only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from domain.campaigns import management as domain
from domain.campaigns.audience import Segment
from models.accounts import StaffRole
from models.campaigns import Campaign as CampaignModel
from models.campaigns import CampaignStatus as CampaignStatusModel
from models.campaigns import RecipientStatus as RecipientStatusModel
from models.cards import BeneficiaryKind as BeneficiaryKindModel
from models.notifications import Channel
from models.offers import Offer as OfferModel
from resolvers import campaigns as resolvers
from resolvers.context import Info
from resolvers.permissions import YOUNG_PERSON, allow, staff
from schema.errors import UserError, user_errors
from schema.offers import Offer, OfferTheme

MARKETING = allow(staff(StaffRole.MARKETING))

CampaignStatus = strawberry.enum(CampaignStatusModel, name="CampaignStatus")
CampaignChannel = strawberry.enum(
    Channel, name="CampaignChannel", description="IN_APP: the app's inbox."
)
CampaignRecipientStatus = strawberry.enum(RecipientStatusModel, name="CampaignRecipientStatus")
BeneficiaryKind = strawberry.enum(
    BeneficiaryKindModel,
    name="BeneficiaryKind",
    description="MIDDLE_SCHOOLER: collégien ; YOUNG_ADULT: 16–25 ans.",
)


@strawberry.input(description="Who to reach; a field left out does not filter.")
class CampaignSegmentInput:
    kinds: list[BeneficiaryKind] | None = None
    min_age: int | None = None
    max_age: int | None = None
    communes: list[str] | None = strawberry.field(
        default=None, description="INSEE codes (13xxx) of the beneficiary's commune."
    )
    schools: list[str] | None = strawberry.field(
        default=None, description="The beneficiary's school, by name (case ignored)."
    )
    partner_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Followers of any of these partners."
    )
    themes: list[OfferTheme] | None = strawberry.field(
        default=None, description="Interested in any of these themes."
    )
    card_activated: bool | None = None


@strawberry.input(description="A campaign's content and audience; on update, what changes.")
class CampaignInput:
    name: str | None = None
    channels: list[CampaignChannel] | None = None
    subject: str | None = strawberry.field(default=None, description="The email's subject.")
    title: str | None = strawberry.field(
        default=None, description="The push title, the email's and the inbox's heading."
    )
    body: str | None = None
    offer_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Up to 4 published deals or events shown as cards."
    )
    segment: CampaignSegmentInput | None = None


@strawberry.type
class CampaignSegment:
    kinds: list[BeneficiaryKind]
    min_age: int | None
    max_age: int | None
    communes: list[str]
    schools: list[str]
    partner_ids: list[strawberry.ID]
    themes: list[OfferTheme]
    card_activated: bool | None


@strawberry.type
class ChannelProgress:
    channel: CampaignChannel
    targeted: int
    sent: int
    failed: int
    bounced: int = strawberry.field(
        description="Among the failed: emails whose address its mail server refused."
    )
    skipped: int
    remaining: int


@strawberry.type(description="Why some were not sent, most frequent first.")
class CampaignFailureReason:
    channel: CampaignChannel
    status: CampaignRecipientStatus
    reason: str
    count: int


@strawberry.type
class CampaignProgress:
    targeted: int
    sent: int
    failed: int
    bounced: int = strawberry.field(
        description="Among the failed: emails whose address its mail server refused."
    )
    skipped: int = strawberry.field(description="No longer eligible, no device, or cancelled.")
    remaining: int
    unsubscribes: int = strawberry.field(description="Opt-outs through this campaign's links.")
    channels: list[ChannelProgress]
    reasons: list[CampaignFailureReason]


@strawberry.type
class Campaign:
    id: strawberry.ID
    name: str
    status: CampaignStatus
    channels: list[CampaignChannel]
    subject: str
    title: str
    body: str
    offer_ids: list[strawberry.ID]
    segment: CampaignSegment
    scheduled_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    model: strawberry.Private[CampaignModel]

    @strawberry.field(description="The deals and events shown, in order.")
    async def offers(self) -> list[Offer]:
        ids = [UUID(i) for i in self.model.offer_ids]
        found = {o.id: o for o in await OfferModel.filter(id__in=ids)}
        return await Offer.list_of([found[i] for i in ids if i in found])

    @strawberry.field(description="Counted from the recipients' rows.")
    async def progress(self) -> CampaignProgress:
        figures = await domain.progress(self.model)
        return CampaignProgress(
            targeted=figures.total("targeted"),
            sent=figures.total("sent"),
            failed=figures.total("failed"),
            bounced=figures.total("bounced"),
            skipped=figures.total("skipped"),
            remaining=figures.total("remaining"),
            unsubscribes=figures.unsubscribes,
            channels=[
                ChannelProgress(
                    channel=c.channel,
                    targeted=c.targeted,
                    sent=c.sent,
                    failed=c.failed,
                    bounced=c.bounced,
                    skipped=c.skipped,
                    remaining=c.remaining,
                )
                for c in figures.channels
            ],
            reasons=[
                CampaignFailureReason(
                    channel=r.channel, status=r.status, reason=r.reason, count=r.count
                )
                for r in figures.reasons
            ],
        )

    @classmethod
    def of(cls, campaign: CampaignModel) -> Campaign:
        segment = Segment.from_json(campaign.segment)
        return cls(
            id=strawberry.ID(str(campaign.id)),
            name=campaign.name,
            status=campaign.status,
            channels=[Channel(c) for c in campaign.channels],
            subject=campaign.subject,
            title=campaign.title,
            body=campaign.body,
            offer_ids=[strawberry.ID(i) for i in campaign.offer_ids],
            segment=CampaignSegment(
                kinds=list(segment.kinds),
                min_age=segment.min_age,
                max_age=segment.max_age,
                communes=list(segment.communes),
                schools=list(segment.schools),
                partner_ids=[strawberry.ID(str(p)) for p in segment.partner_ids],
                themes=list(segment.themes),
                card_activated=segment.card_activated,
            ),
            scheduled_at=campaign.scheduled_at,
            started_at=campaign.started_at,
            completed_at=campaign.completed_at,
            cancelled_at=campaign.cancelled_at,
            created_at=campaign.created_at,
            model=campaign,
        )


@strawberry.type
class CampaignSuccess:
    campaign: Campaign


CampaignResult = Annotated[CampaignSuccess | UserError, strawberry.union("CampaignResult")]


def _answer(result: CampaignModel) -> CampaignResult:
    return CampaignSuccess(campaign=Campaign.of(result))


@strawberry.type(description="How many would receive it today, per channel.")
class CampaignAudience:
    email: int | None
    push: int | None
    in_app: int | None


CampaignAudienceResult = Annotated[
    CampaignAudience | UserError, strawberry.union("CampaignAudienceResult")
]


@strawberry.type
class PushDataEntry:
    key: str
    value: str


@strawberry.type(description="The email as you would receive it, and the push payload.")
class CampaignPreview:
    subject: str
    html: str
    text: str
    push_title: str
    push_body: str
    push_data: list[PushDataEntry]


CampaignPreviewResult = Annotated[
    CampaignPreview | UserError, strawberry.union("CampaignPreviewResult")
]


@strawberry.type
class CampaignTestSent:
    email: str = strawberry.field(description="Your own address, where the email went.")
    devices: int = strawberry.field(description="Your own devices that received the push.")


CampaignTestResult = Annotated[CampaignTestSent | UserError, strawberry.union("CampaignTestResult")]


@strawberry.type
class ThemesOfInterest:
    themes: list[OfferTheme]


ThemesOfInterestResult = Annotated[
    ThemesOfInterest | UserError, strawberry.union("ThemesOfInterestResult")
]


@strawberry.type
class CampaignQueries:
    @strawberry.field(extensions=MARKETING)
    async def campaign(self, info: Info, id: strawberry.ID) -> Campaign | None:
        found = await resolvers.campaign(info, id)
        return Campaign.of(found) if found else None

    @strawberry.field(extensions=MARKETING, description="Newest first.")
    async def campaigns(
        self, info: Info, status: CampaignStatus | None = None, first: int = 50
    ) -> list[Campaign]:
        return [Campaign.of(c) for c in await resolvers.campaigns_list(info, status, first)]

    @strawberry.field(
        extensions=MARKETING,
        description="Who may receive it today: consent, parental consent under 15, 18–25 "
        "themes; channels left out: all three.",
    )
    @user_errors
    async def campaign_audience(
        self,
        info: Info,
        segment: CampaignSegmentInput | None = None,
        offer_ids: list[strawberry.ID] | None = None,
        channels: list[CampaignChannel] | None = None,
    ) -> CampaignAudienceResult:
        counts = await resolvers.audience(info, segment, offer_ids, channels)
        return CampaignAudience(
            email=counts.get(Channel.EMAIL),
            push=counts.get(Channel.PUSH),
            in_app=counts.get(Channel.IN_APP),
        )

    @strawberry.field(extensions=MARKETING)
    @user_errors
    async def campaign_preview(self, info: Info, id: strawberry.ID) -> CampaignPreviewResult:
        found = await resolvers.preview(info, id)
        return CampaignPreview(
            subject=found.subject,
            html=found.html,
            text=found.text,
            push_title=found.push_title,
            push_body=found.push_body,
            push_data=[PushDataEntry(key=k, value=v) for k, v in found.push_data.items()],
        )

    @strawberry.field(
        extensions=allow(YOUNG_PERSON), description="The themes I said I like (campaigns)."
    )
    async def my_themes_of_interest(self, info: Info) -> list[OfferTheme]:
        return await domain.themes_of_interest(info.context.viewer.user.id)


@strawberry.type
class CampaignMutations:
    @strawberry.mutation(extensions=MARKETING, description="A draft; nothing is sent.")
    @user_errors
    async def create_campaign(self, info: Info, input: CampaignInput) -> CampaignResult:
        return _answer(await resolvers.create_campaign(info, input))

    @strawberry.mutation(extensions=MARKETING, description="Drafts only.")
    @user_errors
    async def update_campaign(
        self, info: Info, id: strawberry.ID, input: CampaignInput
    ) -> CampaignResult:
        return _answer(await resolvers.update_campaign(info, id, input))

    @strawberry.mutation(
        extensions=MARKETING, description="Now, or at `at` (a future instant, with its zone)."
    )
    @user_errors
    async def send_campaign(
        self, info: Info, id: strawberry.ID, at: datetime | None = None
    ) -> CampaignResult:
        return _answer(await resolvers.send_campaign(info, id, at))

    @strawberry.mutation(extensions=MARKETING, description="What is being sent finishes.")
    @user_errors
    async def pause_campaign(self, info: Info, id: strawberry.ID) -> CampaignResult:
        return _answer(await resolvers.change_state(info, id, "pause"))

    @strawberry.mutation(extensions=MARKETING)
    @user_errors
    async def resume_campaign(self, info: Info, id: strawberry.ID) -> CampaignResult:
        return _answer(await resolvers.change_state(info, id, "resume"))

    @strawberry.mutation(
        extensions=MARKETING, description="Whoever has not received it yet will not."
    )
    @user_errors
    async def cancel_campaign(self, info: Info, id: strawberry.ID) -> CampaignResult:
        return _answer(await resolvers.change_state(info, id, "cancel"))

    @strawberry.mutation(
        extensions=MARKETING, description="The email to my own address, the push to my devices."
    )
    @user_errors
    async def send_test_campaign(self, info: Info, id: strawberry.ID) -> CampaignTestResult:
        sent = await resolvers.send_test(info, id)
        return CampaignTestSent(email=sent.email, devices=sent.devices)

    @strawberry.mutation(
        extensions=allow(YOUNG_PERSON),
        description="Replaces my themes; TOURISME and INSERTION_PROFESSIONNELLE from 18.",
    )
    @user_errors
    async def set_my_themes_of_interest(
        self, info: Info, themes: list[OfferTheme]
    ) -> ThemesOfInterestResult:
        chosen = await resolvers.set_themes(info, themes)
        return ThemesOfInterest(themes=chosen)
