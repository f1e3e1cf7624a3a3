"""Sending a campaign: recipients written once, then claimed, sent and recorded in batches.

`start` (job campaigns.start) writes the recipient rows if they are not written yet and
kicks CAMPAIGN_PARALLEL_BATCHES batch jobs per channel. A batch job (campaigns.batch)
claims up to CAMPAIGN_BATCH_SIZE pending rows of its channel at once (PostgreSQL: FOR
UPDATE SKIP LOCKED, so parallel jobs take different rows), sends them
(CAMPAIGN_SMTP_CONNECTIONS pipelined SMTP connections, the emails built from one rendering
of the campaign; FCM calls of at most 500) and records the rows' outcomes every
RECORD_EVERY rows, and goes on for BATCH_SECONDS before handing over to a fresh job of
itself.

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

import asyncio
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
from domain.campaigns.content import (
    CAMPAIGN_KIND,
    OfferCard,
    campaign_bulk_email,
    campaign_email_for,
    campaign_push,
    inbox_data,
    offer_cards,
)
from domain.campaigns.send_rate import send_rate
from domain.consent.marketing import needs_parental_consent, with_parental_consent
from domain.core import clock
from domain.notifications.notify import as_event
from infra.jobs import enqueue, enqueue_later
from infra.settings import Settings, get_settings
from models.accounts import User
from models.campaigns import (
    Campaign,
    CampaignChannel,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
)
from models.notifications import Device, Notification
from models.offers import Offer
from push.channels import email_channel, push_channel
from push.email import Message
from push.mobile import PushMessage, PushResult
from push.realtime import notification_channel, publish

logger = logging.getLogger(__name__)

START_JOB = "campaigns.start"
BATCH_JOB = "campaigns.batch"
CLAIM_SECONDS = 60
MAX_ATTEMPTS = 3
RECORD_EVERY = 50  # rows sent, then recorded together: a crash resends at most these
# Emails a connection sends between two looks at the outcomes (the batch records as soon as
# RECORD_EVERY outcomes are waiting). Smaller chunks shrink what a crash can resend but end
# the SMTP pipeline more often: 10 took the 400,000-person campaign from 8.0 to 9.5 min.
EMAIL_CHUNK = 50
BATCH_SECONDS = 20.0  # a job's share before it hands over (Redis redelivers after 10 min)
STALLED_AFTER = timedelta(seconds=3 * CLAIM_SECONDS)

NO_LONGER_ELIGIBLE = "ne peut plus la recevoir (désabonnement ou consentement retiré)"
NO_DEVICE = "aucun appareil enregistré"
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


def channels_of(campaign: Campaign) -> list[CampaignChannel]:
    return [CampaignChannel(c) for c in campaign.channels]


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
        for _ in range(1 if channel is CampaignChannel.IN_APP else parallel):
            await enqueue(BATCH_JOB, str(campaign.id), channel.value)


# --- claiming ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: int
    user_id: UUID
    attempts: int


def _claimer() -> str:
    return f"{os.uname().nodename[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


async def claim(
    campaign_id: UUID, channel: CampaignChannel, size: int, token: str
) -> list[Claimed]:
    until = clock.now() + timedelta(seconds=CLAIM_SECONDS)
    rows = await queries.claim_pending(campaign_id, channel, size, token, until)
    return sorted(
        (Claimed(int(r["id"]), UUID(str(r["user_id"])), int(r["attempts"])) for r in rows),
        key=lambda c: c.id,
    )


async def reclaim_expired(campaign: Campaign, channel: CampaignChannel) -> int:
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
    rows: Sequence[Claimed], channel: CampaignChannel, outcomes: Outcomes
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


def build_emails(
    campaign: Campaign,
    cards: Sequence[OfferCard],
    recipients: Sequence[tuple[UUID, str, str]],
    settings: Settings,
) -> list[Message]:
    """The campaign's email to each (user id, address, first name): Jinja and the MIME
    layout once, then each recipient's own values put in (tens of microseconds each)."""
    bulk = campaign_bulk_email(campaign, cards, settings)
    return [
        campaign_email_for(bulk, campaign, to, first_name, user_id)
        for user_id, to, first_name in recipients
    ]


def push_messages(campaign: Campaign, targets: Sequence[tuple[int, str]]) -> list[PushMessage]:
    """The campaign's push to each (recipient row id, device token)."""
    return [campaign_push(campaign, token, row_id) for row_id, token in targets]


async def _send_emails(campaign: Campaign, people: list[tuple[Claimed, User]], o: Outcomes) -> None:
    """Built for the whole batch at once (cheap: `build_emails`), then sent over
    CAMPAIGN_SMTP_CONNECTIONS connections side by side (even pipelined, a connection waits
    a round trip per email), recorded whenever RECORD_EVERY outcomes are waiting."""
    settings = get_settings()
    cards = await offer_cards(campaign.offer_ids, settings)
    recipients = [(user.id, user.email, user.first_name) for _, user in people]
    messages = list(zip(people, build_emails(campaign, cards, recipients, settings), strict=True))
    share = -(-len(messages) // settings.campaign_smtp_connections)  # rounded up
    await asyncio.gather(
        *(
            _send_email_share(messages[start : start + share], o)
            for start in range(0, len(messages), share)
        )
    )


async def _send_email_share(
    messages: list[tuple[tuple[Claimed, User], Message]], o: Outcomes
) -> None:
    settings = get_settings()
    async with email_channel().session() as session:
        for start in range(0, len(messages), EMAIL_CHUNK):
            chunk = messages[start : start + EMAIL_CHUNK]
            await send_rate(settings).wait_for("email", len(chunk))
            results = await session.send_each([message for _, message in chunk])
            for ((row, _), _), result in zip(chunk, results, strict=True):
                if result.ok:
                    o.sent(row)
                elif result.error is not None and result.error.permanent:
                    o.failed(row, f"refusé par le serveur SMTP : {result.error}")
                else:
                    o.later(row, f"SMTP indisponible : {result.error}")
            await o.write(at_least=RECORD_EVERY)


async def _send_pushes(campaign: Campaign, people: list[tuple[Claimed, User]], o: Outcomes) -> None:
    """Sent and recorded every RECORD_EVERY rows (a row: every phone of one person)."""
    devices: dict[UUID, list[tuple[UUID, str]]] = defaultdict(list)
    for device_id, user_id, token in await Device.filter(
        user_id__in=[user.id for _, user in people]
    ).values_list("id", "user_id", "token"):
        devices[UUID(str(user_id))].append((device_id, token))
    for start in range(0, len(people), RECORD_EVERY):
        await _send_push_chunk(campaign, people[start : start + RECORD_EVERY], devices, o)
        await o.write()


async def _send_push_chunk(
    campaign: Campaign,
    people: list[tuple[Claimed, User]],
    devices: dict[UUID, list[tuple[UUID, str]]],
    o: Outcomes,
) -> None:
    targets, owners = [], []
    for row, user in people:
        if not devices.get(user.id):
            o.skipped(row, NO_DEVICE)
            continue
        for device_id, token in devices[user.id]:
            targets.append((row.id, token))
            owners.append((row, device_id))
    if not targets:
        return
    await send_rate(get_settings()).wait_for("push", len(targets))
    results = await push_channel().send(push_messages(campaign, targets))
    by_row: dict[int, list[tuple[PushResult, str | None]]] = defaultdict(list)
    rows: dict[int, Claimed] = {}
    dead: list[UUID] = []
    for (row, device_id), result in zip(owners, results, strict=True):
        by_row[row.id].append((result.result, result.error))
        rows[row.id] = row
        if result.result is PushResult.TOKEN_INVALID:
            dead.append(device_id)
    if dead:
        await Device.filter(id__in=dead).delete()
    for row_id, answers in by_row.items():
        row = rows[row_id]
        if any(result is PushResult.SENT for result, _ in answers):
            o.sent(row)
        elif all(result is PushResult.TOKEN_INVALID for result, _ in answers):
            o.failed(row, "appareil désinscrit de FCM")
        else:
            error = next(e for r, e in answers if r is PushResult.FAILED)
            o.later(row, f"FCM indisponible : {error}")


async def _write_inbox(campaign: Campaign, people: list[tuple[Claimed, User]], o: Outcomes) -> None:
    """Inbox rows and the rows' outcome in one transaction: exactly once. Already dispatched:
    the notification sweeper must not add a push or an email to the campaign's own. Once
    committed, each message goes to its reader's open subscriptions (the app's inbox live)."""
    now = clock.now()
    notifications = [
        Notification(
            user_id=user.id,
            kind=CAMPAIGN_KIND,
            title=campaign.title,
            body=campaign.body,
            data=inbox_data(campaign),
            dispatched_at=now,
            created_at=now,
        )
        for _, user in people
    ]
    async with in_transaction() as connection:
        await Notification.bulk_create(notifications, using_db=connection)
        for row, _ in people:
            o.sent(row)
        await o.write(connection)
    await _publish_inbox(notifications)


async def _publish_inbox(notifications: list[Notification]) -> None:
    """Best effort: the rows are committed and the inbox shows them on its next read."""
    try:
        await asyncio.gather(
            *(publish(notification_channel(n.user_id), as_event(n)) for n in notifications)
        )
    except Exception:
        logger.exception("campaign inbox events not published; the inbox rows are saved")


async def send_batch(
    campaign: Campaign, channel: CampaignChannel, rows: Sequence[Claimed], token: str
) -> Outcomes:
    outcomes = Outcomes(token)
    people = await _eligible(rows, channel, outcomes)
    if people:
        if channel is CampaignChannel.EMAIL:
            await _send_emails(campaign, people, outcomes)
        elif channel is CampaignChannel.PUSH:
            await _send_pushes(campaign, people, outcomes)
        else:
            await _write_inbox(campaign, people, outcomes)
    await outcomes.write()
    return outcomes


# --- the batch job ----------------------------------------------------------------------


async def run_batches(
    campaign_id: UUID, channel: CampaignChannel, budget: float = BATCH_SECONDS
) -> int:
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


async def _when_nothing_to_claim(campaign: Campaign, channel: CampaignChannel) -> None:
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


async def _stalled(campaign_id: UUID, channel: CampaignChannel, now: datetime) -> bool:
    rows = CampaignRecipient.filter(campaign_id=campaign_id, channel=channel)
    if await rows.filter(status=RecipientStatus.CLAIMED, claimed_until__gte=now).exists():
        return False  # a batch is at work (or waiting out a passing failure)
    return await rows.filter(
        Q(status=RecipientStatus.PENDING) | Q(status=RecipientStatus.CLAIMED, claimed_until__lt=now)
    ).exists()
