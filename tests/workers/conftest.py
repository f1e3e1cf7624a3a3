"""Fixtures of the job-system tests: a Redis database of their own, the broker configured."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

import pytest
from redis.asyncio import Redis

from infra.settings import Settings
from workers.broker import JobBroker, broker, configure_broker

SAMPLE_JOBS = ["tests.workers.sample_jobs"]
T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], timeout: float = 10) -> T:
    """Wait for `check()` to answer something true; return it."""
    async with asyncio.timeout(timeout):
        while not (result := await check()):
            await asyncio.sleep(0.02)
    return result


@pytest.fixture(scope="module")
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="module")
async def redis_broker(settings: Settings, redis_url: str) -> AsyncIterator[JobBroker]:
    """This process kicks jobs to Redis, as the API does in production."""
    configure_broker(replace(settings, redis_url=redis_url), job_modules=SAMPLE_JOBS)
    await broker.startup()
    yield broker
    await broker.shutdown()
    configure_broker(settings)  # back to what the app configured: the other tests kick jobs


@pytest.fixture
async def in_process_broker(settings: Settings) -> AsyncIterator[JobBroker]:
    """The embedded default: kicked jobs run in this process."""
    configure_broker(replace(settings, redis_url=None), job_modules=SAMPLE_JOBS)
    await broker.startup()
    yield broker
    await broker.shutdown()
    configure_broker(settings)  # back to what the app configured: the other tests kick jobs
