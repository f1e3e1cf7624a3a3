"""The campaign rate limit per channel, in the process and shared through a real Redis."""

from __future__ import annotations

import asyncio
import time

from domain.campaigns.send_rate import SendRate
from infra.settings import Settings


def _settings(redis_url: str | None, email: int = 0, push: int = 0) -> Settings:
    return Settings(
        environment="test",
        redis_url=redis_url,
        campaign_email_per_second=email,
        campaign_push_per_second=push,
    )


async def _send(rate: SendRate, channel: str, messages: int, batch: int) -> float:
    """Reserve `messages` sends in batches, as a campaign worker does; seconds slept."""
    slept = 0.0
    for start in range(0, messages, batch):
        slept += await rate.wait_for(channel, min(batch, messages - start))
    return slept


def test_a_batch_is_at_most_one_second_of_the_limit() -> None:
    rate = SendRate(_settings(None, email=40, push=0))
    assert rate.batch_size("email", 500) == 40
    assert rate.batch_size("email", 10) == 10
    assert rate.batch_size("push", 500) == 500  # no limit on push


async def test_the_limit_holds_in_one_process() -> None:
    rate = SendRate(_settings(None, email=200))
    started = time.monotonic()
    # The bucket starts full (one second's worth), then refills at 200 per second.
    assert await _send(rate, "email", 200, 50) == 0.0
    slept = await _send(rate, "email", 200, 50)
    elapsed = time.monotonic() - started
    assert 0.85 <= elapsed <= 1.6, elapsed
    assert slept > 0.8
    assert await _send(rate, "push", 1000, 500) == 0.0  # the other channel is not limited


async def test_workers_share_one_limit_through_redis(redis_url: str) -> None:
    # Two workers (two SendRate, two Redis connections), 200 emails each, 200 per second in
    # all: one bucket of 200 to start, so the second 200 wait about one second. Each worker
    # with a bucket of its own would send everything at once.
    workers = [SendRate(_settings(redis_url, email=200)) for _ in range(2)]
    try:
        started = time.monotonic()
        await asyncio.gather(*(_send(w, "email", 200, 50) for w in workers))
        elapsed = time.monotonic() - started
    finally:
        for worker in workers:
            await worker.close()
    assert 0.85 <= elapsed <= 1.8, elapsed


async def test_redis_down_still_limits_in_the_process() -> None:
    rate = SendRate(_settings("redis://127.0.0.1:1/0", push=100))  # nothing listens there
    try:
        started = time.monotonic()
        await _send(rate, "push", 200, 50)
        elapsed = time.monotonic() - started
    finally:
        await rate.close()
    assert 0.85 <= elapsed <= 1.8, elapsed
