"""Fixed-window counters shared by every process (Redis) or kept in memory (embedded).

Used by the request rate limiter and by the card-lookup limits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Protocol

logger = logging.getLogger(__name__)


class Counter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> int: ...

    async def peek(self, key: str, window_seconds: int) -> int: ...

    async def tally(
        self, hits: Sequence[tuple[str, int]], peeks: Sequence[tuple[str, int]]
    ) -> tuple[list[int], list[int]]:
        """Count each of `hits` and read each of `peeks` ((key, window seconds) pairs) at
        once: one round trip to Redis for what a card lookup checks."""
        ...

    async def aclose(self) -> None: ...


class MemoryCounter:
    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}

    async def hit(self, key: str, window_seconds: int) -> int:
        window = int(time.time()) // window_seconds
        if len(self._counts) > 100_000:
            self._counts = {k: v for k, v in self._counts.items() if k[1] == window}
        slot = (key, window)
        self._counts[slot] = self._counts.get(slot, 0) + 1
        return self._counts[slot]

    async def peek(self, key: str, window_seconds: int) -> int:
        return self._counts.get((key, int(time.time()) // window_seconds), 0)

    async def tally(
        self, hits: Sequence[tuple[str, int]], peeks: Sequence[tuple[str, int]]
    ) -> tuple[list[int], list[int]]:
        seen = [await self.peek(key, window) for key, window in peeks]
        return [await self.hit(key, window) for key, window in hits], seen

    async def aclose(self) -> None:
        self._counts = {}


class RedisCounter:
    """Counts in Redis, shared by every process. While Redis cannot be reached, each process
    counts on its own (the limits then hold per process rather than not at all: the API
    stays up and a till still cannot walk through card codes), and asks Redis again after
    RETRY_REDIS_AFTER_SECONDS, so that an outage costs one timeout per period, not one per
    request."""

    RETRY_REDIS_AFTER_SECONDS = 5.0

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self._local = MemoryCounter()
        self._redis_again_at = 0.0

    async def hit(self, key: str, window_seconds: int) -> int:
        counts, _ = await self.tally([(key, window_seconds)], [])
        return counts[0]

    async def peek(self, key: str, window_seconds: int) -> int:
        _, seen = await self.tally([], [(key, window_seconds)])
        return seen[0]

    async def tally(
        self, hits: Sequence[tuple[str, int]], peeks: Sequence[tuple[str, int]]
    ) -> tuple[list[int], list[int]]:
        from redis.exceptions import RedisError

        if time.monotonic() < self._redis_again_at:
            return await self._local.tally(hits, peeks)
        now = int(time.time())
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                for key, window in peeks:
                    pipe.get(f"cjeune:count:{key}:{now // window}")
                for key, window in hits:
                    redis_key = f"cjeune:count:{key}:{now // window}"
                    pipe.incr(redis_key)
                    pipe.expire(redis_key, window * 2)
                replies = await pipe.execute()
        except (RedisError, OSError):
            self._redis_again_at = time.monotonic() + self.RETRY_REDIS_AFTER_SECONDS
            logger.warning(
                "counter: Redis unavailable, counting in this process for %.0f s",
                self.RETRY_REDIS_AFTER_SECONDS,
                exc_info=True,
            )
            return await self._local.tally(hits, peeks)
        seen = [int(value or 0) for value in replies[: len(peeks)]]
        return [int(count) for count in replies[len(peeks) :: 2]], seen

    async def aclose(self) -> None:
        await self._redis.aclose()


_shared: dict[str | None, Counter] = {}


def shared_counter(redis_url: str | None) -> Counter:
    """One counter per process and Redis URL."""
    if redis_url not in _shared:
        _shared[redis_url] = RedisCounter(redis_url) if redis_url else MemoryCounter()
    return _shared[redis_url]
