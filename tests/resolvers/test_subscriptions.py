"""The live audit trail over graphql-transport-ws, authenticated in connection_init."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect

from models.partners import Delegate, DelegatePermission
from tests.factories import collaborator, partner_team, token_for
from tests.resolvers.test_partners import INVITE, SUSPEND_DELEGATE, invitation
from tests.support import unique

FOLLOW = "subscription($p: ID!) { auditLogEntries(partnerId: $p) { action actor { email } } }"


async def _open(live_server: str, token: str, partner_id: str):
    ws = await connect(f"ws://{live_server}/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": FOLLOW, "variables": {"p": partner_id}},
            }
        )
    )
    await asyncio.sleep(0.2)  # let the server register the subscriber
    return ws


async def test_the_principal_sees_new_audit_entries_live(gql, live_server):
    team = await partner_team()
    principal = await token_for(gql, team.principal)
    ws = await _open(live_server, principal, str(team.partner.id))
    try:
        await gql.post(
            INVITE,
            invitation(team.partner.id, f"{unique('live')}@p.test", ["TRANSACTIONS"]),
            token=principal,
        )
        message = json.loads(await asyncio.wait_for(ws.recv(), 2))
        assert message["type"] == "next"
        assert message["payload"]["data"]["auditLogEntries"] == {
            "action": "delegate.invited",
            "actor": {"email": team.principal.email},
        }
    finally:
        await ws.close()


async def test_another_partner_cannot_follow_the_trail(gql, live_server):
    a, b = await partner_team(name="Alpha"), await partner_team(name="Bravo")
    ws = await _open(live_server, await token_for(gql, b.principal), str(a.partner.id))
    try:
        message = json.loads(await asyncio.wait_for(ws.recv(), 2))
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"
    finally:
        await ws.close()


async def test_a_revoked_session_stops_receiving(gql, live_server):
    team = await partner_team()
    manager = await collaborator(team, DelegatePermission.DELEGATES)
    principal = await token_for(gql, team.principal)
    ws = await _open(live_server, principal, str(team.partner.id))
    try:
        await gql.post("mutation { logout { ok } }", token=principal)
        target = await collaborator(team, DelegatePermission.TRANSACTIONS)
        delegate = await Delegate.get(partner_id=team.partner.id, user_id=target.id)
        await gql.post(
            SUSPEND_DELEGATE, {"id": str(delegate.id)}, token=await token_for(gql, manager)
        )
        message = json.loads(await asyncio.wait_for(ws.recv(), 2))
        assert message["type"] == "complete"  # the stream ended instead of leaking the entry
    finally:
        await ws.close()


async def test_one_connection_holds_at_most_the_configured_subscriptions(gql, settings):
    from dataclasses import replace

    from server.app import create_app
    from tests.support import serving

    team = await partner_team()
    token = await token_for(gql, team.principal)
    app = create_app(replace(settings, max_subscriptions_per_connection=1), manage_database=False)

    async with serving(app) as address:
        ws = await _open(address, token, str(team.partner.id))
        try:
            await ws.send(
                json.dumps(
                    {
                        "id": "2",
                        "type": "subscribe",
                        "payload": {"query": FOLLOW, "variables": {"p": str(team.partner.id)}},
                    }
                )
            )
            message = json.loads(await asyncio.wait_for(ws.recv(), 2))
        finally:
            await ws.close()

    assert (message["id"], message["type"]) == ("2", "error")
    assert message["payload"][0]["message"] == "Subscription limit reached"
