"""An expired access token is told apart from none at all: TOKEN_EXPIRED (refresh it)
rather than UNAUTHENTICATED (sign in), over HTTP and over WebSocket."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from domain.accounts.tokens import issue_access_token
from domain.core import clock
from infra.settings import get_settings
from models.accounts import AuthSession, User
from tests.factories import sign_in, young_person
from tests.support import GraphQLClient, error_codes

ME = "{ me { email } }"
PUBLIC = "{ departmentServices { __typename } }"
NOTIFICATIONS = "subscription { notificationAdded { title } }"
EXPIRED_MESSAGE = "Votre session a expiré : renouvelez votre jeton."


async def _token_expiring_in(gql: GraphQLClient, user: User, seconds: float) -> str:
    """An access token of a real session, issued so that it expires `seconds` from now."""
    await sign_in(gql, user)
    session = await AuthSession.filter(user_id=user.id).order_by("-created_at").first()
    lifetime = timedelta(minutes=get_settings().access_token_minutes)
    with clock.frozen(clock.now() - lifetime + timedelta(seconds=seconds)):
        token, _ = issue_access_token(user.id, session.id)
    return token


async def test_an_expired_token_gets_token_expired_and_no_token_unauthenticated(gql):
    user = await young_person()
    expired = await _token_expiring_in(gql, user, -1)

    answer = await gql.post(ME, token=expired)
    assert answer["data"]["me"] is None
    assert error_codes(answer) == ["TOKEN_EXPIRED"]
    assert answer["errors"][0]["message"] == EXPIRED_MESSAGE

    assert error_codes(await gql.post(ME)) == ["UNAUTHENTICATED"]
    assert error_codes(await gql.post(ME, token="pas-un-jeton")) == ["UNAUTHENTICATED"]
    forged = expired[:-4] + ("AAAA" if not expired.endswith("AAAA") else "BBBB")
    assert error_codes(await gql.post(ME, token=forged)) == ["UNAUTHENTICATED"]
    # What anyone may read is still answered, as to someone signed out.
    assert "errors" not in await gql.post(PUBLIC, token=expired)
    # A fresh token works.
    fresh = await _token_expiring_in(gql, user, 60)
    assert (await gql.post(ME, token=fresh))["data"]["me"]["email"] == user.email


async def _init(live_server: str, token: str):
    ws = await connect(f"ws://{live_server}/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    return ws


@pytest.mark.parametrize(("seconds", "reason"), [(-1, "TOKEN_EXPIRED"), (None, "UNAUTHENTICATED")])
async def test_connection_init_says_whether_the_token_expired(gql, live_server, seconds, reason):
    user = await young_person()
    token = "pas-un-jeton" if seconds is None else await _token_expiring_in(gql, user, seconds)
    ws = await _init(live_server, token)
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(5):
            await ws.recv()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4403, reason)


async def test_a_subscription_after_the_connections_token_expired_gets_token_expired(
    gql, live_server
):
    user = await young_person()
    token = await _token_expiring_in(gql, user, 1.5)
    ws = await _init(live_server, token)
    try:
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await asyncio.sleep(1.6)
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": NOTIFICATIONS}})
        )
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert message["type"] == "error", message
        assert message["payload"][0]["extensions"]["code"] == "TOKEN_EXPIRED"
    finally:
        await ws.close()
