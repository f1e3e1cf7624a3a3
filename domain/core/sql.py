"""Set-based SQL for the bulk money operations (closing a period touches a million rows),
written once with PostgreSQL's `$1` placeholders and run on PostgreSQL or SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient

from domain.core.transactions import atomic
from models import fixed_sql


def connection() -> BaseDBAsyncClient:
    """The connection of the surrounding transaction, if any."""
    return Tortoise.get_connection("default")


def is_postgres() -> bool:
    return connection().capabilities.dialect == "postgres"


async def rows(sql: str, *params: Any) -> list[dict[str, Any]]:
    return await fixed_sql.fetch_rows(sql, params)


async def execute(sql: str, *params: Any) -> None:
    await fixed_sql.execute(sql, params)


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
