"""When the database cannot answer for a moment: `DatabaseUnavailable`, and how to tell such
a failure (worth retrying) from a bug (not).

A connection that PostgreSQL ends (a restart, a failover, `pg_terminate_backend`), a server
that refuses connections while it starts, or a SQLite file locked by another process past
the busy timeout: the request could not be served now and may be sent again in a moment.
The API answers these with the code SERVICE_UNAVAILABLE (server/unavailable.py for HTTP,
schema/ for GraphQL fields) instead of a masked 500.
"""

from __future__ import annotations

import sqlite3

import asyncpg

RETRY_AFTER_SECONDS = 2
MESSAGE = "Service momentanément indisponible : réessayez dans quelques secondes."


class DatabaseUnavailable(Exception):
    """The database connection was lost or could not be opened.

    `sent` is False when the statement provably never reached the server (the connection
    was found dead before anything was written, or could not be opened): running it again
    is safe even for a write. When True, a write may or may not have been committed."""

    def __init__(self, error: BaseException, *, sent: bool) -> None:
        super().__init__(f"database unavailable: {type(error).__name__}: {error}")
        self.sent = sent


# PostgreSQL ended the session, or would not open one (SQLSTATE classes 08, 57P01-57P05, 53300).
_LOST_CONNECTION: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # 08xxx, ConnectionDoesNotExistError among them
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.DatabaseDroppedError,
    asyncpg.IdleSessionTimeoutError,
    asyncpg.TooManyConnectionsError,
)
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def never_sent(error: BaseException) -> bool:
    """asyncpg refused to start the statement because the connection was already dead:
    nothing was written to the server. (Its protocol had received the server's FATAL
    message while idle, so it is no longer idle; or the socket was already closed.)"""
    text = str(error)
    if isinstance(error, asyncpg.InternalClientError):
        return text.startswith("cannot switch to state")
    if isinstance(error, asyncpg.InterfaceError):
        return text == "connection is closed"
    return False


def lost_connection(error: BaseException) -> bool:
    """Is `error` itself (not its causes) the driver saying the connection is gone?"""
    return isinstance(error, _LOST_CONNECTION) or never_sent(error)


def _sqlite_busy(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and any(
        text in str(error) for text in _SQLITE_BUSY
    )


def is_unavailable(error: BaseException | None) -> bool:
    """Does `error`, or an error it was raised from, say the database could not answer?"""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DatabaseUnavailable) or lost_connection(error) or _sqlite_busy(error):
            return True
        error = error.__cause__ or error.__context__
    return False
