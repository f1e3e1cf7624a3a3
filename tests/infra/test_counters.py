"""The fixed-window counters behind the card-lookup limits, in memory and in a real Redis."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from redis.asyncio import Redis

from infra.counters import MemoryCounter, RedisCounter
from tests.servers import RedisServer
from tests.support import silent_redis


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
        await counter.flush()
        client = Redis.from_url(redis_url)
        [stored] = await client.keys(f"cjeune:count:{key}:*")
        assert 0 < await client.ttl(stored) <= 120
        await client.aclose()
    finally:
        await counter.aclose()


async def test_an_unreachable_redis_is_replaced_by_counting_in_the_process():
    counter = RedisCounter("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        assert await counter.tally([("a", 60), ("b", 60)], [("c", 60)]) == ([1, 1], [0])
        await counter.flush()  # fails: what was counted stays counted, in the process
        assert await counter.hit("a", 60) == 2
        assert await counter.tally([("a", 60), ("c", 60)], [("b", 60)]) == ([3, 1], [1])
    finally:
        await counter.aclose()


async def test_processes_share_their_tallies_through_redis_at_each_flush(redis_url):
    first, second = RedisCounter(redis_url), RedisCounter(redis_url)
    key = uuid.uuid4().hex
    try:
        for _ in range(3):
            await first.tally([(key, 60)], [])
        assert await second.tally([(key, 60)], []) == ([1], [])  # not sent yet
        await first.flush()
        await second.flush()
        assert await second.tally([(key, 60)], [(key, 60)]) == ([5], [4])
        assert await first.tally([(key, 60)], []) == ([4], [])  # its own view until a flush
        await first.flush()  # sending its count brings the others' back
        assert await first.tally([], [(key, 60)]) == ([], [5])  # the other's last not sent
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_tally_sends_nothing_itself_and_the_flusher_stops_when_idle(redis_url, monkeypatch):
    monkeypatch.setattr(RedisCounter, "FLUSH_EVERY_SECONDS", 0.1)
    monkeypatch.setattr(RedisCounter, "KEEP_READING_SECONDS", 0.25)
    counter = RedisCounter(redis_url)
    client = Redis.from_url(redis_url)
    key = uuid.uuid4().hex
    try:
        await counter.tally([(key, 60)], [(f"{key}:read", 60)])
        assert await client.keys(f"cjeune:count:{key}:*") == []
        await asyncio.sleep(0.25)
        [stored] = await client.keys(f"cjeune:count:{key}:*")
        assert int(await client.get(stored)) == 1
        await asyncio.sleep(0.5)  # nothing counted, the reading kept for 0.25 s: it stops
        assert counter._flusher is not None and counter._flusher.done()
    finally:
        await counter.aclose()
        await client.aclose()


async def test_a_strict_hit_is_seen_by_the_tallies_of_its_process_at_once(redis_url):
    counter, other = RedisCounter(redis_url), RedisCounter(redis_url)
    key = uuid.uuid4().hex
    try:
        assert await counter.tally([], [(key, 600)]) == ([], [0])
        assert await counter.hit(key, 600) == 1
        assert await counter.tally([], [(key, 600)]) == ([], [1])
        assert await other.tally([], [(key, 600)]) == ([], [0])
        await other.flush()
        assert await other.tally([], [(key, 600)]) == ([], [1])
    finally:
        await counter.aclose()
        await other.aclose()


async def test_what_is_counted_is_sent_when_the_counter_closes(redis_url):
    counter = RedisCounter(redis_url)
    key = uuid.uuid4().hex
    await counter.tally([(key, 60)], [])
    await counter.aclose()
    reader = RedisCounter(redis_url)
    try:
        assert await reader.peek(key, 60) == 1
    finally:
        await reader.aclose()


async def test_redis_is_asked_again_after_a_while_and_counts_again_when_back(
    tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(RedisCounter, "RETRY_REDIS_AFTER_SECONDS", 0.5)
    server = RedisServer(tmp_path)
    server.start()
    counter = RedisCounter(server.url)
    client = Redis.from_url(server.url)
    key = uuid.uuid4().hex
    try:
        assert await counter.hit(key, 60) == 1  # in Redis
        server.stop()
        with caplog.at_level(logging.WARNING, logger="infra.counters"):
            counts = [await counter.hit(key, 60) for _ in range(20)]
        assert counts == list(range(1, 21))  # in the process meanwhile
        outages = [r for r in caplog.records if "counting in this process" in r.getMessage()]
        assert len(outages) == 1  # Redis was asked once, not twenty times
        server.start()  # back, empty
        await asyncio.sleep(0.6)
        assert await counter.hit(key, 60) == 1
        assert await client.keys(f"cjeune:count:{key}:*")  # counted in Redis again
    finally:
        await counter.aclose()
        await client.aclose()
        server.stop()


async def test_a_redis_that_does_not_answer_delays_one_request_per_period_only():
    loop = asyncio.get_running_loop()
    async with silent_redis() as url:
        counter = RedisCounter(url)
        try:
            started = loop.time()
            assert await counter.hit("a", 60) == 1
            first = loop.time() - started
            started = loop.time()
            assert [await counter.hit("a", 60) for _ in range(20)] == list(range(2, 22))
            assert first >= 0.4 and loop.time() - started < 0.1
        finally:
            await counter.aclose()
