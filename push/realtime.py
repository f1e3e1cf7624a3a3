"""Real-time fan-out for GraphQL subscriptions.

`publish` is called after a commit; `subscribe` feeds one open subscription. Two backends
behind these functions: in-process (the embedded default: one API process) and Redis
pub/sub (production: an event committed in one API process reaches subscriptions held by
any other). Each process keeps ONE Redis pub/sub connection, whatever the number of open
subscriptions, and subscribes to a channel only while someone in the process listens to it.

An event nobody listens to is not sent: a debit's two events would otherwise cost Redis two
PUBLISH when, most of the time, neither the partner's audit page nor the young person's app
is open. Processes tell each other which channels they listen to on a control channel
(CONTROL): a process announces a channel when it starts listening to it, and all of its
channels again every ANNOUNCE_EVERY_SECONDS while it has any; a process that has just started
asks the others to announce theirs. A channel announced is published to for
INTEREST_SECONDS after its last announcement; while a process cannot be sure of what the
others listen to (its first seconds, its control connection lost and back), it publishes
everything. With no subscription open anywhere, an idle process sends Redis nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Coroutine
from typing import Any, Protocol
from uuid import UUID

from redis import asyncio as aioredis

from infra import redis_batch

logger = logging.getLogger(__name__)

QUEUE_SIZE = 100
REDIS_PREFIX = "cjeune:rt:"
CONTROL = REDIS_PREFIX + "~listening"  # {"listening": [channel, ...]} or {"who": true}
ANNOUNCE_EVERY_SECONDS = 20.0
INTEREST_SECONDS = 60.0
STARTING_SECONDS = 2.0  # a new process publishes everything while the others answer "who"
JOIN_TIMEOUT_SECONDS = 2.0


def audit_channel(partner_id: UUID) -> str:
    return f"audit:{partner_id}"


def notification_channel(user_id: UUID) -> str:
    return f"notifications:{user_id}"


class Fanout(Protocol):
    async def start(self) -> None:
        """At the process's start, before it serves (its lifespan, a worker's startup)."""
        ...

    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]: ...

    async def close(self) -> None: ...


class LocalFanout:
    """Queues per subscriber in this process; a slow consumer loses its oldest events."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def start(self) -> None:
        pass

    def has_subscribers(self, channel: str) -> bool:
        return bool(self._subscribers.get(channel))

    def channels(self) -> list[str]:
        return [channel for channel, queues in self._subscribers.items() if queues]

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
        self._announcer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._interest: dict[str, float] = {}  # channel -> listened to until (monotonic)
        self._publish_all_until = 0.0
        self._control_joined = False

    async def start(self) -> None:
        """Learn who listens to what before the first request: a process publishes every
        event during its first STARTING_SECONDS, better spent before traffic comes. A Redis
        that does not answer holds the start JOIN_TIMEOUT_SECONDS at most."""
        try:
            async with asyncio.timeout(JOIN_TIMEOUT_SECONDS):
                await self._join_control()
        except Exception:  # Redis away: the first publish or subscription tries again
            logger.warning("real-time: Redis unavailable at start", exc_info=True)

    def is_listened_to(self, channel: str) -> bool:
        now = time.monotonic()
        return now < self._publish_all_until or self._interest.get(channel, 0.0) > now

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        if not self._control_joined:
            # Never waited for here: a committed change's callbacks must not hang on Redis.
            # Until the others have told who listens, everything is published.
            self._publish_all_until = time.monotonic() + INTEREST_SECONDS
            self._background(self._join_or_warn())
        if not self.is_listened_to(channel):
            return
        name, data = REDIS_PREFIX + channel, json.dumps(message, default=str)
        await redis_batch.send(self._redis, lambda r: r.publish(name, data), f"publish {channel}")

    async def _join_or_warn(self) -> None:
        try:
            await self._join_control()
        except Exception:
            logger.warning("real-time: Redis unavailable, every event is published meanwhile")

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _join_control(self) -> None:
        """Once per process: listen to the control channel and ask who listens to what.
        Until it is done, and for a while after it failed, everything is published."""
        if self._control_joined:
            return
        self._control_joined = True
        self._publish_all_until = time.monotonic() + INTEREST_SECONDS
        try:
            async with self._lock:
                await self._pubsub.subscribe(CONTROL)
                self._start_listener()
            await self._redis.publish(CONTROL, json.dumps({"who": True}))
        except BaseException:
            self._control_joined = False  # asked again by the next publish or subscription
            raise
        self._publish_all_until = time.monotonic() + STARTING_SECONDS

    async def _announce(self, channels: list[str]) -> None:
        if channels:
            await self._redis.publish(CONTROL, json.dumps({"listening": channels}))

    async def _announce_while_listening(self) -> None:
        while self._local.channels():
            await asyncio.sleep(ANNOUNCE_EVERY_SECONDS)
            with contextlib.suppress(Exception):  # the next round, or the others' blind time
                await self._announce(self._local.channels())

    def _heard(self, control: dict[str, Any]) -> None:
        now = time.monotonic()
        if control.get("who"):
            self._background(self._announce(self._local.channels()))
        for channel in control.get("listening", ()):
            self._interest[channel] = now + INTEREST_SECONDS
        if len(self._interest) > 10_000:
            self._interest = {c: until for c, until in self._interest.items() if until > now}

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        events = self._local.subscribe(channel)
        # Registers the local queue before Redis hears of the channel: nothing is missed.
        first = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0)
        try:
            async with self._lock:
                await self._pubsub.subscribe(REDIS_PREFIX + channel)
                self._start_listener()
            await self._join_control()
            await self._announce([channel])  # the others publish to it from now on
            if self._announcer is None or self._announcer.done():
                self._announcer = asyncio.create_task(self._announce_while_listening())
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
                # Announcements may have been missed meanwhile: everything goes out until
                # every listener has announced again.
                self._publish_all_until = time.monotonic() + INTEREST_SECONDS
                await asyncio.sleep(1)
                continue
            if message is None or message.get("type") != "message":
                if not self._pubsub.subscribed:
                    await asyncio.sleep(0.05)
                continue
            name, data = message["channel"].decode(), json.loads(message["data"])
            if name == CONTROL:
                self._heard(data)
            else:
                await self._local.publish(name[len(REDIS_PREFIX) :], data)

    async def close(self) -> None:
        for task in (self._listener, self._announcer, *self._tasks):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
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
