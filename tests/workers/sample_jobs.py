"""Jobs for the tests of the job system; each leaves a trace the test can read.

In Redis (the worker processes' own database of the tests) or, in-process, in `NOTES`.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from redis.asyncio import Redis
from tortoise import Tortoise

from infra.settings import get_settings
from workers.broker import broker

NOTES: list[dict[str, Any]] = []
_redis: dict[str, Redis] = {}


def redis() -> Redis:
    url = get_settings().redis_url
    assert url, "these jobs run in a worker with REDIS_URL"
    if url not in _redis:
        _redis[url] = Redis.from_url(url)
    return _redis[url]


@broker.task(task_name="sample.count")
async def count_execution(number: int) -> None:
    """Counts its runs, by job number and by worker process."""
    await Tortoise.get_connection("default").execute_query("SELECT 1")  # the worker's database
    await asyncio.sleep(0.02)
    await redis().hincrby("sample:executions", str(number), 1)
    await redis().hincrby("sample:by_worker", str(os.getpid()), 1)


@broker.task(task_name="sample.mark")
async def mark(key: str) -> None:
    """Counts its runs under its key, with the time of the last one."""
    # One transaction: a reader that sees the new count sees its time too.
    async with redis().pipeline(transaction=True) as both:
        both.hset(f"sample:mark:{key}", "at", time.time())
        both.hincrby(f"sample:mark:{key}", "runs", 1)
        await both.execute()


@broker.task(task_name="sample.flaky", retry_delay=0.2)
async def flaky(key: str) -> None:
    """Fails on its first two attempts; notes when each attempt started."""
    attempt = await redis().rpush(f"sample:flaky:{key}", time.time())
    if attempt <= 2:
        raise ConnectionError(f"attempt {attempt} fails")
    await redis().set(f"sample:flaky:{key}:done", "1")


@broker.task(task_name="sample.always_fails", redact=("email",), retry_delay=0.05)
async def always_fails(email: str, amount_cents: int) -> None:
    raise ValueError(f"refused for {email} ({amount_cents} cents)")


@broker.task(task_name="sample.note")
async def note(text: str) -> None:
    NOTES.append({"text": text, "pid": os.getpid(), "loop": asyncio.get_running_loop()})


@broker.task(task_name="sample.note_many")
async def note_many(*texts: str) -> None:
    """Notes the items of one run together (a job kicked by `enqueue_gathered`)."""
    NOTES.append({"texts": list(texts), "pid": os.getpid()})


@broker.task(task_name="sample.publish")
async def publish_event(channel: str, text: str) -> None:
    """Publishes a real-time event from the worker, as a campaign's inbox batch does."""
    from push import realtime

    await realtime.publish(channel, {"text": text, "worker": os.getpid()})
