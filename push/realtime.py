"""Real-time fan-out for GraphQL subscriptions.

`publish` is called after a commit; `subscribe` feeds one open subscription. Two backends
behind these functions: in-process (the embedded default: one API process) and Redis
pub/sub (production: an event committed in one API process reaches subscriptions held by
any other). Each process keeps ONE Redis pub/sub connection, whatever the number of open
subscriptions, and subscribes to a channel only while someone in the process listens to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol
from uuid import UUID

from redis import asyncio as aioredis

from infra import redis_batch

logger = logging.getLogger(__name__)

QUEUE_SIZE = 100
REDIS_PREFIX = "cjeune:rt:"


def audit_channel(partner_id: UUID) -> str:
    return f"audit:{partner_id}"


def notification_channel(user_id: UUID) -> str:
    return f"notifications:{user_id}"


class Fanout(Protocol):
    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]: ...

    async def close(self) -> None: ...


class LocalFanout:
    """Queues per subscriber in this process; a slow consumer loses its oldest events."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    def has_subscribers(self, channel: str) -> bool:
        return bool(self._subscribers.get(channel))

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(channel, ())):
            if queue.full():
                # Never block the publisher (the request that committed) on a slow reader.
                queue.get_nowait()
            queue.put_nowait(message)

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers[channel].add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers[channel].discard(queue)
            if not self._subscribers[channel]:
                self._subscribers.pop(channel, None)

    async def close(self) -> None:
        self._subscribers.clear()


class RedisFanout:
    """Redis pub/sub between processes, re-dispatched locally to this process's subscribers."""

    def __init__(self, redis_url: str) -> None:
        self._redis = aioredis.from_url(redis_url)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._local = LocalFanout()
        self._lock = asyncio.Lock()
        self._listener: asyncio.Task[None] | None = None

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        name, data = REDIS_PREFIX + channel, json.dumps(message, default=str)
        await redis_batch.send(self._redis, lambda r: r.publish(name, data), f"publish {channel}")

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        events = self._local.subscribe(channel)
        # Registers the local queue before Redis hears of the channel: nothing is missed.
        first = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0)
        try:
            async with self._lock:
                await self._pubsub.subscribe(REDIS_PREFIX + channel)
                self._start_listener()
            yield await first
            async for message in events:
                yield message
        finally:
            first.cancel()
            await events.aclose()
            await self._release(channel)

    async def _release(self, channel: str) -> None:
        async with self._lock:
            if not self._local.has_subscribers(channel):
                with contextlib.suppress(Exception):
                    await self._pubsub.unsubscribe(REDIS_PREFIX + channel)

    def _start_listener(self) -> None:
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen(), name="realtime-redis-listener")

    async def _listen(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("real-time Redis connection failed; retrying")
                await asyncio.sleep(1)
                continue
            if message is None or message.get("type") != "message":
                if not self._pubsub.subscribed:
                    await asyncio.sleep(0.05)
                continue
            channel = message["channel"].decode()[len(REDIS_PREFIX) :]
            await self._local.publish(channel, json.loads(message["data"]))

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._pubsub.aclose()
        await self._redis.aclose()


_fanout: Fanout = LocalFanout()


def use_fanout(fanout: Fanout) -> Fanout:
    """Install the process's backend (the app's lifespan does, from the settings)."""
    global _fanout
    _fanout = fanout
    return fanout


def fanout_for(redis_url: str | None) -> Fanout:
    return RedisFanout(redis_url) if redis_url else LocalFanout()


async def publish(channel: str, message: dict[str, Any]) -> None:
    await _fanout.publish(channel, message)


def subscribe(channel: str) -> AsyncIterator[dict[str, Any]]:
    return _fanout.subscribe(channel)
