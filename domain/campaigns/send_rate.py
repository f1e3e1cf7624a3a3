"""The campaign rate limit per channel: a token bucket shared by every worker.

With REDIS_URL the bucket lives in Redis (a script reads Redis's clock, so workers on
several hosts share one limit); without it, in the process. A sender reserves the tokens
of a batch before sending it and waits for as long as the bucket is in debt, so the
average rate holds and a burst is at most one second's worth.
"""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from infra.settings import Settings
from models.notifications import Channel

KEY = "cjeune:campaigns:rate:{channel}"

# Reserve ARGV[3] tokens at ARGV[1] per second (capacity ARGV[2]); answer seconds to wait.
_RESERVE = """
local now = redis.call('TIME')
local t = now[1] + now[2] / 1000000
local rate, capacity, wanted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or t
tokens = math.min(capacity, tokens + (t - at) * rate) - wanted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(t))
redis.call('EXPIRE', KEYS[1], 3600)
if tokens >= 0 then return '0' end
return tostring(-tokens / rate)
"""


class _LocalBucket:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.at = time.monotonic()

    def reserve(self, wanted: int) -> float:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate) - wanted
        self.at = now
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class SendRate:
    def __init__(self, settings: Settings) -> None:
        # The setting campaign_<channel>_per_second limits a channel that has one (0 or
        # none: as fast as its provider takes them).
        self.rates: dict[str, float] = {
            c.value: getattr(settings, f"campaign_{c.value}_per_second", 0) for c in Channel
        }
        self.redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        self._reserve = self.redis.register_script(_RESERVE) if self.redis else None
        self._local: dict[str, _LocalBucket] = {}

    def batch_size(self, channel: str, configured: int) -> int:
        """At most one second's worth at a time, so a batch never bursts beyond the limit."""
        rate = self.rates.get(channel) or 0
        return max(1, min(configured, int(rate))) if rate > 0 else configured

    async def wait_for(self, channel: str, messages: int) -> float:
        """Reserve `messages` sends on `channel`; sleep until they are allowed. Seconds slept."""
        rate = self.rates.get(channel) or 0
        if rate <= 0 or messages <= 0:
            return 0.0
        delay = await self._delay(channel, rate, messages)
        if delay > 0:
            await asyncio.sleep(delay)
        return delay

    async def _delay(self, channel: str, rate: float, messages: int) -> float:
        if self._reserve is not None:
            try:
                answer = await self._reserve(
                    keys=[KEY.format(channel=channel)], args=[rate, rate, messages]
                )
                return float(answer)
            except RedisError:
                pass  # Redis down: hold the limit in this process rather than not at all
        bucket = self._local.setdefault(channel, _LocalBucket(rate))
        return bucket.reserve(messages)

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


_current: tuple[Settings, SendRate] | None = None


def send_rate(settings: Settings) -> SendRate:
    global _current
    if _current is None or _current[0] is not settings:
        _current = (settings, SendRate(settings))
    return _current[1]
