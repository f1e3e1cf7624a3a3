"""Sending a campaign: recipients written once, then claimed, sent and recorded in batches.

`start` (job campaigns.start) writes the recipient rows if they are not written yet and
kicks CAMPAIGN_PARALLEL_BATCHES batch jobs per channel. A batch job (campaigns.batch)
claims up to CAMPAIGN_BATCH_SIZE pending rows of its channel at once (PostgreSQL: FOR
UPDATE SKIP LOCKED, so parallel jobs take different rows), has the channel send them
(domain/notifications/channels/: CAMPAIGN_SMTP_CONNECTIONS pipelined SMTP connections, the
emails built from one rendering of the campaign; FCM calls of at most 500; inbox rows) and
records the rows' outcomes every RECORD_EVERY rows, and goes on for BATCH_SECONDS before
handing over to a fresh job of itself.

Crash safety: a claim is a lease (`claimed_until`). Rows of a worker that died stay claimed
until the lease expires; any batch job then puts them back to pending (or failed after
MAX_ATTEMPTS). A row marked sent is never sent again (the database refuses to move it back).
The only window for a second message is a crash between the provider's acceptance and the
row's update, at most the RECORD_EVERY rows in flight: such a message has the same
Message-ID (email) and collapse key (push) as the first. Outcomes are written only by
the batch still holding the claim (`claimed_by`).

Pause and cancel are read before each claim; cancel skips the pending rows at once and
the expired claims as they are found.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain.campaigns import queries
from domain.campaigns.audience import Segment, may_receive_campaign
from domain.campaigns.send_rate import send_rate
from domain.consent.marketing import needs_parental_consent, with_parental_consent
from domain.core import clock
from domain.notifications.channels import channel_of
from infra.jobs import enqueue, enqueue_later
from infra.settings import get_settings
from models.accounts import User
from models.campaigns import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
)
from models.notifications import Channel
from models.offers import Offer

logger = logging.getLogger(__name__)

START_JOB = "campaigns.start"
BATCH_JOB = "campaigns.batch"
CLAIM_SECONDS = 60
MAX_ATTEMPTS = 3
RECORD_EVERY = 50  # rows sent, then recorded together: a crash resends at most these
BATCH_SECONDS = 20.0  # a job's share before it hands over (Redis redelivers after 10 min)
STALLED_AFTER = timedelta(seconds=3 * CLAIM_SECONDS)

NO_LONGER_ELIGIBLE = "ne peut plus la recevoir (désabonnement ou consentement retiré)"
CANCELLED = "campagne annulée"


def retry_delay(attempts: int) -> timedelta:
    """A batch that failed for a passing reason waits 30 s, then 60 s."""
    return timedelta(seconds=30 * 2 ** max(0, attempts - 1))


# --- starting ---------------------------------------------------------------------------


async def offer_themes(offer_ids: Sequence[str]) -> list[str | None]:
    if not offer_ids:
        return []
    themes = Offer.filter(id__in=[UUID(i) for i in offer_ids]).values_list("theme", flat=True)
    return cast("list[str | None]", await themes)  # flat: values, typed as tuples by Tortoise


async def sent_segment(campaign: Campaign) -> Segment:
    segment = Segment.from_json(campaign.segment)
    return segment.restricted_to_adults(await offer_themes(campaign.offer_ids))


def channels_of(campaign: Campaign) -> list[Channel]:
    return [Channel(c) for c in campaign.channels]


async def materialize(campaign_id: UUID) -> Campaign | None:
    """Write the recipient rows once (the audience is frozen from then on)."""
    async with in_transaction() as connection:
        campaign = await Campaign.select_for_update().get_or_none(id=campaign_id)
        if campaign is None:
            return None
        if campaign.materialized_at is None and campaign.status == CampaignStatus.SENDING:
            segment = await sent_segment(campaign)
            today = clock.paris_today()
            written = await queries.write_recipients(
                connection, campaign.id, segment, channels_of(campaign), today
            )
            campaign.materialized_at = clock.now()
            campaign.targeted = written
            campaign.last_progress_at = clock.now()
            await campaign.save(update_fields=["materialized_at", "targeted", "last_progress_at"])
    return campaign


async def start(campaign_id: UUID) -> None:
    """The job after "send" or "resume": write the rows if needed, then kick the batches."""
    campaign = await materialize(campaign_id)
    if campaign is None or campaign.status != CampaignStatus.SENDING:
        return
    parallel = get_settings().campaign_parallel_batches
    for channel in channels_of(campaign):
        for _ in range(parallel if channel_of(channel).parallel_batches else 1):
            await enqueue(BATCH_JOB, str(campaign.id), channel.value)


# --- claiming ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: int
    user_id: UUID
    attempts: int


def _claimer() -> str:
    return f"{os.uname().nodename[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


async def claim(campaign_id: UUID, channel: Channel, size: int, token: str) -> list[Claimed]:
    until = clock.now() + timedelta(seconds=CLAIM_SECONDS)
    rows = await queries.claim_pending(campaign_id, channel, size, token, until)
    return sorted(
        (Claimed(int(r["id"]), UUID(str(r["user_id"])), int(r["attempts"])) for r in rows),
        key=lambda c: c.id,
    )


async def reclaim_expired(campaign: Campaign, channel: Channel) -> int:
    """Rows whose lease ran out (a worker died, or a passing failure waited): pending
    again, failed after MAX_ATTEMPTS, skipped if the campaign was cancelled."""
    if campaign.status == CampaignStatus.CANCELLED:
        return await queries.skip_expired_claims(campaign.id, channel, clock.now(), CANCELLED)
    gave_up = f"abandonné après {MAX_ATTEMPTS} tentatives"
    return await queries.retry_expired_claims(
        campaign.id, channel, clock.now(), MAX_ATTEMPTS, gave_up
    )


# --- recording --------------------------------------------------------------------------


class Outcomes:
    """Each claimed row's outcome, written in one UPDATE per (status, reason) at each
    `write` (every RECORD_EVERY messages): what is written is forgotten, so a batch is
    recorded chunk by chunk and a crash resends at most the chunk in flight."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.groups: dict[tuple[RecipientStatus, str | None], list[int]] = defaultdict(list)
        self.retry: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.sent_count = 0
        self.unwritten = 0

    @property
    def record_every(self) -> int:
        return RECORD_EVERY

    def sent(self, row: Claimed) -> None:
        self.groups[(RecipientStatus.SENT, None)].append(row.id)
        self.sent_count += 1
        self.unwritten += 1

    def failed(self, row: Claimed, reason: str) -> None:
        self.groups[(RecipientStatus.FAILED, reason[:300])].append(row.id)
        self.unwritten += 1

    def skipped(self, row: Claimed, reason: str) -> None:
        self.groups[(RecipientStatus.SKIPPED, reason[:300])].append(row.id)
        self.unwritten += 1

    def later(self, row: Claimed, reason: str) -> None:
        """A passing failure: the lease becomes the wait; then pending again, or failed."""
        if row.attempts >= MAX_ATTEMPTS:
            self.failed(row, reason)
        else:
            self.retry[(row.attempts, reason[:300])].append(row.id)
            self.unwritten += 1

    async def write(self, connection: Any = None, *, at_least: int = 0) -> None:
        """Write the outcomes not written yet (one UPDATE per status and reason), if there
        are `at_least` of them."""
        if self.unwritten < max(at_least, 1):
            return
        groups, retry = self.groups, self.retry
        self.groups, self.retry = defaultdict(list), defaultdict(list)
        self.unwritten = 0
        now = clock.now()
        for (status, reason), ids in groups.items():
            sent_at = now if status == RecipientStatus.SENT else None
            await queries.record_outcome(connection, self.token, ids, status, reason, sent_at)
        for (attempts, reason), ids in retry.items():
            until = now + retry_delay(attempts)
            await queries.postpone_claims(connection, self.token, ids, reason, until)


# --- sending ----------------------------------------------------------------------------


async def _eligible(
    rows: Sequence[Claimed], channel: Channel, outcomes: Outcomes
) -> list[tuple[Claimed, User]]:
    """The rows whose person may still receive the campaign; the others are skipped."""
    users = {u.id: u for u in await User.filter(id__in=[r.user_id for r in rows])}
    today = clock.paris_today()
    young = [u.id for u in users.values() if needs_parental_consent(u, today)]
    consented = await with_parental_consent(young) if young else set()
    keep = []
    for row in rows:
        user = users.get(row.user_id)
        if user is None or not may_receive_campaign(user, channel, today, user.id in consented):
            outcomes.skipped(row, NO_LONGER_ELIGIBLE)
        else:
            keep.append((row, user))
    return keep


async def send_batch(
    campaign: Campaign, channel: Channel, rows: Sequence[Claimed], token: str
) -> Outcomes:
    outcomes = Outcomes(token)
    people = await _eligible(rows, channel, outcomes)
    if people:
        await channel_of(channel).send_campaign(campaign, people, outcomes)
    await outcomes.write()
    return outcomes


# --- the batch job ----------------------------------------------------------------------


async def run_batches(campaign_id: UUID, channel: Channel, budget: float = BATCH_SECONDS) -> int:
    """Claim, send and record batches for `budget` seconds; hand over to a new job while
    rows are left. Answers the number of rows handled."""
    settings = get_settings()
    token = _claimer()
    size = send_rate(settings).batch_size(channel.value, settings.campaign_batch_size)
    deadline = time.monotonic() + budget
    handled = 0
    while True:
        campaign = await Campaign.get_or_none(id=campaign_id)
        if campaign is None:
            return handled
        await reclaim_expired(campaign, channel)
        if campaign.status != CampaignStatus.SENDING:
            return handled
        rows = await claim(campaign.id, channel, size, token)
        if not rows:
            await _when_nothing_to_claim(campaign, channel)
            return handled
        await send_batch(campaign, channel, rows, token)
        handled += len(rows)
        await Campaign.filter(id=campaign.id).update(last_progress_at=clock.now())
        if time.monotonic() >= deadline:
            await enqueue(BATCH_JOB, str(campaign.id), channel.value)
            return handled


async def _when_nothing_to_claim(campaign: Campaign, channel: Channel) -> None:
    """Done, or rows still held by others: look again when their lease ends."""
    held = cast(  # flat: values, typed as tuples by Tortoise
        "list[datetime]",
        await CampaignRecipient.filter(
            campaign_id=campaign.id, channel=channel, status=RecipientStatus.CLAIMED
        )
        .order_by("claimed_until")
        .values_list("claimed_until", flat=True),
    )
    if held:
        wait = max(1.0, (held[0] - clock.now()).total_seconds() + 1)
        await enqueue_later(wait, BATCH_JOB, str(campaign.id), channel.value)
        return
    await complete_if_done(campaign.id)


async def complete_if_done(campaign_id: UUID) -> bool:
    """Completed once no row is pending or claimed on any channel (once: conditional)."""
    if await CampaignRecipient.filter(
        campaign_id=campaign_id, status__in=[RecipientStatus.PENDING, RecipientStatus.CLAIMED]
    ).exists():
        return False
    now = clock.now()
    return bool(
        await Campaign.filter(id=campaign_id, status=CampaignStatus.SENDING).update(
            status=CampaignStatus.COMPLETED, completed_at=now, last_progress_at=now
        )
    )


# --- the sweeper ------------------------------------------------------------------------


async def sweep() -> list[UUID]:
    """Periodic: start the scheduled campaigns that are due; give new batch jobs to each
    channel of a sending campaign that has rows to send but no live lease (its jobs died
    with their workers). Answers the campaigns kicked."""
    now = clock.now()
    kicked: list[UUID] = []
    due = cast(  # flat: values, typed as tuples by Tortoise
        "list[UUID]",
        await Campaign.filter(status=CampaignStatus.SCHEDULED, scheduled_at__lte=now).values_list(
            "id", flat=True
        ),
    )
    for campaign_id in due:
        started = await Campaign.filter(id=campaign_id, status=CampaignStatus.SCHEDULED).update(
            status=CampaignStatus.SENDING, started_at=now, last_progress_at=now
        )
        if started:
            await enqueue(START_JOB, str(campaign_id))
            kicked.append(campaign_id)
    parallel = get_settings().campaign_parallel_batches
    for campaign in await Campaign.filter(
        status=CampaignStatus.SENDING, materialized_at__isnull=False
    ):
        stalled = [c for c in channels_of(campaign) if await _stalled(campaign.id, c, now)]
        for channel in stalled:
            for _ in range(parallel):
                await enqueue(BATCH_JOB, str(campaign.id), channel.value)
        if stalled:
            kicked.append(campaign.id)
    lost = Campaign.filter(
        status=CampaignStatus.SENDING,
        materialized_at__isnull=True,
        started_at__lt=now - STALLED_AFTER,
    ).values_list("id", flat=True)
    for campaign_id in cast("list[UUID]", await lost):  # flat: values, typed as tuples
        await enqueue(START_JOB, str(campaign_id))  # its start job was lost
        kicked.append(campaign_id)
    return kicked


async def _stalled(campaign_id: UUID, channel: Channel, now: datetime) -> bool:
    rows = CampaignRecipient.filter(campaign_id=campaign_id, channel=channel)
    if await rows.filter(status=RecipientStatus.CLAIMED, claimed_until__gte=now).exists():
        return False  # a batch is at work (or waiting out a passing failure)
    return await rows.filter(
        Q(status=RecipientStatus.PENDING) | Q(status=RecipientStatus.CLAIMED, claimed_until__lt=now)
    ).exists()
