"""Set-based SQL for the bulk money operations (closing a period touches a million rows),
written once with PostgreSQL's `$1` placeholders and run on PostgreSQL or SQLite."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient

from domain.transactions import atomic

_PLACEHOLDER = re.compile(r"\$(\d+)")


def connection() -> BaseDBAsyncClient:
    """The connection of the surrounding transaction, if any."""
    return Tortoise.get_connection("default")


def is_postgres() -> bool:
    return connection().capabilities.dialect == "postgres"


def _prepared(sql: str, params: tuple[Any, ...]) -> tuple[str, list[Any]]:
    postgres = is_postgres()
    values = [str(p) if isinstance(p, UUID) and not postgres else p for p in params]
    return (sql if postgres else _PLACEHOLDER.sub(r"?\1", sql)), values


async def rows(sql: str, *params: Any) -> list[dict[str, Any]]:
    text, values = _prepared(sql, params)
    return await connection().execute_query_dict(text, values)


async def execute(sql: str, *params: Any) -> None:
    text, values = _prepared(sql, params)
    await connection().execute_query(text, values)


def as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


@asynccontextmanager
async def snapshot() -> AsyncIterator[None]:
    """A transaction whose statements all see the same committed state (REPEATABLE READ on
    PostgreSQL; SQLite serialises writers), so figures summed in several queries agree while
    the tills keep debiting. Never nested in another transaction."""
    async with atomic():
        if is_postgres():
            await connection().execute_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield
