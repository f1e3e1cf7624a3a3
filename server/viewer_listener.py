"""Listens to PostgreSQL's `cjeune_viewer` channel and keeps this process's viewer cache true.

One connection per process, outside the pool, runs LISTEN. While it is connected the cache
(domain/accounts/viewer_cache.py) serves; each notification makes it forget the sessions it
describes. When the connection is lost, or a regular check of it fails, the cache is
emptied and stops serving until the listener is back (retried with a growing delay): the
API then reads the viewer on every request, as it would without a cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from domain.accounts.viewer_cache import ViewerCache, viewers
from infra.database import asyncpg_dsn, is_postgres
from infra.settings import Settings

logger = logging.getLogger("cjeune.viewer_listener")

CHANNEL = "cjeune_viewer"


class ViewerListener:
    def __init__(
        self,
        dsn: str,
        cache: ViewerCache,
        check_every: float = 15.0,
        check_timeout: float = 5.0,
    ) -> None:
        self.dsn = dsn
        self.cache = cache
        self.check_every = check_every
        self.check_timeout = check_timeout
        self._connection: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._in_use = asyncio.Lock()  # one statement at a time on the connection

    async def start(self, wait: float = 5.0) -> None:
        """Start listening; wait up to `wait` seconds for the first connection."""
        self._task = asyncio.create_task(self._run(), name="viewer-listener")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected.wait(), wait)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def settle(self) -> None:
        """Return once every change committed before this call has reached the cache.

        PostgreSQL sends a listening session its pending notifications before the answer to
        its next statement, and asyncpg runs their callbacks before the caller resumes."""
        connection = self._connection
        if connection is not None and not connection.is_closed():
            async with self._in_use:
                await connection.execute("SELECT 1")

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        kind, _, ident = payload.partition(":")
        if kind == "u":
            self.cache.forget_user(ident)
        elif kind == "p":
            self.cache.forget_partner(ident)
        elif kind == "t":  # a payment terminal (migrations/0031_terminal_changes.py)
            self.cache.forget_terminal(ident)
        else:
            self.cache.clear()

    async def _run(self) -> None:
        delay = 0.5
        while True:
            lost = asyncio.Event()
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(self.dsn)
                connection.add_termination_listener(lambda _c, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, self._on_notification)
                self._connection = connection
                self.cache.activate()
                self._connected.set()
                delay = 0.5
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), self.check_every)
                    if not lost.is_set():
                        async with self._in_use:  # settle() may be using the connection
                            await asyncio.wait_for(
                                connection.execute("SELECT 1"), self.check_timeout
                            )
                logger.warning("viewer listener: connection lost")
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                logger.warning(
                    "viewer listener unavailable (%s): viewers read every request", error
                )
            finally:
                self.cache.deactivate()
                self._connection = None
                if connection is not None and not connection.is_closed():
                    connection.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


_listener: ViewerListener | None = None


async def listen_for_viewer_changes(settings: Settings) -> None:
    """On PostgreSQL, keep viewers per process while this process hears every change to
    them; SQLite runs in one process and reads the viewer on every request. Only processes
    that serve requests need it: jobs never turn a token into a viewer."""
    if is_postgres(settings):
        await start_listening(asyncpg_dsn(settings))


async def start_listening(dsn: str) -> None:
    global _listener
    await stop_listening()
    _listener = ViewerListener(dsn, viewers)
    await _listener.start()


async def stop_listening() -> None:
    global _listener
    if _listener is not None:
        await _listener.stop()
        _listener = None


def listening_backend() -> int | None:
    """The process id of the PostgreSQL backend listening for this process, if any."""
    connection = _listener._connection if _listener is not None else None
    return connection.get_server_pid() if connection is not None else None


async def settle() -> None:
    """See ViewerListener.settle; nothing to wait for without a listener (SQLite)."""
    if _listener is not None:
        await _listener.settle()
