"""Redis commands sent together: what a committed change tells Redis goes in one round trip.

A debit tells Redis three things once it has committed: the partner's audit trail has a new
entry (PUBLISH), the young person has a notification (PUBLISH), and the notification is to
be delivered (XADD to the job stream). Sent one by one, that is three round trips, each
with redis-py's own work around it; inside `batch()` they are queued and sent at its end in
one pipeline, in the order they were made. domain/core/transactions.py opens a batch around the
after-commit callbacks of a change.

    async with redis_batch.batch():
        await redis_batch.send(client, lambda r: r.publish(channel, data), "publish")

Outside a batch, `send` runs the command at once. Inside, it returns at once; a command
that fails at the end of the batch is logged (as an after-commit callback that fails is)
and does not stop the others. A Redis that does not answer holds the batch for at most
FLUSH_TIMEOUT_SECONDS per server (redis-py alone, with its socket timeout and retries,
waited about a minute for each command).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

logger = logging.getLogger(__name__)

# A Redis that does not answer must not hold the request whose change has committed: what is
# not sent by then is logged and left (the notification sweeper plans undelivered ones again).
FLUSH_TIMEOUT_SECONDS = 2.0

Command = Callable[[Any], Any]  # given a client, returns an awaitable; given a pipeline, queues


@dataclass
class _Queued:
    client: Redis
    command: Command
    description: str


@dataclass
class _Batch:
    queued: list[_Queued] = field(default_factory=list)


_current: ContextVar[_Batch | None] = ContextVar("redis_batch", default=None)


_SERVER_KEYS = ("host", "port", "path", "db", "username", "password")


def _server(client: Redis) -> tuple[Any, ...]:
    """Clients made from the same URL talk to the same server and database as the same user."""
    pool = client.connection_pool
    kwargs = pool.connection_kwargs
    return (pool.connection_class, *(kwargs.get(key) for key in _SERVER_KEYS))


async def send(client: Redis, command: Command, description: str) -> None:
    """Run `command` on `client` now, or at the end of the current batch."""
    current = _current.get()
    if current is None:
        await command(client)
    else:
        current.queued.append(_Queued(client, command, description))


@asynccontextmanager
async def batch() -> AsyncIterator[None]:
    """Queue the commands sent inside; send them at the end, one pipeline per Redis server.
    A batch inside a batch adds to the outer one."""
    if _current.get() is not None:
        yield
        return
    current = _Batch()
    token = _current.set(current)
    try:
        yield
    finally:
        _current.reset(token)
    await _flush(current.queued)


async def _flush(queued: list[_Queued]) -> None:
    by_server: dict[tuple[Any, ...], list[_Queued]] = {}
    for item in queued:
        by_server.setdefault(_server(item.client), []).append(item)
    for items in by_server.values():
        described = ", ".join(i.description for i in items)
        try:
            async with asyncio.timeout(FLUSH_TIMEOUT_SECONDS):
                replies = await _send_together(items)
        except TimeoutError:
            logger.error(
                "Redis after commit: %s not sent in %.0f s", described, FLUSH_TIMEOUT_SECONDS
            )
            continue
        except Exception:  # the change is committed: a failed side effect is only logged
            logger.exception("Redis after commit: %s failed", described)
            continue
        for item, reply in zip(items, replies, strict=True):
            if isinstance(reply, Exception):
                logger.error("Redis after commit: %s failed: %s", item.description, reply)


async def _send_together(items: list[_Queued]) -> list[Any]:
    """One command as it is; several in a pipeline (replies and errors in their order)."""
    if len(items) == 1:
        return [await items[0].command(items[0].client)]
    async with items[0].client.pipeline(transaction=False) as pipe:
        for item in items:
            item.command(pipe)
        return await pipe.execute(raise_on_error=False)
