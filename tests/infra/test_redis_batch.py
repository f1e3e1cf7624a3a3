"""What a committed change tells Redis leaves in one round trip, in order, on a real Redis."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from domain.core.transactions import after_commit, atomic, committed
from infra import redis_batch
from infra.jobs import enqueue
from push import realtime
from tests.support import claim_redis_database, silent_redis
from workers.broker import QUEUE, configure_broker


@pytest.fixture
async def client(redis_url) -> AsyncIterator[Redis]:
    made = Redis.from_url(redis_url)
    yield made
    await made.aclose()


@pytest.fixture
def round_trips(monkeypatch) -> list[int]:
    """Commands per pipeline sent to Redis (redis-py's own Pipeline.execute, counted)."""
    sent: list[int] = []
    execute = Pipeline.execute

    async def counted(self, raise_on_error=True):
        sent.append(len(self.command_stack))
        return await execute(self, raise_on_error)

    monkeypatch.setattr(Pipeline, "execute", counted)
    return sent


def _rpush(key: str, value: str):
    return lambda r: r.rpush(key, value)


async def test_commands_of_a_batch_leave_together_at_its_end_in_their_order(
    redis_url, client, round_trips
):
    key = uuid.uuid4().hex
    other = Redis.from_url(redis_url)  # another client of the same database joins the pipeline
    try:
        async with redis_batch.batch():
            await redis_batch.send(client, _rpush(key, "1"), "first")
            await redis_batch.send(other, _rpush(key, "2"), "second")
            await redis_batch.send(client, _rpush(key, "3"), "third")
            assert await client.llen(key) == 0  # nothing sent yet
        assert await client.lrange(key, 0, -1) == [b"1", b"2", b"3"]
        assert round_trips == [3]
    finally:
        await other.aclose()


async def test_outside_a_batch_a_command_runs_at_once(client, round_trips):
    key = uuid.uuid4().hex
    await redis_batch.send(client, _rpush(key, "now"), "now")
    assert await client.lrange(key, 0, -1) == [b"now"]
    assert round_trips == []


async def test_a_batch_inside_a_batch_is_sent_with_the_outer_one(client, round_trips):
    key = uuid.uuid4().hex
    async with redis_batch.batch():
        await redis_batch.send(client, _rpush(key, "outer"), "outer")
        async with redis_batch.batch():
            await redis_batch.send(client, _rpush(key, "inner"), "inner")
        assert await client.llen(key) == 0
    assert await client.lrange(key, 0, -1) == [b"outer", b"inner"]
    assert round_trips == [2]


async def test_a_failing_command_is_logged_and_the_others_are_sent(client, caplog):
    key, text = uuid.uuid4().hex, uuid.uuid4().hex
    await client.set(text, "pas un nombre")
    with caplog.at_level(logging.ERROR, logger="infra.redis_batch"):
        async with redis_batch.batch():
            await redis_batch.send(client, lambda r: r.incr(text), "the counter")
            await redis_batch.send(client, _rpush(key, "sent"), "the list")
    assert await client.lrange(key, 0, -1) == [b"sent"]
    assert await client.get(text) == b"pas un nombre"
    [failure] = [r for r in caplog.records if "the counter failed" in r.getMessage()]
    assert "not an integer" in failure.getMessage()


async def test_commands_for_two_databases_each_reach_their_own(client, round_trips):
    second_url = await claim_redis_database("redis-batch", seconds=60)
    second = Redis.from_url(second_url)
    key = uuid.uuid4().hex
    try:
        async with redis_batch.batch():
            await redis_batch.send(client, _rpush(key, "a"), "a")
            await redis_batch.send(second, _rpush(key, "b"), "b")
            await redis_batch.send(client, _rpush(key, "c"), "c")
        assert await client.lrange(key, 0, -1) == [b"a", b"c"]
        assert await second.lrange(key, 0, -1) == [b"b"]
        assert sorted(round_trips) == [2]  # the lone command of the other database: no pipeline
    finally:
        await second.flushdb()
        await second.aclose()


@pytest.fixture
async def silent_server() -> AsyncIterator[Redis]:
    """A client of a server that accepts connections and never answers (a Redis hung or
    behind a broken network)."""
    async with silent_redis() as url:
        client = Redis.from_url(url)
        yield client
        await client.aclose(close_connection_pool=True)


async def test_a_redis_that_does_not_answer_holds_the_change_for_a_bounded_time(
    client, silent_server, monkeypatch, caplog
):
    monkeypatch.setattr(redis_batch, "FLUSH_TIMEOUT_SECONDS", 0.3)
    key = uuid.uuid4().hex
    started = asyncio.get_running_loop().time()
    with caplog.at_level(logging.ERROR, logger="infra.redis_batch"):
        async with redis_batch.batch():
            await redis_batch.send(silent_server, _rpush(key, "lost"), "the silent one")
            await redis_batch.send(client, _rpush(key, "sent"), "the live one")
    assert asyncio.get_running_loop().time() - started < 1.5
    assert await client.lrange(key, 0, -1) == [b"sent"]
    assert any("the silent one not sent in" in r.getMessage() for r in caplog.records)


@pytest.fixture
async def redis_side_effects(settings, redis_url) -> AsyncIterator[None]:
    """Real-time events and jobs through Redis, as in production."""
    fanout = realtime.use_fanout(realtime.RedisFanout(redis_url))
    configure_broker(replace(settings, redis_url=redis_url), job_modules=[])
    try:
        yield
    finally:
        realtime.use_fanout(realtime.LocalFanout())
        await fanout.close()
        configure_broker(settings)


@pytest.mark.parametrize("how", ["atomic", "committed"])
async def test_the_events_and_jobs_of_a_committed_change_leave_in_one_round_trip(
    how, redis_side_effects, client, round_trips
):
    channel = f"audit:{uuid.uuid4().hex}"
    events = realtime.subscribe(channel)
    first = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0.2)  # subscribed
    jobs_before = await client.xlen(QUEUE)
    try:
        async with atomic() if how == "atomic" else committed():
            await after_commit(lambda: realtime.publish(channel, {"entryId": 1}))
            await after_commit(lambda: realtime.publish(channel, {"entryId": 2}))
            await after_commit(lambda: enqueue("notifications.dispatch", str(uuid.uuid4())))
            assert await client.xlen(QUEUE) == jobs_before  # only once committed
        assert await asyncio.wait_for(first, 5) == {"entryId": 1}
        assert await asyncio.wait_for(anext(events), 5) == {"entryId": 2}
    finally:
        first.cancel()
        await events.aclose()
    assert await client.xlen(QUEUE) == jobs_before + 1
    assert round_trips == [3]
