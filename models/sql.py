"""Raw SQL: how a hand-written statement's values reach PostgreSQL or SQLite.

Statements are written with PostgreSQL's numbered placeholders `$1, $2, …`: fixed text run
with its values (`rows(text, *values)`, `execute(text, *values)`), or text built while its
values are appended (`Sql`: each value appended answers its placeholder). On SQLite the
placeholders become `?1, ?2, …` (a value may be used twice) and values are bound as Tortoise
stores them there: UUIDs as text, instants and days in ISO format, booleans as 0 and 1.

Here in models/ because it is the one layer every writer of raw SQL may import: the model
hydration of the hot paths (models/fixed_sql.py, and models/ imports only models/), the
queries.py of each domain/ subpackage, and the search backend (search/database.py). infra/
sits above models/, so the hydration could not use it from there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection

_PLACEHOLDER = re.compile(r"\$(\d+)")


def connection() -> BaseDBAsyncClient:
    """The default connection, or that of the surrounding transaction."""
    return get_connection("default")  # what `connections.get` does, with its type


def is_postgres(client: BaseDBAsyncClient | None = None) -> bool:
    return (client or connection()).capabilities.dialect == "postgres"


def as_uuid(value: Any) -> UUID:
    """A UUID column's value as read (text on SQLite)."""
    return value if isinstance(value, UUID) else UUID(str(value))


def _for_sqlite(value: Any) -> Any:
    # Tortoise's own SQLite adapters write instants with a space (its stored format).
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _in_dialect(
    client: BaseDBAsyncClient, text: str, values: Sequence[Any]
) -> tuple[str, list[Any]]:
    if client.capabilities.dialect != "sqlite":
        return text, list(values)
    return _PLACEHOLDER.sub(r"?\1", text), [_for_sqlite(v) for v in values]


async def _rows(
    client: BaseDBAsyncClient, text: str, values: Sequence[Any]
) -> list[dict[str, Any]]:
    return await client.execute_query_dict(*_in_dialect(client, text, values))


async def _execute(client: BaseDBAsyncClient, text: str, values: Sequence[Any]) -> int:
    changed, _ = await client.execute_query(*_in_dialect(client, text, values))
    return changed


async def rows(text: str, *values: Any) -> list[dict[str, Any]]:
    """The rows of fixed text (a RETURNING statement's too), as new dicts."""
    return await _rows(connection(), text, values)


async def execute(text: str, *values: Any) -> int:
    """Fixed text without RETURNING; the number of rows it changed, as the driver tells
    (PostgreSQL's "INSERT 0 n" reads as 0 through Tortoise: count them instead)."""
    return await _execute(connection(), text, values)


class Sql:
    """One statement built piece by piece: `sql(value)` appends the value and answers its
    placeholder, to be written into the text; only constants and placeholders go there."""

    __slots__ = ("connection", "postgres", "values")

    def __init__(self, client: BaseDBAsyncClient | None = None) -> None:
        self.connection = client or connection()
        self.postgres = is_postgres(self.connection)
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"

    def one_of(self, column: str, values: Sequence[Any]) -> str:
        """`column` is one of `values` (never empty): one array on PostgreSQL, whatever the
        count, so the statement's text stays the same."""
        if self.postgres:
            return f"{column} = ANY({self(list(values))})"
        return f"{column} IN ({', '.join(self(v) for v in values)})"

    async def rows(self, text: str) -> list[dict[str, Any]]:
        return await _rows(self.connection, text, self.values)

    async def execute(self, text: str) -> int:
        return await _execute(self.connection, text, self.values)
