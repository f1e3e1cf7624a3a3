"""Campaigns as the marketing team handles them: written as drafts, counted, previewed,
tried on oneself, sent now or at a set time, paused, resumed, cancelled, followed.

The sending itself is in domain/campaigns/sending.py (jobs); who receives, in
domain/campaigns/audience.py. Every change of state is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from tortoise.functions import Count

from domain.accounts.viewer import Viewer
from domain.campaigns.audience import Segment, check_segment
from domain.campaigns.content import offer_cards
from domain.campaigns.queries import count_audience
from domain.campaigns.sending import CANCELLED, START_JOB, offer_themes
from domain.core import clock
from domain.core.audit import record
from domain.core.errors import DomainError, ErrorCode, invalid, not_found
from domain.core.text import clean_text
from domain.core.transactions import after_commit, atomic
from domain.notifications.channels.base import ADDRESS_REFUSED
from domain.notifications.channels.email import campaign_email
from domain.notifications.channels.push import campaign_push, push_data
from domain.offers.visibility import ADULT_THEMES, sees_adult_themes
from infra.jobs import enqueue
from infra.settings import get_settings
from models.campaigns import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
    ThemeInterest,
)
from models.notifications import Channel, Device, MarketingConsentEvent
from models.offers import Offer, OfferTheme
from push.channels import email_channel, push_channel
from push.email import render
from push.mobile import PushResult

MAX_OFFERS = 4
MAX_REASONS = 20
LIMITS = {"name": 200, "subject": 150, "title": 100, "body": 1000}
EDITABLE = (CampaignStatus.DRAFT,)
SENDABLE = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
CANCELLABLE = (
    CampaignStatus.DRAFT,
    CampaignStatus.SCHEDULED,
    CampaignStatus.SENDING,
    CampaignStatus.PAUSED,
)
STATUS_WORDS = {
    CampaignStatus.DRAFT: "un brouillon",
    CampaignStatus.SCHEDULED: "programmée",
    CampaignStatus.SENDING: "en cours d'envoi",
    CampaignStatus.PAUSED: "en pause",
    CampaignStatus.COMPLETED: "terminée",
    CampaignStatus.CANCELLED: "annulée",
}


@dataclass(frozen=True)
class CampaignDraft:
    name: str
    channels: Sequence[Channel]
    title: str
    body: str
    subject: str = ""
    offer_ids: Sequence[UUID] = ()
    segment: Segment = field(default_factory=Segment)

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignDraft:
        return cls(
            name=campaign.name,
            channels=[Channel(c) for c in campaign.channels],
            title=campaign.title,
            body=campaign.body,
            subject=campaign.subject,
            offer_ids=[UUID(i) for i in campaign.offer_ids],
            segment=Segment.from_json(campaign.segment),
        )


def _text(name: str, value: str, required: bool = True) -> str:
    return clean_text(
        name, value, max_length=LIMITS[name], multiline=name == "body", required=required
    )


async def _check_offers(offer_ids: Sequence[UUID]) -> None:
    if len(offer_ids) > MAX_OFFERS:
        raise invalid("offerIds", f"{MAX_OFFERS} bons plans ou événements au plus par campagne.")
    if not offer_ids:
        return
    today = clock.paris_today()
    on_show = await Offer.filter(
        id__in=list(offer_ids),
        published_revision_id__isnull=False,
        withdrawn_at__isnull=True,
        valid_until__gte=today,
    ).count()
    if on_show != len(set(offer_ids)):
        raise invalid(
            "offerIds",
            "Un des bons plans ou événements choisis n'existe pas, n'est pas publié ou a expiré.",
        )


async def _checked(draft: CampaignDraft) -> CampaignDraft:
    channels = list(dict.fromkeys(draft.channels))
    if not channels:
        raise invalid("channels", "Choisissez au moins un canal : e-mail, notification ou appli.")
    subject = _text("subject", draft.subject, required=Channel.EMAIL in channels)
    title, body = _text("title", draft.title), _text("body", draft.body)
    await _check_offers(draft.offer_ids)
    await check_segment(
        draft.segment.restricted_to_adults(await offer_themes([str(i) for i in draft.offer_ids]))
    )
    return CampaignDraft(
        name=_text("name", draft.name),
        channels=channels,
        title=title,
        body=body,
        subject=subject,
        offer_ids=list(dict.fromkeys(draft.offer_ids)),
        segment=draft.segment,
    )


def _fields(draft: CampaignDraft) -> dict[str, Any]:
    return {
        "name": draft.name,
        "channels": [c.value for c in draft.channels],
        "subject": draft.subject,
        "title": draft.title,
        "body": draft.body,
        "offer_ids": [str(i) for i in draft.offer_ids],
        "segment": draft.segment.as_json(),
    }


async def create_campaign(actor: Viewer, draft: CampaignDraft) -> Campaign:
    draft = await _checked(draft)
    async with atomic():
        campaign = await Campaign.create(
            **_fields(draft), created_by_id=actor.user.id if actor.user else None
        )
        await record(actor, "campaign.created", campaign, after={"name": campaign.name})
    return campaign


async def _locked(campaign_id: UUID) -> Campaign:
    campaign = await Campaign.select_for_update().get_or_none(id=campaign_id)
    if campaign is None:
        raise not_found("Campagne")
    return campaign


def _refuse(campaign: Campaign, doing: str) -> DomainError:
    return DomainError(
        ErrorCode.INVALID_STATE,
        f"Impossible de {doing} : la campagne est {STATUS_WORDS[campaign.status]}.",
    )


async def update_campaign(actor: Viewer, campaign_id: UUID, draft: CampaignDraft) -> Campaign:
    draft = await _checked(draft)
    async with atomic():
        campaign = await _locked(campaign_id)
        if campaign.status not in EDITABLE:
            raise _refuse(campaign, "la modifier")
        changes = _fields(draft)
        for name, value in changes.items():
            setattr(campaign, name, value)
        await campaign.save(update_fields=[*changes, "updated_at"])
        await record(actor, "campaign.updated", campaign, after={"name": campaign.name})
    return campaign


async def get_campaign(campaign_id: UUID) -> Campaign:
    campaign = await Campaign.get_or_none(id=campaign_id)
    if campaign is None:
        raise not_found("Campagne")
    return campaign


async def send_campaign(actor: Viewer, campaign_id: UUID, at: datetime | None = None) -> Campaign:
    """Now (the workers start at once) or at `at` (the sweeper starts it when due)."""
    now = clock.now()
    if at is not None and at.tzinfo is None:
        raise invalid("at", "Indiquez le fuseau horaire de la date d'envoi.")
    if at is not None and at <= now + timedelta(minutes=1):
        raise invalid("at", "La date d'envoi doit être dans le futur.")
    async with atomic():
        campaign = await _locked(campaign_id)
        if campaign.status not in SENDABLE:
            raise _refuse(campaign, "l'envoyer")
        # The content may have aged since the draft: an offer withdrawn, a partner gone.
        await _checked(CampaignDraft.of(campaign))
        if at is None:
            campaign.status, campaign.scheduled_at = CampaignStatus.SENDING, None
            campaign.started_at = campaign.last_progress_at = now
        else:
            campaign.status, campaign.scheduled_at = CampaignStatus.SCHEDULED, at
        await campaign.save(
            update_fields=["status", "scheduled_at", "started_at", "last_progress_at"]
        )
        after = {"scheduledAt": at.isoformat() if at else None}
        await record(actor, "campaign.sent", campaign, after=after)
        if at is None:
            await after_commit(lambda: enqueue(START_JOB, str(campaign.id)))
    return campaign


async def _move(
    actor: Viewer,
    campaign_id: UUID,
    allowed: Sequence[CampaignStatus],
    to: CampaignStatus,
    doing: str,
) -> Campaign:
    async with atomic():
        campaign = await _locked(campaign_id)
        if campaign.status not in allowed:
            raise _refuse(campaign, doing)
        before = campaign.status
        campaign.status = to
        now = clock.now()
        campaign.last_progress_at = now
        if to == CampaignStatus.CANCELLED:
            campaign.cancelled_at = now
            await CampaignRecipient.filter(
                campaign_id=campaign.id, status=RecipientStatus.PENDING
            ).update(status=RecipientStatus.SKIPPED, reason=CANCELLED)
        await campaign.save(update_fields=["status", "last_progress_at", "cancelled_at"])
        await record(
            actor, f"campaign.{to.value}", campaign, before={"status": before}, after={"status": to}
        )
        if to == CampaignStatus.SENDING:
            await after_commit(lambda: enqueue(START_JOB, str(campaign.id)))
    return campaign


async def pause_campaign(actor: Viewer, campaign_id: UUID) -> Campaign:
    """The batches stop before their next claim; what is being sent finishes."""
    return await _move(
        actor, campaign_id, [CampaignStatus.SENDING], CampaignStatus.PAUSED, "la mettre en pause"
    )


async def resume_campaign(actor: Viewer, campaign_id: UUID) -> Campaign:
    return await _move(
        actor, campaign_id, [CampaignStatus.PAUSED], CampaignStatus.SENDING, "reprendre l'envoi"
    )


async def cancel_campaign(actor: Viewer, campaign_id: UUID) -> Campaign:
    """Whoever has not received it yet will not."""
    return await _move(actor, campaign_id, CANCELLABLE, CampaignStatus.CANCELLED, "l'annuler")


# --- counting and following -------------------------------------------------------------


async def audience(
    segment: Segment, offer_ids: Sequence[UUID], channels: Sequence[Channel]
) -> dict[Channel, int]:
    await _check_offers(offer_ids)
    sent = segment.restricted_to_adults(await offer_themes([str(i) for i in offer_ids]))
    await check_segment(sent)
    return await count_audience(sent, channels or list(Channel), clock.paris_today())


@dataclass(frozen=True)
class ChannelProgress:
    channel: Channel
    targeted: int
    sent: int
    failed: int
    skipped: int
    bounced: int = 0  # among the failed: the address refused by its mail server

    @property
    def remaining(self) -> int:
        return self.targeted - self.sent - self.failed - self.skipped


@dataclass(frozen=True)
class ReasonCount:
    channel: Channel
    status: RecipientStatus
    reason: str
    count: int


@dataclass(frozen=True)
class CampaignProgress:
    channels: list[ChannelProgress]
    reasons: list[ReasonCount]
    unsubscribes: int

    def total(self, name: str) -> int:
        return sum(getattr(c, name) for c in self.channels)


async def progress(campaign: Campaign) -> CampaignProgress:
    """From the rows themselves (one GROUP BY), so that it cannot drift from them."""
    counts: dict[str, dict[str, int]] = {c: {} for c in campaign.channels}
    bounced: dict[str, int] = {}
    reasons: list[ReasonCount] = []
    if campaign.materialized_at is not None:
        rows = await (
            CampaignRecipient.filter(campaign_id=campaign.id)
            .annotate(n=Count("id"))
            .group_by("channel", "status")
            .values("channel", "status", "n")
        )
        for row in rows:
            counts.setdefault(str(row["channel"]), {})[str(row["status"])] = int(row["n"])
        bounces = await (
            CampaignRecipient.filter(
                campaign_id=campaign.id,
                status=RecipientStatus.FAILED,
                reason__startswith=ADDRESS_REFUSED,
            )
            .annotate(n=Count("id"))
            .group_by("channel")
            .values("channel", "n")
        )
        bounced = {str(row["channel"]): int(row["n"]) for row in bounces}
        why = await (
            CampaignRecipient.filter(
                campaign_id=campaign.id,
                status__in=[RecipientStatus.FAILED, RecipientStatus.SKIPPED],
            )
            .annotate(n=Count("id"))
            .group_by("channel", "status", "reason")
            .order_by("-n")
            .limit(MAX_REASONS)
            .values("channel", "status", "reason", "n")
        )
        for row in why:
            reasons.append(
                ReasonCount(
                    Channel(row["channel"]),
                    RecipientStatus(row["status"]),
                    row["reason"],
                    int(row["n"]),
                )
            )
    channels = [
        ChannelProgress(
            channel=Channel(channel),
            targeted=sum(by_status.values()),
            sent=by_status.get(RecipientStatus.SENT, 0),
            failed=by_status.get(RecipientStatus.FAILED, 0),
            skipped=by_status.get(RecipientStatus.SKIPPED, 0),
            bounced=bounced.get(channel, 0),
        )
        for channel, by_status in counts.items()
    ]
    unsubscribes = await MarketingConsentEvent.filter(
        campaign_id=campaign.id, opted_in=False
    ).count()
    return CampaignProgress(channels, reasons, unsubscribes)


# --- before sending: the preview and the test to oneself --------------------------------


@dataclass(frozen=True)
class Preview:
    subject: str
    html: str
    text: str
    push_title: str
    push_body: str
    push_data: dict[str, str]


async def preview(actor: Viewer, campaign_id: UUID) -> Preview:
    """The email as the viewer would receive it (their name, their unsubscribe link)."""
    campaign = await get_campaign(campaign_id)
    settings = get_settings()
    cards = await offer_cards(campaign.offer_ids, settings)
    user = actor.user
    assert user is not None  # staff only
    message = render(
        campaign_email(campaign, cards, user.email, user.first_name, user.id, settings), settings
    )
    html, text = message.get_body(("html",)), message.get_body(("plain",))
    assert html is not None and text is not None  # render() always writes both parts
    return Preview(
        subject=str(message["Subject"]),
        html=html.get_content(),
        text=text.get_content(),
        push_title=campaign.title,
        push_body=campaign.body,
        push_data=push_data(campaign),
    )


@dataclass(frozen=True)
class TestSend:
    email: str
    devices: int  # the viewer's own devices that received the push


async def send_test(actor: Viewer, campaign_id: UUID) -> TestSend:
    """To the viewer only, whatever their own marketing choices: they asked for it."""
    campaign = await get_campaign(campaign_id)
    user = actor.user
    assert user is not None  # staff only
    settings = get_settings()
    cards = await offer_cards(campaign.offer_ids, settings)
    email = campaign_email(campaign, cards, user.email, user.first_name, user.id, settings)
    # Not the campaign's Message-ID: a test must not be taken for the real message.
    email = replace(email, stable_id=None, headers={"X-CJeune-Test": "1"})
    (outcome,) = await email_channel().deliver([email])
    if not outcome.ok:
        raise DomainError(
            ErrorCode.INVALID_STATE, f"L'e-mail de test n'est pas parti : {outcome.error}"
        )
    # flat=True gives the values, which Tortoise types as tuples.
    devices = cast(
        "list[str]", await Device.filter(user_id=user.id).values_list("token", flat=True)
    )
    reached = 0
    if devices and Channel.PUSH.value in campaign.channels:
        results = await push_channel().send([campaign_push(campaign, t, None) for t in devices])
        reached = sum(1 for r in results if r.result is PushResult.SENT)
    return TestSend(email=user.email, devices=reached)


# --- what young people like --------------------------------------------------------------


async def themes_of_interest(user_id: UUID) -> list[OfferTheme]:
    # flat=True gives the values, which Tortoise types as tuples.
    themes = cast(
        "list[str]", await ThemeInterest.filter(user_id=user_id).values_list("theme", flat=True)
    )
    return sorted((OfferTheme(t) for t in themes), key=list(OfferTheme).index)


async def set_themes_of_interest(viewer: Viewer, themes: Sequence[OfferTheme]) -> list[OfferTheme]:
    """The young person's choice replaces the previous one. The 18–25 themes only from 18."""
    assert viewer.user is not None  # young people only
    chosen = list(dict.fromkeys(OfferTheme(t) for t in themes))
    if set(chosen) & ADULT_THEMES and not sees_adult_themes(viewer, clock.paris_today()):
        raise invalid(
            "themes", "Le tourisme et l'insertion professionnelle sont réservés aux 18–25 ans."
        )
    async with atomic():
        await ThemeInterest.filter(user_id=viewer.user.id).delete()
        await ThemeInterest.bulk_create(
            [ThemeInterest(user_id=viewer.user.id, theme=t.value) for t in chosen]
        )
    return await themes_of_interest(viewer.user.id)
