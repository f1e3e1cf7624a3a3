from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.web.support import Browser


def browser_for(app, address: str = "198.51.100.20") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 41000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def browser(app) -> AsyncIterator[Browser]:
    async with browser_for(app) as http:
        yield Browser(http)


@pytest.fixture
async def other_browser(app) -> AsyncIterator[Browser]:
    async with browser_for(app, "198.51.100.21") as http:
        yield Browser(http)
