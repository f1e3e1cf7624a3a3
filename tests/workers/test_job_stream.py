"""The job stream's reader survives its Redis restarting, on a Redis server of its own."""

from __future__ import annotations

import asyncio
import contextlib
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
    assert await stream.client.xlen(QUEUE) == 1  # acknowledged with the next read
    reading = asyncio.ensure_future(anext(messages))
    await asyncio.sleep(0.3)
    assert await stream.client.xlen(QUEUE) == 0  # acknowledged and deleted
    reading.cancel()
    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
        await reading
    await messages.aclose()


async def calls(stream: JobStream) -> dict[str, int]:
    stats = await stream.client.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(stat["calls"]) for name, stat in stats.items()}


async def test_jobs_that_come_together_are_read_and_acknowledged_together(stream):
    messages = stream.listen()
    for number in range(5):
        await stream.client.xadd(QUEUE, {b"data": str(number).encode()})
    before = await calls(stream)

    done = [await asyncio.wait_for(anext(messages), 10) for _ in range(5)]
    for job in done:
        await job.ack()
    reading = asyncio.ensure_future(anext(messages))  # the next read acknowledges them
    await asyncio.sleep(0.3)
    after = await calls(stream)
    reading.cancel()
    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
        await reading
    await messages.aclose()

    assert [job.data for job in done] == [b"0", b"1", b"2", b"3", b"4"]
    assert await stream.client.xlen(QUEUE) == 0
    spent = {name: after.get(name, 0) - before.get(name, 0) for name in after}
    # One read took the five; the second read carried their one XACK and one XDEL.
    assert spent.get("xreadgroup") == 2
    assert spent.get("xack") == 1 and spent.get("xdel") == 1
    assert "multi" not in spent or spent["multi"] == 0


async def test_jobs_done_before_the_worker_stops_are_acknowledged_at_shutdown(redis_server):
    stream = JobStream(redis_server.url)
    await stream.startup()
    messages = stream.listen()
    await stream.client.xadd(QUEUE, {b"data": b"last"})
    job = await asyncio.wait_for(anext(messages), 10)
    await job.ack()
    await messages.aclose()
    await stream.shutdown()

    other = JobStream(redis_server.url)
    try:
        assert await other.client.xlen(QUEUE) == 0
    finally:
        await other.client.aclose()


async def test_an_idle_read_returns_before_the_socket_gives_up(stream):
    """A read that blocks as long as the socket's timeout fails as a lost connection: the
    worker then logs it, reconnects and sends its acknowledgements again, every time."""
    from workers.broker import READ_BLOCK_MS

    connection = stream.client.connection_pool.make_connection()
    socket_timeout = connection.socket_timeout
    assert socket_timeout is None or READ_BLOCK_MS / 1000 + 0.5 <= socket_timeout
