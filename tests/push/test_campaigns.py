"""Sending campaigns with the real parts: emails to aiosmtpd on 127.0.0.1, pushes through
firebase-admin to the FCM stand-in, inbox rows in the database. Who may receive (consent,
parents' consent under 15, 18–25 themes, unsubscribes), pause, crash recovery, nothing twice."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import date, timedelta

import httpx
import pytest
from asyncpg.exceptions import RaiseError
from tortoise.exceptions import IntegrityError, OperationalError

from domain.accounts.viewer import Viewer
from domain.campaigns import management as campaigns
from domain.campaigns import sending as campaign_sending
from domain.campaigns.audience import Segment, may_receive_campaign
from domain.consent.marketing import set_marketing_opt_in
from domain.core import clock
from domain.notifications.channels import email as by_email
from domain.notifications.channels import push as by_push
from infra.settings import get_settings, use_settings
from models.accounts import StaffRole, User
from models.campaigns import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
)
from models.notifications import Channel as CampaignChannel
from models.notifications import (
    ConsentSource,
    Device,
    Notification,
    NotificationDelivery,
    ParentalConsent,
)
from models.offers import OfferTheme
from models.social import Follow
from push import realtime
from push.channels import close_channels
from push.realtime import notification_channel
from tests.factories import partner_team, staff_member, young_person
from tests.support import link_token, unique

EMAIL, PUSH, IN_APP = CampaignChannel.EMAIL, CampaignChannel.PUSH, CampaignChannel.IN_APP
ALL = [EMAIL, PUSH, IN_APP]


@pytest.fixture
async def fcm(app, settings, fcm_settings, fcm_standin):
    """Push through firebase-admin to the stand-in; the in-process broker configured."""
    use_settings(replace(fcm_settings, job_max_retries=1))
    try:
        yield fcm_standin
    finally:
        await close_channels()
        use_settings(settings)


def years_ago(years: int, days: int = 10) -> date:
    return clock.paris_today().replace(year=clock.paris_today().year - years) - timedelta(days)


async def follower(
    partner,
    age: int = 17,
    *,
    email: bool = True,
    push: bool = True,
    device: bool = True,
    parent: bool = False,
    token_prefix: str = "phone-",  # noqa: S107 - an FCM token, not a password
) -> User:
    """A young person following `partner` (the tests' segment), with the choices given."""
    user = await young_person(years_ago(age))
    await User.filter(id=user.id).update(marketing_email_opt_in=email, marketing_push_opt_in=push)
    await Follow.create(user_id=user.id, partner_id=partner.id)
    if device:
        await Device.create(user=user, token=unique(token_prefix) + "x" * 40, platform="android")
    if parent:
        now = clock.now()
        await ParentalConsent.create(
            young_person_id=user.id,
            parent_name="Parent",
            parent_email=f"{unique('parent')}@famille.test",
            requested_at=now,
            given_at=now,
        )
    return await User.get(id=user.id)


async def marketer() -> Viewer:
    return Viewer(user=await staff_member(StaffRole.MARKETING))


async def draft(partner, channels=ALL, **segment) -> Campaign:
    return await campaigns.create_campaign(
        await marketer(),
        campaigns.CampaignDraft(
            name="Rentrée",
            channels=channels,
            subject="Les bons plans de la rentrée",
            title="C'est la rentrée !",
            body="Profite des bons plans de tes partenaires.\n\nÀ bientôt sur CJeune.",
            segment=Segment(partner_ids=(partner.id,), **segment),
        ),
    )


async def started(campaign: Campaign) -> Campaign:
    """Sending, recipients written (the start job's first half, without kicking batches)."""
    await Campaign.filter(id=campaign.id).update(
        status=CampaignStatus.SENDING, started_at=clock.now(), last_progress_at=clock.now()
    )
    return await campaign_sending.materialize(campaign.id)


async def send_all(campaign: Campaign) -> None:
    for channel in campaign.channels:
        await campaign_sending.run_batches(campaign.id, CampaignChannel(channel))


def received(mailbox, person: User) -> list:
    """The campaign emails `person` received (not the account's own emails)."""
    return [m for m in mailbox.to(person.email) if m["X-CJeune-Campaign"]]


async def rows(campaign: Campaign) -> dict[tuple[str, str], str]:
    found = await CampaignRecipient.filter(campaign_id=campaign.id).values(
        "user_id", "channel", "status"
    )
    return {(str(r["user_id"]), str(r["channel"])): str(r["status"]) for r in found}


async def test_only_those_who_may_receive_are_targeted_and_the_count_says_so(fcm):
    partner = (await partner_team()).partner
    adult = await follower(partner, 19)
    mail_only = await follower(partner, 17, push=False)
    no_opt_in = await follower(partner, 17, email=False, push=False)
    child = await follower(partner, 13)  # no parent's consent
    child_with_parent = await follower(partner, 13, parent=True)
    no_device = await follower(partner, 16, device=False)
    left = await follower(partner, 20)
    await set_marketing_opt_in(left.id, "email", False, ConsentSource.UNSUBSCRIBE_LINK)
    await set_marketing_opt_in(left.id, "push", False, ConsentSource.APP)
    campaign = await draft(partner)

    counts = await campaigns.audience(Segment(partner_ids=(partner.id,)), [], ALL)
    campaign = await started(campaign)

    targeted = await rows(campaign)
    expected = {
        (adult, EMAIL), (adult, PUSH), (adult, IN_APP),
        (mail_only, EMAIL), (mail_only, IN_APP),
        (child_with_parent, EMAIL), (child_with_parent, PUSH), (child_with_parent, IN_APP),
        (no_device, EMAIL), (no_device, IN_APP),
    }  # fmt: skip
    assert set(targeted) == {(str(u.id), c.value) for u, c in expected}
    assert counts == {EMAIL: 4, PUSH: 2, IN_APP: 4}
    assert campaign.targeted == 10
    # The SQL agrees with the rule applied to each loaded person.
    today = clock.paris_today()
    for person in (adult, mail_only, no_opt_in, child, child_with_parent, no_device, left):
        has_parent = person.id == child_with_parent.id
        person = await User.get(id=person.id)
        for channel in ALL:
            with_device = channel is not PUSH or await Device.exists(user_id=person.id)
            rule = may_receive_campaign(person, channel, today, has_parent) and with_device
            assert rule == ((str(person.id), channel.value) in targeted), (person, channel)


async def test_a_theme_for_18_25s_reaches_only_18_25s(fcm):
    from models.campaigns import ThemeInterest

    partner = (await partner_team()).partner
    teen, adult = await follower(partner, 16), await follower(partner, 21)
    for person in (teen, adult):
        await ThemeInterest.create(user_id=person.id, theme="tourisme")
    segment = Segment(partner_ids=(partner.id,), themes=(OfferTheme.TOURISME,))

    counts = await campaigns.audience(segment, [], [EMAIL])

    assert counts == {EMAIL: 1}
    campaign = await started(await draft(partner, [EMAIL], themes=segment.themes))
    assert set(await rows(campaign)) == {(str(adult.id), "email")}


async def test_everyone_gets_each_channel_once_with_the_unsubscribe_link_that_works(
    fcm, mailbox, app
):
    partner = (await partner_team()).partner
    people = [await follower(partner, age) for age in (16, 18, 22)]
    campaign = await started(await draft(partner))

    await send_all(campaign)
    await send_all(campaign)  # a redelivered job changes nothing

    for person in people:
        (message,) = received(mailbox, person)
        assert message["Subject"] == "Les bons plans de la rentrée"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].startswith("<http")
        assert "Bonjour Jade" in message.get_body(("plain",)).get_content()
        assert "Se désabonner" in message.get_body(("html",)).get_content()
    pushes = [m for m in fcm.messages if m.message["data"].get("campaignId") == str(campaign.id)]
    assert len(pushes) == 3
    assert pushes[0].message["notification"]["title"] == "C'est la rentrée !"
    assert pushes[0].message["android"]["collapse_key"] == f"campaign-{campaign.id}"
    inbox = await Notification.filter(kind="campaign", user_id__in=[p.id for p in people])
    assert len(inbox) == 3 and all(n.dispatched_at is not None for n in inbox)
    assert not await NotificationDelivery.filter(notification_id__in=[n.id for n in inbox]).exists()
    assert (await Campaign.get(id=campaign.id)).status == CampaignStatus.COMPLETED

    # One click on the first person's link: they are out, and the campaign counts it.
    token = link_token(received(mailbox, people[0])[0])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.post(f"/desabonnement?jeton={token}", data={"action": "confirmer"})
    assert answer.status_code == 200
    assert not (await User.get(id=people[0].id)).marketing_email_opt_in
    figures = await campaigns.progress(await Campaign.get(id=campaign.id))
    assert figures.unsubscribes == 1
    assert (figures.total("targeted"), figures.total("sent"), figures.total("remaining")) == (
        9,
        9,
        0,
    )


async def test_an_open_inbox_receives_the_in_app_message_as_it_is_written(fcm):
    partner = (await partner_team()).partner
    reader = await follower(partner, 19)
    campaign = await started(await draft(partner, [IN_APP]))
    events = realtime.subscribe(notification_channel(reader.id))
    try:
        first = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0)  # subscribed
        await send_all(campaign)
        event = await asyncio.wait_for(first, timeout=5)
    finally:
        await events.aclose()
    (saved,) = await Notification.filter(kind="campaign", user_id=reader.id)
    assert event["id"] == str(saved.id)
    assert (event["kind"], event["title"]) == ("campaign", "C'est la rentrée !")
    assert event["data"]["campaignId"] == str(campaign.id)


async def test_someone_who_unsubscribes_during_the_campaign_receives_nothing_more(fcm, mailbox):
    partner = (await partner_team()).partner
    stays, leaves = await follower(partner), await follower(partner)
    campaign = await started(await draft(partner, [EMAIL]))
    await set_marketing_opt_in(leaves.id, "email", False, ConsentSource.APP)

    await send_all(campaign)

    assert len(received(mailbox, stays)) == 1 and received(mailbox, leaves) == []
    assert (await rows(campaign))[(str(leaves.id), "email")] == RecipientStatus.SKIPPED


async def test_a_paused_campaign_sends_nothing_until_resumed(fcm, mailbox):
    partner = (await partner_team()).partner
    person = await follower(partner)
    actor = await marketer()
    campaign = await started(await draft(partner, [EMAIL]))

    await campaigns.pause_campaign(actor, campaign.id)
    await send_all(campaign)
    assert received(mailbox, person) == []

    await Campaign.filter(id=campaign.id).update(status=CampaignStatus.SENDING)  # resumed
    await send_all(campaign)
    assert len(received(mailbox, person)) == 1


async def test_a_batch_whose_worker_died_is_sent_by_another_once_its_lease_ends(fcm, mailbox):
    partner = (await partner_team()).partner
    people = [await follower(partner) for _ in range(5)]
    campaign = await started(await draft(partner, [EMAIL], min_age=11))
    held = await campaign_sending.claim(campaign.id, EMAIL, 3, "dead-worker")
    assert len(held) == 3

    await campaign_sending.run_batches(campaign.id, EMAIL)  # the 2 free rows only
    assert sum(len(received(mailbox, p)) for p in people) == 2
    assert (await Campaign.get(id=campaign.id)).status == CampaignStatus.SENDING

    with clock.frozen(clock.now() + timedelta(seconds=campaign_sending.CLAIM_SECONDS + 1)):
        await campaign_sending.run_batches(campaign.id, EMAIL)

    assert [len(received(mailbox, p)) for p in people] == [1] * 5
    assert (await Campaign.get(id=campaign.id)).status == CampaignStatus.COMPLETED


async def test_a_batch_is_recorded_chunk_by_chunk_so_a_crash_resends_nothing_recorded(
    fcm, monkeypatch
):
    partner = (await partner_team()).partner
    people = [await follower(partner) for _ in range(5)]
    campaign = await started(await draft(partner, [PUSH]))
    monkeypatch.setattr(campaign_sending, "RECORD_EVERY", 2)
    real = by_push.push_channel()
    calls = []

    class DiesOnTheSecondChunk:
        async def send(self, messages):
            calls.append(len(messages))
            if len(calls) == 2:
                raise SystemExit("the worker dies")  # after the first chunk was recorded
            return await real.send(messages)

    monkeypatch.setattr(by_push, "push_channel", DiesOnTheSecondChunk)
    held = await campaign_sending.claim(campaign.id, PUSH, 5, "dying-worker")
    with pytest.raises(SystemExit):
        await campaign_sending.send_batch(campaign, PUSH, held, "dying-worker")

    statuses = await rows(campaign)
    sent = [p for p in people if statuses[(str(p.id), "push")] == RecipientStatus.SENT]
    assert len(sent) == 2 and len(fcm.messages) == 2  # the first chunk, recorded at once
    monkeypatch.setattr(by_push, "push_channel", lambda: real)
    with clock.frozen(clock.now() + timedelta(seconds=campaign_sending.CLAIM_SECONDS + 1)):
        await campaign_sending.run_batches(campaign.id, PUSH)

    tokens = await Device.filter(user_id__in=[p.id for p in people]).values_list("token", flat=True)
    assert sorted(m.token for m in fcm.messages) == sorted(tokens)  # once each
    assert set((await rows(campaign)).values()) == {RecipientStatus.SENT}


async def test_emails_are_recorded_as_they_go_so_a_crash_resends_only_those_in_flight(
    fcm, mailbox, monkeypatch
):
    partner = (await partner_team()).partner
    people = [await follower(partner) for _ in range(5)]
    campaign = await started(await draft(partner, [EMAIL]))
    monkeypatch.setattr(campaign_sending, "RECORD_EVERY", 2)
    monkeypatch.setattr(by_email, "EMAIL_CHUNK", 1)
    use_settings(replace(get_settings(), campaign_smtp_connections=1))
    real = by_email.email_channel()
    calls = []

    class WorkerDied(Exception):
        pass  # not SystemExit: asyncio re-raises that one out of the event loop

    class DiesOnTheFourthEmail:
        @contextlib.asynccontextmanager
        async def session(self):
            async with real.session() as session:

                class Session:
                    async def send_each(self, messages):
                        calls.append(len(messages))
                        if len(calls) == 4:
                            raise WorkerDied
                        return await session.send_each(messages)

                yield Session()

    monkeypatch.setattr(by_email, "email_channel", DiesOnTheFourthEmail)
    held = await campaign_sending.claim(campaign.id, EMAIL, 5, "dying-worker")
    with pytest.raises(WorkerDied):
        await campaign_sending.send_batch(campaign, EMAIL, held, "dying-worker")

    statuses = await rows(campaign)
    assert sum(statuses[(str(p.id), "email")] == RecipientStatus.SENT for p in people) == 2
    assert sum(len(received(mailbox, p)) for p in people) == 3  # the third not recorded
    monkeypatch.setattr(by_email, "email_channel", lambda: real)
    with clock.frozen(clock.now() + timedelta(seconds=campaign_sending.CLAIM_SECONDS + 1)):
        await campaign_sending.run_batches(campaign.id, EMAIL)

    counts = sorted(len(received(mailbox, p)) for p in people)
    assert counts == [1, 1, 1, 1, 2]  # only the one in flight at the crash came twice
    assert set((await rows(campaign)).values()) == {RecipientStatus.SENT}


async def test_a_dead_phone_is_forgotten_and_the_reason_shown(fcm):
    partner = (await partner_team()).partner
    alive = await follower(partner)
    dead = await follower(partner, token_prefix="unregistered-")
    campaign = await started(await draft(partner, [PUSH]))

    await send_all(campaign)

    assert not await Device.exists(user_id=dead.id)
    assert (await rows(campaign))[(str(alive.id), "push")] == RecipientStatus.SENT
    figures = await campaigns.progress(await Campaign.get(id=campaign.id))
    assert (figures.total("sent"), figures.total("failed")) == (1, 1)
    (reason,) = figures.reasons
    assert reason.reason == "appareil désinscrit de FCM" and reason.count == 1


async def test_cancelling_skips_whoever_has_not_received_it(fcm, mailbox):
    partner = (await partner_team()).partner
    person = await follower(partner)
    campaign = await started(await draft(partner, [EMAIL]))

    await campaigns.cancel_campaign(await marketer(), campaign.id)
    await send_all(campaign)

    assert received(mailbox, person) == []
    assert (await rows(campaign))[(str(person.id), "email")] == RecipientStatus.SKIPPED


async def test_a_sent_row_can_never_be_made_pending_again(fcm):
    partner = (await partner_team()).partner
    await follower(partner)
    campaign = await started(await draft(partner, [IN_APP]))
    await send_all(campaign)

    with pytest.raises((IntegrityError, OperationalError, RaiseError), match="stays sent"):
        await CampaignRecipient.filter(campaign_id=campaign.id).update(status="pending")


async def test_the_recipients_are_written_once_however_often_the_start_job_runs(fcm):
    partner = (await partner_team()).partner
    await follower(partner)
    campaign = await started(await draft(partner))
    await follower(partner)  # arrives after the start: the audience is frozen

    await campaign_sending.materialize(campaign.id)

    assert await CampaignRecipient.filter(campaign_id=campaign.id).count() == 3


async def test_the_sweeper_starts_due_campaigns_and_restarts_a_channel_left_without_jobs(
    fcm, mailbox, monkeypatch
):
    from datetime import UTC, datetime

    kicks: list[tuple[str, ...]] = []

    async def kick(job: str, *args: str) -> None:  # the test runs what a worker would
        kicks.append((job, *args))

    monkeypatch.setattr(campaign_sending, "enqueue", kick)
    partner = (await partner_team()).partner
    person = await follower(partner)
    campaign = await started(await draft(partner, [EMAIL]))
    held = await campaign_sending.claim(campaign.id, EMAIL, 10, "dead-worker")
    assert len(held) == 1

    assert campaign.id not in await campaign_sending.sweep()  # the lease is alive
    later = clock.now() + timedelta(seconds=campaign_sending.CLAIM_SECONDS + 1)
    with clock.frozen(later):
        assert campaign.id in await campaign_sending.sweep()
        assert (campaign_sending.BATCH_JOB, str(campaign.id), "email") in kicks
        await campaign_sending.run_batches(campaign.id, EMAIL)  # what the kicked job does
    assert len(received(mailbox, person)) == 1

    scheduled = await draft(partner, [IN_APP])
    at = datetime(2030, 1, 1, 9, tzinfo=UTC)
    await campaigns.send_campaign(await marketer(), scheduled.id, at)
    assert scheduled.id not in await campaign_sending.sweep()
    with clock.frozen(at):
        assert scheduled.id in await campaign_sending.sweep()
    assert (campaign_sending.START_JOB, str(scheduled.id)) in kicks
    assert (await Campaign.get(id=scheduled.id)).status == CampaignStatus.SENDING
