"""Request rate limiting per client address, as ASGI middleware.

Fixed one-minute windows. Counted in Redis when REDIS_URL is set, so that every API
process shares the count (sent each second, without a round trip per request:
infra/counters.py `tally`); in process memory on the embedded default. WebSocket
connections count as requests when they open.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from infra.counters import Counter

WINDOW_SECONDS = 60
POLICY_VIOLATION = 1008


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
        [count], _ = await self.counter.tally([(f"rate:{address}", WINDOW_SECONDS)], [])
        if count <= self.limit:
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
