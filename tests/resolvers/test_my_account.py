"""A signed-in person sees their open sessions and devices, signs out their other sessions
and removes a device: only their own."""

from __future__ import annotations

import uuid

from domain.notifications.devices import register_device
from models.notifications import Device
from tests.factories import partner_team, sign_in, young_person

SESSIONS = "{ mySessions { id current signedInAt } }"
SIGN_OUT_OTHERS = "mutation { signOutOtherSessions { count } }"
DEVICES = "{ myDevices { id platform } }"
REMOVE = """
mutation($id: ID!) { removeMyDevice(deviceId: $id) {
  __typename ... on UserError { code field }
} }
"""
FOLLOWED = "query($id: ID!) { partner(id: $id) { followedByMe } }"


async def test_signing_out_the_other_sessions_ends_them_and_keeps_this_one(gql):
    person = await young_person()
    here = (await sign_in(gql, person))["accessToken"]
    elsewhere = (await sign_in(gql, person))["accessToken"]
    listed = (await gql.post(SESSIONS, token=here))["data"]["mySessions"]
    assert len(listed) == 2 and [s["current"] for s in listed].count(True) == 1

    ended = await gql.post(SIGN_OUT_OTHERS, token=here)

    assert ended["data"]["signOutOtherSessions"]["count"] == 1
    assert len((await gql.post(SESSIONS, token=here))["data"]["mySessions"]) == 1
    refused = await gql.post(SESSIONS, token=elsewhere)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_person_removes_their_own_device_never_anothers(gql):
    person, other = await young_person(), await young_person()
    mine = await register_device(person.id, f"fcm-{uuid.uuid4().hex}-mine", "android")
    theirs = await register_device(other.id, f"fcm-{uuid.uuid4().hex}-theirs", "ios")
    token = (await sign_in(gql, person))["accessToken"]
    assert [d["id"] for d in (await gql.post(DEVICES, token=token))["data"]["myDevices"]] == [
        str(mine.id)
    ]

    await gql.post(REMOVE, {"id": str(theirs.id)}, token=token)
    removed = await gql.post(REMOVE, {"id": str(mine.id)}, token=token)

    assert removed["data"]["removeMyDevice"]["__typename"] == "Done"
    assert not await Device.filter(id=mine.id).exists()
    assert await Device.filter(id=theirs.id).exists()
    bad = await gql.post(REMOVE, {"id": "pas-un-id"}, token=token)
    assert bad["data"]["removeMyDevice"] == {
        "__typename": "UserError",
        "code": "INVALID_INPUT",
        "field": "deviceId",
    }


async def test_followed_by_me_is_the_young_persons_own_follow(gql):
    team = await partner_team()
    person = await young_person()
    token = (await sign_in(gql, person))["accessToken"]
    partner_id = str(team.partner.id)
    follow = "mutation($p: ID!) { follow(partnerId: $p) { __typename } }"

    before = await gql.post(FOLLOWED, {"id": partner_id}, token=token)
    await gql.post(follow, {"p": partner_id}, token=token)
    after = await gql.post(FOLLOWED, {"id": partner_id}, token=token)
    anonymous = await gql.post(FOLLOWED, {"id": partner_id})

    assert before["data"]["partner"]["followedByMe"] is False
    assert after["data"]["partner"]["followedByMe"] is True
    assert anonymous["data"]["partner"]["followedByMe"] is False
