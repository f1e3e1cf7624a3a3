"""Delivering a committed notification by push (real firebase-admin to the FCM stand-in) and
by email (real SMTP): planned once, sent once, retried when due, never lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from domain.consent.marketing import set_marketing_opt_in
from domain.core import clock
from domain.core.transactions import atomic
from domain.notifications import delivery as notification_delivery
from domain.notifications.notify import notify
from infra.settings import use_settings
from models.accounts import User
from models.notifications import (
    ConsentSource,
    DeliveryStatus,
    Device,
    Notification,
    NotificationDelivery,
)
from push.channels import close_channels
from push.email import message_id
from tests.factories import partner_team, young_person
from tests.support import jobs_done, unique


@pytest.fixture
async def fcm(settings, fcm_settings, fcm_standin):
    """Push through firebase-admin to the stand-in for this test, with short retries."""
    use_settings(replace(fcm_settings, job_max_retries=2))
    try:
        yield fcm_standin
    finally:
        await close_channels()
        use_settings(settings)


async def _device(user: User, name: str = "phone") -> Device:
    return await Device.create(user=user, token=unique(f"{name}-") + "x" * 40, platform="android")


async def _committed(user: User, kind: str = "card_debit", **data) -> Notification:
    async with atomic():
        return await Notification.create(
            user_id=user.id, kind=kind, title="Paiement", body="10,00 € débités", data=data
        )


async def _statuses(notification: Notification) -> dict[str, str]:
    rows = await NotificationDelivery.filter(notification_id=notification.id)
    return {f"{row.channel}:{row.target}": row.status for row in rows}


async def test_each_device_gets_the_push_once_even_if_the_job_runs_twice(fcm):
    person = await young_person()
    phone, tablet = await _device(person, "phone"), await _device(person, "tablet")
    notification = await _committed(person, transactionId="t-1", amountCents=1000)

    await notification_delivery.dispatch(notification.id)
    await notification_delivery.dispatch(notification.id)  # a redelivered job

    received = {m.token: m.message for m in fcm.messages}
    assert set(received) == {phone.token, tablet.token}
    message = received[phone.token]
    assert message["notification"] == {"title": "Paiement", "body": "10,00 € débités"}
    assert message["data"] == {
        "transactionId": "t-1",
        "amountCents": "1000",
        "notificationId": str(notification.id),
        "kind": "card_debit",
        "route": "transaction",
    }
    assert message["android"]["collapse_key"] == str(notification.id)
    assert set((await _statuses(notification)).values()) == {DeliveryStatus.SENT}


async def test_an_unregistered_phone_is_forgotten_and_the_others_still_receive(fcm):
    person = await young_person()
    alive = await _device(person, "alive")
    dead = await Device.create(
        user=person, token=unique("unregistered-") + "x" * 40, platform="ios"
    )
    notification = await _committed(person)

    await notification_delivery.dispatch(notification.id)

    assert [m.token for m in fcm.messages] == [alive.token]
    assert await Device.filter(id=dead.id).count() == 0
    failed = await NotificationDelivery.get(notification_id=notification.id, target=str(dead.id))
    assert failed.status == DeliveryStatus.FAILED and "Unregistered" in (failed.last_error or "")


async def test_a_provider_outage_is_retried_later_by_the_sweeper(fcm):
    person = await young_person()
    phone = await _device(person)
    fcm.fail_next(phone.token, status=503, times=2)  # both attempts of the sender's own retry
    notification = await _committed(person)

    await notification_delivery.dispatch(notification.id)
    waiting = await NotificationDelivery.get(notification_id=notification.id)
    assert waiting.status == DeliveryStatus.PENDING and waiting.next_attempt_at > clock.now()

    with clock.frozen(clock.now() + timedelta(minutes=5)):
        await notification_delivery.sweep()

    delivered = await NotificationDelivery.get(notification_id=notification.id)
    assert delivered.status == DeliveryStatus.SENT and delivered.attempts == 2
    assert [m.status for m in fcm.attempts_for(phone.token)] == [503, 503, 200]


async def test_a_notification_whose_job_was_lost_is_sent_by_the_sweeper(fcm):
    person = await young_person()
    phone = await _device(person)
    notification = await _committed(person)  # committed; imagine the process died here

    with clock.frozen(clock.now() + timedelta(minutes=1)):
        report = await notification_delivery.sweep()

    assert report.planned >= 1
    assert [m.status for m in fcm.attempts_for(phone.token)] == [200]
    assert (await Notification.get(id=notification.id)).dispatched_at is not None


async def test_push_turned_off_means_inbox_only(fcm):
    person = await young_person()
    await _device(person)
    await User.filter(id=person.id).update(notify_by_push=False)
    notification = await _committed(person)

    await notification_delivery.dispatch(notification.id)

    assert fcm.messages == []
    assert await _statuses(notification) == {}
    assert (await Notification.get(id=notification.id)).dispatched_at is not None


async def test_a_moderation_decision_is_emailed_to_the_delegate_once(fcm, mailbox, settings):
    team = await partner_team()
    async with atomic():
        notification = await notify(
            team.principal.id,
            "moderation_decision",
            "Votre bon plan est refusé",
            "Motif : le visuel contient un numéro de téléphone.",
        )
    await notification_delivery.dispatch(notification.id)
    await notification_delivery.dispatch(notification.id)

    message = await mailbox.wait_for(team.principal.email, "Votre bon plan est refusé")
    assert message["Subject"] == "Votre bon plan est refusé"
    assert "le visuel contient un numéro" in message.get_body(("plain",)).get_content()
    # The same Message-ID on every retry of this notification's email.
    assert message["Message-ID"] == message_id(settings, f"{notification.id}/email")
    # The commit kicked a dispatch job too: the run that sent may still be recording it.
    await jobs_done()
    assert await _statuses(notification) == {"email:email": DeliveryStatus.SENT}
    about_it = [m for m in mailbox.to(team.principal.email) if m["Subject"] == message["Subject"]]
    assert len(about_it) == 1


async def test_a_campaign_reaches_nobody_who_did_not_opt_in(fcm):
    person = await young_person()
    await _device(person)
    notification = await _committed(person, kind="campaign")

    await notification_delivery.dispatch(notification.id)

    assert fcm.messages == [] and await _statuses(notification) == {}


async def test_a_marketing_email_carries_the_one_click_unsubscribe(fcm, mailbox):
    adult = await young_person(birth_date=date(2005, 3, 1))
    await set_marketing_opt_in(adult.id, "email", True, ConsentSource.APP)
    async with atomic():
        notification = await notify(
            adult.id, "campaign", "Festival Marsatac", "Places à 5 € avec ta carte."
        )
    await notification_delivery.dispatch(notification.id)

    message = await mailbox.wait_for(adult.email, "Marsatac")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/desabonnement?jeton=" in message["List-Unsubscribe"]


async def test_one_job_plans_several_notifications_as_each_alone_would(fcm):
    with_phone, without_phone, push_off = [await young_person() for _ in range(3)]
    phone = await _device(with_phone)
    await _device(push_off)
    await User.filter(id=push_off.id).update(notify_by_push=False)
    already = await _committed(with_phone, transactionId="t-0")
    await notification_delivery.dispatch(already.id)
    fresh = [
        await _committed(person, transactionId=f"t-{n}")
        for n, person in enumerate((with_phone, without_phone, push_off), start=1)
    ]

    waiting = await notification_delivery.plan_many([n.id for n in [already, *fresh, fresh[0]]])

    assert set(waiting) == {already.id, fresh[0].id}  # only those with something to send
    assert await _statuses(fresh[0]) == {f"push:{phone.id}": "pending"}
    assert await _statuses(fresh[1]) == {} and await _statuses(fresh[2]) == {}
    marked = await Notification.filter(id__in=[n.id for n in fresh], dispatched_at__isnull=False)
    assert len(marked) == 3
    await notification_delivery.plan_many([n.id for n in fresh])  # a redelivered job
    assert await NotificationDelivery.filter(notification_id__in=[n.id for n in fresh]).count() == 1

    await notification_delivery.dispatch_many([n.id for n in fresh])
    assert [m.token for m in fcm.messages if m.message["data"]["transactionId"] == "t-1"] == [
        phone.token
    ]


async def test_planning_more_than_a_batch_plans_every_one(fcm, monkeypatch):
    monkeypatch.setattr(notification_delivery, "PLAN_BATCH", 2)
    person = await young_person()
    await _device(person)
    notifications = [await _committed(person, transactionId=f"b-{n}") for n in range(5)]

    waiting = await notification_delivery.plan_many([n.id for n in notifications])

    assert sorted(map(str, waiting)) == sorted(str(n.id) for n in notifications)
    assert await NotificationDelivery.filter(notification_id__in=waiting).count() == 5
