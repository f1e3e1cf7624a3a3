"""Request rate limiting per client address, as ASGI middleware.

Fixed one-minute windows. Counted in Redis when REDIS_URL is set, so that every API
process shares the count; in process memory on the embedded default. WebSocket
connections count as requests when they open.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
POLICY_VIOLATION = 1008


class Counter(Protocol):
    async def hit(self, key: str) -> int: ...

    async def aclose(self) -> None: ...


class MemoryCounter:
    def __init__(self) -> None:
        self._window = 0
        self._counts: dict[str, int] = {}

    async def hit(self, key: str) -> int:
        window = int(time.time()) // WINDOW_SECONDS
        if window != self._window:
            self._window, self._counts = window, {}
        self._counts[key] = self._counts.get(key, 0) + 1
        return self._counts[key]

    async def aclose(self) -> None:
        self._counts = {}


class RedisCounter:
    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)

    async def hit(self, key: str) -> int:
        from redis.exceptions import RedisError

        window = int(time.time()) // WINDOW_SECONDS
        redis_key = f"cjeune:rate:{key}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(redis_key)
                pipe.expire(redis_key, WINDOW_SECONDS * 2)
                count, _ = await pipe.execute()
        except (RedisError, OSError):
            # Fail open: losing the shared counter must not take the API down with it.
            logger.warning("rate limiter: Redis unavailable, request let through", exc_info=True)
            return 0
        return int(count)

    async def aclose(self) -> None:
        await self._redis.aclose()


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        limit_per_minute: int,
        counter: Counter,
        exempt: Callable[[str], bool] = lambda path: False,
    ) -> None:
        self.app = app
        self.limit = limit_per_minute
        self.counter = counter
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limited = (
            scope["type"] in ("http", "websocket")
            and self.limit > 0
            and not self.exempt(scope["path"])
        )
        if not limited:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        if await self.counter.hit(address) <= self.limit:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": POLICY_VIOLATION})
        else:
            response = JSONResponse(
                {
                    "errors": [
                        {
                            "message": "Trop de requêtes : réessayez dans une minute.",
                            "extensions": {"code": "RATE_LIMITED"},
                        }
                    ]
                },
                status_code=429,
                headers={"Retry-After": str(WINDOW_SECONDS)},
            )
            await response(scope, receive, send)
