"""The rate limiter never takes the API down (it counts in the process while Redis is
unreachable), and WebSocket openings count too."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.app import create_app
from server.ratelimit import WINDOW_SECONDS
from tests.support import serving

TYPENAME = {"query": "{ __typename }"}


async def test_when_redis_is_unreachable_requests_are_served_and_limited_by_the_process(settings):
    app = create_app(
        replace(settings, rate_limit_per_minute=2, redis_url="redis://127.0.0.1:1/0"),
        manage_database=False,
    )
    transport = httpx.ASGITransport(app=app, client=("198.51.100.77", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        statuses = [(await http.post("/graphql", json=TYPENAME)).status_code for _ in range(4)]
    assert statuses == [200, 200, 429, 429]


@pytest.fixture
async def limited_server(settings):
    app = create_app(replace(settings, rate_limit_per_minute=2), manage_database=False)
    async with serving(app) as address:
        yield f"ws://{address}/graphql"


async def test_websocket_openings_are_rate_limited(limited_server):
    if time.time() % WINDOW_SECONDS > WINDOW_SECONDS - 3:  # stay inside one window
        await asyncio.sleep(WINDOW_SECONDS - time.time() % WINDOW_SECONDS + 0.1)
    for _ in range(2):
        async with connect(limited_server, subprotocols=["graphql-transport-ws"]):
            pass
    with pytest.raises(InvalidStatus) as refused:
        async with connect(limited_server, subprotocols=["graphql-transport-ws"]):
            pass
    assert refused.value.response.status_code == 403
