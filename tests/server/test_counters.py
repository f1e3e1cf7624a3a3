"""The fixed-window counters behind the card-lookup limits, in memory and in a real Redis."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from server.counters import MemoryCounter, RedisCounter


@pytest.fixture(params=["memory", "redis"])
async def counter(request, redis_url):
    made = MemoryCounter() if request.param == "memory" else RedisCounter(redis_url)
    yield made
    await made.aclose()


async def test_a_tally_counts_its_hits_and_only_reads_its_peeks(counter):
    key = uuid.uuid4().hex
    hits = [(f"{key}:a", 60), (f"{key}:b", 60)]
    peeks = [(f"{key}:a", 60), (f"{key}:c", 600)]
    assert await counter.tally(hits, peeks) == ([1, 1], [0, 0])
    assert await counter.tally(hits, peeks) == ([2, 2], [1, 0])
    assert await counter.tally([(f"{key}:c", 600)], peeks) == ([1], [2, 0])
    assert await counter.peek(f"{key}:c", 600) == 1
    assert await counter.hit(f"{key}:b", 60) == 3


async def test_redis_keys_expire_after_two_windows(redis_url):
    counter = RedisCounter(redis_url)
    key = uuid.uuid4().hex
    try:
        await counter.tally([(key, 60)], [])
        client = Redis.from_url(redis_url)
        [stored] = await client.keys(f"cjeune:count:{key}:*")
        assert 0 < await client.ttl(stored) <= 120
        await client.aclose()
    finally:
        await counter.aclose()


async def test_an_unreachable_redis_counts_nothing_and_fails_open():
    counter = RedisCounter("redis://127.0.0.1:1/0")
    try:
        assert await counter.tally([("a", 60), ("b", 60)], [("c", 60)]) == ([0, 0], [0])
    finally:
        await counter.aclose()
