"""`atomic()`: a database transaction whose side effects (real-time events, emails) run only
once it has committed, so nobody is told about a change that was rolled back; `snapshot()`:
one whose statements all see the same committed state."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar

from tortoise.transactions import in_transaction

from infra import redis_batch
from models import sql

logger = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]
_pending: ContextVar[list[AfterCommit] | None] = ContextVar("after_commit", default=None)


@asynccontextmanager
async def atomic() -> AsyncIterator[None]:
    async with committed(), in_transaction():
        yield


@asynccontextmanager
async def snapshot() -> AsyncIterator[None]:
    """A transaction whose statements all see the same committed state (REPEATABLE READ on
    PostgreSQL; SQLite serialises writers), so figures summed in several queries agree while
    the tills keep debiting. Never nested in another transaction."""
    async with atomic():
        if sql.is_postgres():
            await sql.connection().execute_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


@asynccontextmanager
async def committed() -> AsyncIterator[None]:
    """The after_commit callbacks made inside the block run together at its end, unless the
    block raises (inside an outer block, they wait for that one). atomic() is this around a
    transaction; a change committed by one statement outside atomic() uses it alone."""
    if _pending.get() is not None:
        yield
        return
    callbacks: list[AfterCommit] = []
    token = _pending.set(callbacks)
    try:
        yield
    finally:
        _pending.reset(token)
    await _run(callbacks)


async def _run(callbacks: list[AfterCommit]) -> None:
    # What they tell Redis (real-time events, jobs) leaves in one round trip at the end.
    async with redis_batch.batch():
        for callback in callbacks:
            try:
                await callback()
            except Exception:
                # The change is committed; a failed side effect is logged, never undone.
                logger.exception("after-commit callback failed")


async def after_commit(callback: AfterCommit) -> None:
    """Run `callback` once the surrounding atomic() commits, or now outside one."""
    callbacks = _pending.get()
    if callbacks is None:
        await callback()
    else:
        callbacks.append(callback)
