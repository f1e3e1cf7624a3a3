"""Push notifications on the person's phones and browsers (FCM), one delivery per device.

A notification carries its id as collapse key, a campaign its own: a message sent twice
after a crash replaces the first on the phone. A token FCM refuses is forgotten at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from domain.campaigns.content import CAMPAIGN_KIND
from domain.campaigns.send_rate import send_rate
from domain.notifications.channels.base import (
    SENT,
    CampaignOutcomes,
    Delivered,
    Recipient,
    Verdict,
)
from domain.notifications.kinds import rule_for
from infra.settings import get_settings
from models.accounts import User
from models.campaigns import Campaign
from models.notifications import Channel, Device, Notification, NotificationDelivery
from push.channels import push_channel
from push.mobile import PushMessage, PushResult

NO_DEVICE = "aucun appareil enregistré"


class PushChannel:
    channel = Channel.PUSH
    preference_field = "notify_by_push"
    opt_in_field = "marketing_push_opt_in"
    marketing_wording = "en notification"
    audience_sql = "EXISTS (SELECT 1 FROM devices d WHERE d.user_id = u.id)"
    parallel_batches = True

    def targets(self, user: User, device_ids: Sequence[UUID]) -> list[str]:
        return [str(device_id) for device_id in device_ids]

    async def deliver(self, deliveries: Sequence[NotificationDelivery]) -> list[Delivered]:
        devices = {
            str(d.id): d for d in await Device.filter(id__in=[UUID(x.target) for x in deliveries])
        }
        results: list[Delivered] = [Delivered(Verdict.FAILED, "appareil retiré")] * len(deliveries)
        sendable = [i for i, d in enumerate(deliveries) if d.target in devices]  # else unregistered
        if not sendable:
            return results
        messages = [
            notification_push(deliveries[i].notification, devices[deliveries[i].target].token)
            for i in sendable
        ]
        outcomes = await push_channel().send(messages)
        for i, outcome in zip(sendable, outcomes, strict=True):
            if outcome.result is PushResult.SENT:
                results[i] = SENT
            elif outcome.result is PushResult.TOKEN_INVALID:
                await Device.filter(id=UUID(deliveries[i].target)).delete()
                results[i] = Delivered(Verdict.FAILED, f"jeton refusé par FCM : {outcome.error}")
            else:
                results[i] = Delivered(Verdict.RETRY, outcome.error or "échec FCM")
        return results

    async def send_campaign(
        self, campaign: Campaign, people: Sequence[Recipient], outcomes: CampaignOutcomes
    ) -> None:
        """Sent and recorded every `record_every` rows (a row: every phone of one person)."""
        devices: dict[UUID, list[tuple[UUID, str]]] = defaultdict(list)
        for device_id, user_id, token in await Device.filter(
            user_id__in=[user.id for _, user in people]
        ).values_list("id", "user_id", "token"):
            devices[UUID(str(user_id))].append((device_id, token))
        step = outcomes.record_every
        for start in range(0, len(people), step):
            await _send_chunk(campaign, people[start : start + step], devices, outcomes)
            await outcomes.write()


async def _send_chunk(
    campaign: Campaign,
    people: Sequence[Recipient],
    devices: dict[UUID, list[tuple[UUID, str]]],
    o: CampaignOutcomes,
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
    await send_rate(get_settings()).wait_for(Channel.PUSH.value, len(targets))
    results = await push_channel().send(push_messages(campaign, targets))
    by_row: dict[int, list[tuple[PushResult, str | None]]] = defaultdict(list)
    rows: dict[int, object] = {}
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


def notification_push(notification: Notification, token: str) -> PushMessage:
    rule = rule_for(notification.kind)
    data = {str(k): str(v) for k, v in notification.data.items()}
    data.update(notificationId=str(notification.id), kind=notification.kind, route=rule.route)
    return PushMessage(
        token=token,
        title=notification.title,
        body=notification.body,
        data=data,
        collapse_key=str(notification.id),
    )


def push_data(campaign: Campaign) -> dict[str, str]:
    return {
        "campaignId": str(campaign.id),
        "kind": CAMPAIGN_KIND,
        "route": "offer" if len(campaign.offer_ids) == 1 else "campaign",
        "offerIds": ",".join(campaign.offer_ids),
    }


def campaign_push(campaign: Campaign, token: str, recipient_id: int | None) -> PushMessage:
    data = push_data(campaign)
    if recipient_id is not None:
        data["recipientId"] = str(recipient_id)
    return PushMessage(
        token=token,
        title=campaign.title,
        body=campaign.body,
        data=data,
        collapse_key=f"campaign-{campaign.id}",
    )


def push_messages(campaign: Campaign, targets: Sequence[tuple[int, str]]) -> list[PushMessage]:
    """The campaign's push to each (recipient row id, device token)."""
    return [campaign_push(campaign, token, row_id) for row_id, token in targets]


PUSH = PushChannel()
