"""Fixed-window counters shared by every process (Redis) or kept in memory (embedded).

Used by the request rate limiter and by the card-lookup limits.
"""

from __future__ import annotations

import asyncio
import contextlib
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
        """Count each of `hits` and read each of `peeks` ((key, window seconds) pairs), for the
        limits checked on every request: Redis's counter answers without a round trip, from
        the shared totals of its last flush (a second old at most) and its own counts since."""
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

    def add(self, key: str, window_number: int, count: int) -> None:
        """Counts made elsewhere (a Redis counter's, while Redis is away) for a window."""
        self._counts[(key, window_number)] = self._counts.get((key, window_number), 0) + count

    async def tally(
        self, hits: Sequence[tuple[str, int]], peeks: Sequence[tuple[str, int]]
    ) -> tuple[list[int], list[int]]:
        seen = [await self.peek(key, window) for key, window in peeks]
        return [await self.hit(key, window) for key, window in hits], seen

    async def aclose(self) -> None:
        self._counts = {}


class RedisCounter:
    """Counts in Redis, shared by every process.

    `hit` and `peek` ask Redis at once: they serve rare, strict counts (pairing codes,
    unknown card codes). `tally` serves the counts of every request (the rate limiter, card
    lookups) without a round trip: its hits are added up in the process and sent every
    FLUSH_EVERY_SECONDS in one pipeline (an INCRBY per key touched, an EXPIRE the first time
    this process sends a key's window, one MGET for the keys read), and it answers from the
    totals Redis gave at the last flush plus what the process counted since. A limit counted
    this way can be passed by what the other processes counted in the last FLUSH_EVERY_SECONDS
    (at most the limit once per other process); a process alone never passes it. With no
    traffic nothing is sent: the flusher stops once nothing is counted or read.

    While Redis cannot be reached, each process counts on its own (the limits then hold per
    process rather than not at all: the API stays up and a till still cannot walk through
    card codes), and asks Redis again after RETRY_REDIS_AFTER_SECONDS, so that an outage
    costs one timeout per period, not one per request."""

    RETRY_REDIS_AFTER_SECONDS = 5.0
    FLUSH_EVERY_SECONDS = 1.0
    # A key counted or read by `tally` is read again at each flush for this long after.
    KEEP_READING_SECONDS = 5.0

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self._local = MemoryCounter()
        self._redis_again_at = 0.0
        self._pending: dict[_Slot, int] = {}  # counted here, not yet sent
        self._totals: dict[_Slot, int] = {}  # Redis's totals at the last flush
        self._read: dict[_Slot, float] = {}  # slots read by tally -> last reading (monotonic)
        self._expiring: set[_Slot] = set()  # slots whose EXPIRE this process has sent
        self._flusher: asyncio.Task[None] | None = None

    @staticmethod
    def _name(slot: _Slot) -> str:
        return f"cjeune:count:{slot[0]}:{slot[2]}"

    def _unreachable(self) -> None:
        self._redis_again_at = time.monotonic() + self.RETRY_REDIS_AFTER_SECONDS
        logger.warning(
            "counter: Redis unavailable, counting in this process for %.0f s",
            self.RETRY_REDIS_AFTER_SECONDS,
            exc_info=True,
        )

    async def hit(self, key: str, window_seconds: int) -> int:
        from redis.exceptions import RedisError

        if time.monotonic() < self._redis_again_at:
            return await self._local.hit(key, window_seconds)
        slot = _slot(key, window_seconds)
        name = self._name(slot)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.incr(name)
                pipe.expire(name, window_seconds * 2)
                count, _ = await pipe.execute()
        except (RedisError, OSError):
            self._unreachable()
            return await self._local.hit(key, window_seconds)
        # What `tally` reads of this key is then up to date in this process at once.
        self._totals[slot] = max(self._totals.get(slot, 0), int(count))
        return int(count) + self._pending.get(slot, 0)

    async def peek(self, key: str, window_seconds: int) -> int:
        from redis.exceptions import RedisError

        if time.monotonic() < self._redis_again_at:
            return await self._local.peek(key, window_seconds)
        slot = _slot(key, window_seconds)
        try:
            value = await self._redis.get(self._name(slot))
        except (RedisError, OSError):
            self._unreachable()
            return await self._local.peek(key, window_seconds)
        return int(value or 0) + self._pending.get(slot, 0)

    async def tally(
        self, hits: Sequence[tuple[str, int]], peeks: Sequence[tuple[str, int]]
    ) -> tuple[list[int], list[int]]:
        if time.monotonic() < self._redis_again_at:
            return await self._local.tally(hits, peeks)
        now, seen, counts = time.time(), [], []
        for key, window in peeks:
            slot = _slot(key, window, now)
            self._read[slot] = time.monotonic()
            seen.append(self._totals.get(slot, 0) + self._pending.get(slot, 0))
        for key, window in hits:
            slot = _slot(key, window, now)
            self._read[slot] = time.monotonic()  # what the others count on it too
            self._pending[slot] = self._pending.get(slot, 0) + 1
            counts.append(self._totals.get(slot, 0) + self._pending[slot])
        flusher = self._flusher
        if (
            flusher is None
            or flusher.done()
            or flusher.get_loop() is not asyncio.get_running_loop()
        ):
            self._flusher = asyncio.create_task(self._flush_while_used(), name="counter-flush")
        return counts, seen

    async def _flush_while_used(self) -> None:
        while self._pending or self._read:
            await asyncio.sleep(self.FLUSH_EVERY_SECONDS)
            await self.flush()

    async def flush(self) -> None:
        """Send what `tally` counted and read again what it reads (the flusher does, every
        FLUSH_EVERY_SECONDS; tests call it to see Redis's totals at once)."""
        from redis.exceptions import RedisError

        sent, self._pending = self._pending, {}
        now = time.monotonic()
        self._read = {s: at for s, at in self._read.items() if now - at < self.KEEP_READING_SECONDS}
        read = [slot for slot in self._read if slot not in sent]
        expire = [slot for slot in sent if slot not in self._expiring]
        if not sent and not read:
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for slot, count in sent.items():
                    pipe.incrby(self._name(slot), count)
                for slot in expire:
                    pipe.expire(self._name(slot), slot[1] * 2)
                if read:
                    pipe.mget([self._name(slot) for slot in read])
                replies = await pipe.execute()
        except (RedisError, OSError):
            self._unreachable()
            for (key, _window, index), count in sent.items():
                self._local.add(key, index, count)
            return
        self._expiring.update(expire)
        current = int(time.time())
        self._totals = {
            slot: total for slot, total in self._totals.items() if slot[2] >= current // slot[1]
        }
        self._expiring = {slot for slot in self._expiring if slot[2] >= current // slot[1]}
        self._totals.update(zip(sent, map(int, replies[: len(sent)]), strict=True))
        if read:
            self._totals.update(zip(read, (int(v or 0) for v in replies[-1]), strict=True))

    async def aclose(self) -> None:
        if self._pending and time.monotonic() >= self._redis_again_at:
            await self.flush()
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self._redis.aclose()


_Slot = tuple[str, int, int]  # (key, window in seconds, the window's number since the epoch)


def _slot(key: str, window_seconds: int, now: float | None = None) -> _Slot:
    return (key, window_seconds, int(time.time() if now is None else now) // window_seconds)


_shared: dict[str | None, Counter] = {}


def shared_counter(redis_url: str | None) -> Counter:
    """One counter per process and Redis URL."""
    if redis_url not in _shared:
        _shared[redis_url] = RedisCounter(redis_url) if redis_url else MemoryCounter()
    return _shared[redis_url]
