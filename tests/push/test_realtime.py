"""Real-time fan-out between API processes through a real Redis, and in one process."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis import asyncio as aioredis

from push.realtime import QUEUE_SIZE, REDIS_PREFIX, LocalFanout, RedisFanout
from tests.servers import RedisServer, redis_database_url
from tests.support import silent_redis

REDIS_URL = redis_database_url(0)


@pytest.fixture
async def two_processes():
    """Two fan-outs with their own connections, as two API processes would have."""
    first, second = RedisFanout(REDIS_URL), RedisFanout(REDIS_URL)
    yield first, second
    await first.close()
    await second.close()


async def _next(stream, timeout: float = 2.0):
    return await asyncio.wait_for(anext(stream), timeout)


async def test_an_event_published_by_one_process_reaches_a_subscriber_of_another(two_processes):
    here, there = two_processes
    channel = f"notifications:{uuid.uuid4()}"
    stream = here.subscribe(channel)
    first = asyncio.ensure_future(_next(stream))
    await asyncio.sleep(0.1)  # the subscription reaches Redis

    await there.publish(channel, {"id": "n1", "title": "Paiement"})

    assert await first == {"id": "n1", "title": "Paiement"}
    await stream.aclose()


async def test_each_subscriber_gets_only_its_own_channel(two_processes):
    here, there = two_processes
    mine, theirs = f"notifications:{uuid.uuid4()}", f"notifications:{uuid.uuid4()}"
    my_stream, their_stream = here.subscribe(mine), here.subscribe(theirs)
    my_next = asyncio.ensure_future(_next(my_stream))
    their_next = asyncio.ensure_future(_next(their_stream, 0.5))
    await asyncio.sleep(0.1)

    await there.publish(mine, {"id": "for-me"})

    assert await my_next == {"id": "for-me"}
    with pytest.raises(TimeoutError):
        await their_next
    await my_stream.aclose()
    await their_stream.aclose()


async def test_the_process_leaves_the_redis_channel_when_its_last_subscriber_goes(two_processes):
    here, _ = two_processes
    channel = f"notifications:{uuid.uuid4()}"
    watcher = aioredis.from_url(REDIS_URL)
    stream = here.subscribe(channel)
    pending = asyncio.ensure_future(_next(stream, 5))
    await asyncio.sleep(0.1)
    subscribed = (await watcher.pubsub_numsub(REDIS_PREFIX + channel))[0][1]

    pending.cancel()  # what the server does when the client goes away
    await asyncio.gather(pending, return_exceptions=True)
    await asyncio.sleep(0.1)
    after = (await watcher.pubsub_numsub(REDIS_PREFIX + channel))[0][1]
    await watcher.aclose()

    assert (subscribed, after) == (1, 0)


async def test_a_slow_reader_loses_its_oldest_events_and_never_blocks_the_publisher():
    fanout = LocalFanout()
    stream = fanout.subscribe("notifications:slow")
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    for n in range(QUEUE_SIZE + 10):
        await fanout.publish("notifications:slow", {"n": n})

    received = [(await first)["n"]] + [(await anext(stream))["n"] for _ in range(QUEUE_SIZE - 1)]
    assert received == list(range(10, QUEUE_SIZE + 10))  # the newest QUEUE_SIZE events
    await stream.aclose()


async def test_a_subscription_outlives_a_redis_restart(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    here, there = RedisFanout(server.url), RedisFanout(server.url)
    channel = f"notifications:{uuid.uuid4()}"
    stream = here.subscribe(channel)
    try:
        first = asyncio.ensure_future(_next(stream))
        await asyncio.sleep(0.1)
        await there.publish(channel, {"id": "before"})
        assert await first == {"id": "before"}

        server.stop()
        await asyncio.sleep(1.5)  # the listener's reads fail meanwhile
        server.start()
        later = asyncio.ensure_future(_next(stream, 10))

        async def published_and_heard() -> bool:
            await there.publish(channel, {"id": "after"})
            await asyncio.sleep(0.2)
            return later.done()

        for _ in range(40):  # until the listener has reconnected and subscribed again
            try:
                if await published_and_heard():
                    break
            except (OSError, aioredis.RedisError):
                await asyncio.sleep(0.2)
        assert await later == {"id": "after"}
    finally:
        await stream.aclose()
        await here.close()
        await there.close()
        server.stop()


# --- Only where someone listens ----------------------------------------------------------


class RawListener:
    """A Redis subscriber of our own, which announces nothing: it sees what is published."""

    def __init__(self, channel: str) -> None:
        self.client = aioredis.from_url(REDIS_URL)
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self.channel = REDIS_PREFIX + channel

    async def __aenter__(self) -> RawListener:
        await self.pubsub.subscribe(self.channel)
        return self

    async def received(self, wait: float = 0.3) -> list[bytes]:
        got, deadline = [], asyncio.get_running_loop().time() + wait
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            message = await self.pubsub.get_message(timeout=left)
            if message is not None:
                got.append(message["data"])
        return got

    async def __aexit__(self, *_: object) -> None:
        await self.pubsub.aclose()
        await self.client.aclose()


@pytest.fixture
def quick_interest(monkeypatch):
    from push import realtime

    monkeypatch.setattr(realtime, "STARTING_SECONDS", 0.0)
    monkeypatch.setattr(realtime, "ANNOUNCE_EVERY_SECONDS", 0.2)
    monkeypatch.setattr(realtime, "INTEREST_SECONDS", 0.6)


async def test_an_event_nobody_listens_to_is_not_sent_to_redis(two_processes, quick_interest):
    publisher, subscriber = two_processes
    await publisher.start()  # its lifespan does: it knows nobody listens yet
    channel = f"audit:{uuid.uuid4()}"
    async with RawListener(channel) as raw:
        await publisher.publish(channel, {"entryId": 1})
        assert await raw.received() == []  # no PUBLISH: no process listens

        stream = subscriber.subscribe(channel)
        first = asyncio.ensure_future(_next(stream))
        await asyncio.sleep(0.1)  # the announcement reaches the publisher
        await publisher.publish(channel, {"entryId": 2})
        assert await first == {"entryId": 2}
        assert len(await raw.received()) == 1

        await asyncio.sleep(1.0)  # longer than the interest: announced again meanwhile
        await publisher.publish(channel, {"entryId": 3})
        assert await _next(stream) == {"entryId": 3}
        assert len(await raw.received()) == 1

        await stream.aclose()
        await asyncio.sleep(0.8)  # no longer announced: the interest lapses
        await publisher.publish(channel, {"entryId": 4})
        assert await raw.received() == []


async def test_a_process_started_after_a_subscription_asks_and_publishes_to_it(quick_interest):
    subscriber = RedisFanout(REDIS_URL)
    channel = f"notifications:{uuid.uuid4()}"
    stream = subscriber.subscribe(channel)
    first = asyncio.ensure_future(_next(stream))
    await asyncio.sleep(0.1)
    late = RedisFanout(REDIS_URL)
    try:
        await late.publish(channel, {"id": "skipped or not"})  # joins and asks "who"
        await asyncio.sleep(0.1)  # the subscriber's answer
        assert late.is_listened_to(channel)
        await late.publish(channel, {"id": "n1"})
        received = await first
        assert received in ({"id": "skipped or not"}, {"id": "n1"})
    finally:
        await stream.aclose()
        await subscriber.close()
        await late.close()


async def test_a_new_process_publishes_everything_until_it_knows_who_listens(two_processes):
    publisher, _ = two_processes
    channel = f"audit:{uuid.uuid4()}"
    async with RawListener(channel) as raw:
        await publisher.publish(channel, {"entryId": 1})  # its first seconds: sent
        assert len(await raw.received()) == 1


async def test_a_redis_that_does_not_answer_never_holds_a_publish_or_the_start():
    from infra import redis_batch

    loop = asyncio.get_running_loop()
    async with silent_redis() as url:
        fanout = RedisFanout(url)
        try:
            started = loop.time()
            await fanout.start()  # gives up after JOIN_TIMEOUT_SECONDS
            assert loop.time() - started < 3
            started = loop.time()
            # The redis_batch's own bound (2 s) holds the PUBLISH; joining does not wait.
            async with redis_batch.batch():
                await fanout.publish("audit:x", {"entryId": 1})
            assert loop.time() - started < 3
            assert fanout.is_listened_to("audit:x")  # not knowing, it publishes
        finally:
            for task in list(fanout._tasks):
                task.cancel()
            await fanout.close()
