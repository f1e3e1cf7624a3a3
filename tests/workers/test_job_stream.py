"""The job stream's reader survives its Redis restarting, on a Redis server of its own."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support import free_port
from workers.broker import QUEUE, JobStream

REDIS_SERVER = shutil.which("redis-server")

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server program")


class RedisServer:
    """A redis-server that keeps nothing on disk: a restart loses the stream and its group."""

    def __init__(self, directory: Path) -> None:
        self.port, self.directory = free_port(), directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER is not None
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        ping = ["redis-cli", "-p", str(self.port), "ping"]
        for _ in range(100):
            if subprocess.run(ping, capture_output=True).stdout.strip() == b"PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()


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
