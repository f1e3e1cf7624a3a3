"""Real-time fan-out for GraphQL subscriptions.

In-process on the embedded default. The notifications issue adds the Redis pub/sub
backend behind the same two functions so that several API processes share events.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

_subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
QUEUE_SIZE = 100


def audit_channel(partner_id: UUID) -> str:
    return f"audit:{partner_id}"


async def publish(channel: str, message: dict[str, Any]) -> None:
    for queue in list(_subscribers.get(channel, ())):
        if queue.full():
            # A consumer that does not keep up loses its oldest event, never blocks others.
            queue.get_nowait()
        queue.put_nowait(message)


async def subscribe(channel: str) -> AsyncIterator[dict[str, Any]]:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
    _subscribers[channel].add(queue)
    try:
        while True:
            yield await queue.get()
    finally:
        _subscribers[channel].discard(queue)
        if not _subscribers[channel]:
            _subscribers.pop(channel, None)
