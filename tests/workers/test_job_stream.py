"""The job stream's reader survives its Redis restarting, on a Redis server of its own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.servers import RedisServer
from workers.broker import QUEUE, JobStream


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def stream(redis_server) -> AsyncIterator[JobStream]:
    made = JobStream(redis_server.url)
    await made.startup()  # declares the consumer group
    yield made
    await made.shutdown()


async def test_the_reader_waits_out_a_redis_restart_and_reads_the_jobs_queued_after(
    redis_server, stream
):
    messages = stream.listen()
    await stream.client.xadd(QUEUE, {b"data": b"before"})
    first = await asyncio.wait_for(anext(messages), 10)
    assert first.data == b"before"
    await first.ack()

    waiting = asyncio.ensure_future(anext(messages))  # blocked on the stream
    await asyncio.sleep(0.2)
    redis_server.stop()
    await asyncio.sleep(1.5)  # reads fail meanwhile, and are tried again
    assert not waiting.done()
    redis_server.start()  # empty: no stream, no consumer group
    await stream.client.xadd(QUEUE, {b"data": b"after"})

    second = await asyncio.wait_for(waiting, 20)
    assert second.data == b"after"
    await second.ack()
    assert await stream.client.xlen(QUEUE) == 0  # acknowledged and deleted
    await messages.aclose()
