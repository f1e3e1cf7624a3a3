"""My inbox, my devices and my channels over GraphQL; the live stream of my notifications."""

from __future__ import annotations

import asyncio
import json
import time

from websockets.asyncio.client import connect

from domain.core.transactions import atomic
from domain.notifications.notify import notify
from models.notifications import Device, Notification
from tests.factories import card_holder, partner_team, till, token_for, young_person
from tests.resolvers.test_card_transactions import DEBIT, debit_input

INBOX = """
query($first: Int, $after: String, $unread: Boolean) {
  notifications(first: $first, after: $after, unreadOnly: $unread) {
    notifications { id kind title body data read createdAt }
    unreadCount nextCursor
  }
}
"""
MARK = """
mutation($ids: [ID!], $all: Boolean) {
  markNotificationsRead(ids: $ids, all: $all) {
    __typename ... on MarkedRead { marked unreadCount } ... on UserError { code field message }
  }
}
"""
REGISTER = """
mutation($token: String!, $platform: DevicePlatform!) {
  registerDevice(token: $token, platform: $platform) {
    __typename ... on DeviceRegistered { device { id platform } }
    ... on UserError { code field message }
  }
}
"""
PREFERENCES = """
mutation($push: Boolean, $email: Boolean) {
  updateNotificationPreferences(push: $push, email: $email) { push email inApp }
}
"""
FCM_TOKEN = "fcm-" + "a1B2c3D4e5" * 16


async def _notifications(user, count: int) -> list[Notification]:
    created = []
    for n in range(count):
        async with atomic():
            created.append(await notify(user.id, "card_debit", f"Paiement {n}", f"Corps {n}"))
        await asyncio.sleep(0.002)  # distinct timestamps, as in life
    return created


async def test_my_inbox_pages_newest_first_and_stays_stable_under_new_arrivals(gql):
    person = await young_person()
    token = await token_for(gql, person)
    await _notifications(person, 5)

    first = (await gql.post(INBOX, {"first": 2}, token=token))["data"]["notifications"]
    assert [n["title"] for n in first["notifications"]] == ["Paiement 4", "Paiement 3"]
    assert first["unreadCount"] == 5 and first["nextCursor"]

    await _notifications(person, 1)  # arrives while I scroll: not repeated, not skipped
    rest = (await gql.post(INBOX, {"first": 10, "after": first["nextCursor"]}, token=token))[
        "data"
    ]["notifications"]
    assert [n["title"] for n in rest["notifications"]] == ["Paiement 2", "Paiement 1", "Paiement 0"]
    assert rest["nextCursor"] is None and rest["unreadCount"] == 6


async def test_nobody_reads_or_marks_another_persons_notifications(gql):
    me, other = await young_person(), await young_person()
    (theirs,) = await _notifications(other, 1)
    token = await token_for(gql, me)

    inbox = (await gql.post(INBOX, {}, token=token))["data"]["notifications"]
    marked = (await gql.post(MARK, {"ids": [str(theirs.id)]}, token=token))["data"]

    assert inbox["notifications"] == [] and inbox["unreadCount"] == 0
    assert marked["markNotificationsRead"]["marked"] == 0
    assert (await Notification.get(id=theirs.id)).read_at is None


async def test_marking_read_by_ids_or_all(gql):
    person = await young_person()
    token = await token_for(gql, person)
    one, _two, _three = await _notifications(person, 3)

    by_id = (await gql.post(MARK, {"ids": [str(one.id)]}, token=token))["data"]
    unread = (await gql.post(INBOX, {"unread": True}, token=token))["data"]["notifications"]
    everything = (await gql.post(MARK, {"all": True}, token=token))["data"]

    assert by_id["markNotificationsRead"] == {
        "__typename": "MarkedRead",
        "marked": 1,
        "unreadCount": 2,
    }
    assert str(one.id) not in {n["id"] for n in unread["notifications"]}
    assert everything["markNotificationsRead"]["marked"] == 2
    assert everything["markNotificationsRead"]["unreadCount"] == 0


async def test_marking_needs_ids_or_all_but_not_both(gql):
    person = await young_person()
    token = await token_for(gql, person)
    (one,) = await _notifications(person, 1)

    both = (await gql.post(MARK, {"ids": [str(one.id)], "all": True}, token=token))["data"]
    neither = (await gql.post(MARK, {}, token=token))["data"]
    garbage = (await gql.post(MARK, {"ids": ["pas-un-id"]}, token=token))["data"]

    for answer in (both, neither, garbage):
        assert answer["markNotificationsRead"]["code"] == "INVALID_INPUT"
    assert (await Notification.get(id=one.id)).read_at is None


async def test_a_debit_reaches_the_holders_inbox(gql):
    holder = await card_holder()
    team, cashier = await till()
    await gql.post(DEBIT, debit_input(team, holder, "12,50"), token=await token_for(gql, cashier))

    inbox = (await gql.post(INBOX, {}, token=await token_for(gql, holder.user)))["data"]
    (message,) = inbox["notifications"]["notifications"]
    assert message["kind"] == "card_debit"
    assert "12,50" in message["body"] and team.partner.trade_name in message["body"]
    assert message["data"]["amountCents"] == 1250 and message["read"] is False


async def test_devices_register_idempotently_and_move_with_the_phone(gql):
    first_owner, second_owner = await young_person(), await young_person()
    variables = {"token": FCM_TOKEN + "move", "platform": "ANDROID"}

    once = await gql.post(REGISTER, variables, token=await token_for(gql, first_owner))
    twice = await gql.post(REGISTER, variables, token=await token_for(gql, first_owner))
    moved = await gql.post(REGISTER, variables, token=await token_for(gql, second_owner))

    assert once["data"]["registerDevice"]["device"]["platform"] == "ANDROID"
    assert once["data"] == twice["data"]
    assert (
        moved["data"]["registerDevice"]["device"]["id"]
        == once["data"]["registerDevice"]["device"]["id"]
    )
    assert await Device.filter(user_id=first_owner.id).count() == 0
    assert await Device.filter(user_id=second_owner.id).count() == 1


async def test_a_bad_device_token_is_refused_in_french(gql):
    person = await young_person()
    answer = await gql.post(
        REGISTER,
        {"token": "x'; DROP TABLE devices; --", "platform": "IOS"},
        token=await token_for(gql, person),
    )
    assert answer["data"]["registerDevice"] == {
        "__typename": "UserError",
        "code": "INVALID_INPUT",
        "field": "token",
        "message": "Ce jeton d'appareil n'est pas un jeton FCM valide.",
    }
    assert await Device.filter(user_id=person.id).count() == 0


async def test_unregistering_only_removes_my_own_device(gql):
    owner, stranger = await young_person(), await young_person()
    token = FCM_TOKEN + "mine"
    await gql.post(REGISTER, {"token": token, "platform": "IOS"}, token=await token_for(gql, owner))
    query = "mutation($t: String!) { unregisterDevice(token: $t) { ok } }"

    await gql.post(query, {"t": token}, token=await token_for(gql, stranger))
    assert await Device.filter(token=token).count() == 1
    await gql.post(query, {"t": token}, token=await token_for(gql, owner))
    assert await Device.filter(token=token).count() == 0


async def test_push_and_email_can_be_turned_off_but_not_the_inbox(gql):
    person = await young_person()
    token = await token_for(gql, person)

    answer = (await gql.post(PREFERENCES, {"push": False}, token=token))["data"]
    read = await gql.post("{ notificationPreferences { push email inApp } }", token=token)

    assert answer["updateNotificationPreferences"] == {"push": False, "email": True, "inApp": True}
    assert read["data"]["notificationPreferences"] == answer["updateNotificationPreferences"]


SUBSCRIBE = "subscription { notificationAdded { id kind title body data } }"


async def open_stream(address: str, token: str):
    ws = await connect(f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    await asyncio.sleep(0.2)  # let the server register the subscriber
    return ws


async def test_a_debited_young_person_sees_it_live_within_a_second(gql, live_server):
    holder = await card_holder()
    team, cashier = await till()
    stranger = await young_person()
    mine = await open_stream(live_server, await token_for(gql, holder.user))
    theirs = await open_stream(live_server, await token_for(gql, stranger))
    try:
        started = time.perf_counter()
        await gql.post(DEBIT, debit_input(team, holder, "3"), token=await token_for(gql, cashier))
        message = json.loads(await asyncio.wait_for(mine.recv(), 1))
        elapsed = time.perf_counter() - started

        event = message["payload"]["data"]["notificationAdded"]
        assert event["kind"] == "card_debit" and "3,00" in event["body"]
        assert elapsed < 1
        try:
            leaked = await asyncio.wait_for(theirs.recv(), 0.3)
        except TimeoutError:
            leaked = None
        assert leaked is None, "another young person received my notification"
    finally:
        await mine.close()
        await theirs.close()


async def test_a_partner_delegate_receives_notifications_too(gql):
    team = await partner_team()
    async with atomic():
        await notify(
            team.principal.id, "moderation_decision", "Bon plan validé", "Il est en ligne."
        )
    inbox = (await gql.post(INBOX, {}, token=await token_for(gql, team.principal)))["data"]
    assert [n["title"] for n in inbox["notifications"]["notifications"]] == ["Bon plan validé"]
