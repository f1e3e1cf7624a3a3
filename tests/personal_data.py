"""Where a person's personal data could still be: every text column of every table."""

from __future__ import annotations

from tortoise import Tortoise

TEXT_TYPES = ("char", "text", "json", "clob")


async def text_columns() -> dict[str, list[str]]:
    """Every table's text-like columns (varchar, text, json), by table, as the database has
    them (not as the models say: a column only a migration added is scanned too)."""
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "postgres":
        rows = await connection.execute_query_dict(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
        columns = [(r["table_name"], r["column_name"], r["data_type"].lower()) for r in rows]
    else:
        tables = await connection.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        columns = []
        for table in tables:
            name = table["name"]
            for column in await connection.execute_query_dict(f'PRAGMA table_info("{name}")'):
                columns.append((name, column["name"], (column["type"] or "text").lower()))
    found: dict[str, list[str]] = {}
    for table, column, kind in columns:
        if any(word in kind for word in TEXT_TYPES):
            found.setdefault(table, []).append(column)
    return found


async def where_found(needles: list[str]) -> list[str]:
    """`table.column` of each value containing one of `needles` (case-insensitive)."""
    connection = Tortoise.get_connection("default")
    postgres = connection.capabilities.dialect == "postgres"
    hits = []
    for table, columns in (await text_columns()).items():
        for column in columns:
            cast = f'"{column}"::text' if postgres else f'CAST("{column}" AS TEXT)'
            for needle in needles:
                placeholder = "$1" if postgres else "?"
                rows = await connection.execute_query_dict(
                    f'SELECT 1 AS hit FROM "{table}" WHERE lower({cast}) LIKE {placeholder} '
                    "LIMIT 1",
                    [f"%{needle.lower()}%"],
                )
                if rows:
                    hits.append(f"{table}.{column} ({needle})")
    return hits
