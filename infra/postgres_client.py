"""Tortoise's asyncpg client, made safe for connections that PostgreSQL cuts.

Why a cut gave "cannot switch to state 12; another operation (2) is in progress": when the
server ends a backend (`pg_terminate_backend`, a restart, a failover), an *idle* pooled
connection receives the server's FATAL message before its socket closes. asyncpg reads it,
finds no operation to give it to and leaves its protocol waiting for a sync that never
comes (state 2, "error consume"); the connection is marked closed only when the socket's
end is read, a loop iteration or more later. In between, `Pool.acquire()` hands it out as
healthy (asyncpg has no public way to see that state, and a ping per acquire would cost a
round trip on every query), and its first statement is refused *before anything is sent*.
With every idle connection cut at once, up to the pool's size of requests failed that way
after a cut, as plain 500s. It was not a cancelled query nor two coroutines sharing a
connection: asyncpg aborts a connection whose statement failed so, and rolls back and
waits for a cancelled query before a connection goes back to the pool.

What this client adds to Tortoise's:
- any sign of a lost connection expires the whole pool (`Pool.expire_connections`): every
  connection opened before the cut is replaced at its next acquire, or closed when
  released, so none is handed to another request;
- an autocommit statement that met a lost connection runs once more, on a connection
  opened after the cut, when that is safe: a plain SELECT always (the viewer's read on
  every request is one), a write only if it was refused before it was sent (the debit on
  PostgreSQL is one statement: if the server may have run it, it is not run again); the
  BEGIN of a transaction likewise; statements inside a transaction are not retried (the
  transaction died with its connection);
- a connection that cannot be opened (refused, a server starting or not accepting
  connections, too many clients) is the same kind of failure, with nothing sent;
- such failures are raised as `DatabaseUnavailable` (infra/unavailable.py), which the API
  answers as SERVICE_UNAVAILABLE;
- a BEGIN that fails releases its connection and leaves the task's current connection as
  it was (Tortoise's own context left both behind).
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import (
    NestedTransactionContext,
    PoolConnectionWrapper,
    TransactionContext,
    TransactionContextPooled,
)
from tortoise.connection import get_connections

from infra.unavailable import DatabaseUnavailable, lost_connection, never_sent

logger = logging.getLogger(__name__)


def _pool_client(client: Any) -> AsyncpgDBClient:
    while getattr(client, "_pool", None) is None and getattr(client, "_parent", None) is not None:
        client = client._parent
    return client  # type: ignore[no-any-return]


async def _forget_connections(client: Any, error: BaseException) -> None:
    pool = getattr(_pool_client(client), "_pool", None)
    if pool is not None:
        await pool.expire_connections()
    logger.warning("database connection lost (%s: %s); pool renewed", type(error).__name__, error)


async def _unavailable(client: Any, error: BaseException) -> DatabaseUnavailable | None:
    """The DatabaseUnavailable to raise for `error`, or None if it is something else."""
    if isinstance(error, DatabaseUnavailable):
        return error
    if lost_connection(error):
        await _forget_connections(client, error)
        return DatabaseUnavailable(error, sent=not never_sent(error))
    return None


class _Acquiring(PoolConnectionWrapper[Any]):
    """Any failure to get a connection from the pool (which opens it when needed) means
    the database is out of reach; nothing was sent."""

    async def __aenter__(self) -> Any:
        try:
            return await super().__aenter__()
        except Exception as error:
            raise DatabaseUnavailable(error, sent=False) from error


async def _acquire(pool: Any) -> Any:
    try:
        return await pool.acquire()
    except Exception as error:
        raise DatabaseUnavailable(error, sent=False) from error


class _TranslatesLostConnections:
    async def _translate_exceptions(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super()._translate_exceptions(func, *args, **kwargs)  # type: ignore[misc]
        except Exception as error:
            unavailable = await _unavailable(self, error)
            if unavailable is None:
                raise
            raise unavailable from error


class Transaction(_TranslatesLostConnections, TransactionWrapper):
    def _in_transaction(self) -> TransactionContext:
        return NestedTransactionContext(Transaction(self))


class PooledTransaction(TransactionContextPooled):
    """Tortoise's transaction context, with a BEGIN refused before it was sent tried once
    more on a fresh connection, and a failed BEGIN cleaned up."""

    async def __aenter__(self) -> Any:
        await self.ensure_connection()
        pool = self.client._parent._pool
        for attempt in (1, 2):
            self.client._connection = await _acquire(pool)
            self.token = get_connections().set(self.connection_name, self.client)
            try:
                await self.client.begin()
                return self.client
            except BaseException as error:
                get_connections().reset(self.token)
                await pool.release(self.client._connection)
                if attempt == 2 or not isinstance(error, DatabaseUnavailable) or error.sent:
                    raise
        raise AssertionError("unreachable")

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            await super().__aexit__(exc_type, exc_val, exc_tb)
        except Exception as error:
            unavailable = await _unavailable(self.client, error)
            if unavailable is None:
                raise
            if exc_val is not None:
                return  # the ROLLBACK found the connection gone: the first failure stands
            raise unavailable from error  # the COMMIT's outcome is unknown: sent=True


def _reads_only(args: tuple[Any, ...]) -> bool:
    """A statement that changes nothing when run twice: a plain SELECT. (A WITH may hide
    a data-modifying statement, as the debit's does.)"""
    query = args[0] if args and isinstance(args[0], str) else ""
    return query.lstrip()[:7].upper() == "SELECT "


class Client(_TranslatesLostConnections, AsyncpgDBClient):
    """The `default` connection's client on PostgreSQL (see infra/database.py)."""

    async def _translate_exceptions(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super()._translate_exceptions(func, *args, **kwargs)
        except DatabaseUnavailable as error:
            if error.sent and not _reads_only(args):
                raise
        # Once more, on a connection opened after the cut (the pool was renewed).
        return await super()._translate_exceptions(func, *args, **kwargs)

    def acquire_connection(self) -> Any:
        return _Acquiring(self, self._pool_init_lock)

    def _in_transaction(self) -> TransactionContext:
        return PooledTransaction(Transaction(self), self._pool_init_lock)


client_class = Client
