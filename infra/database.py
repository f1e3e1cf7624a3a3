"""Tortoise ORM configuration and lifecycle.

`TORTOISE_ORM` is what `tortoise` (the migration CLI) reads, through `[tool.tortoise]` in
pyproject.toml; the service and the tests build the same dictionary from their settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url

from infra.settings import Settings, get_settings
from models import MODEL_MODULES

APP_LABEL = "models"
MIGRATION_LOCK_KEY = 0x434A65756E65  # "CJeune"


def tortoise_config(settings: Settings) -> dict[str, Any]:
    connection = expand_db_url(settings.database_url)
    if connection["engine"].endswith("asyncpg"):
        connection["credentials"].setdefault("minsize", 1)
        connection["credentials"].setdefault("maxsize", settings.database_pool_size)
        connection["credentials"]["reset"] = _keep_session_state
        # Tortoise's asyncpg client, with cut connections replaced and reported as
        # DatabaseUnavailable (infra/postgres_client.py says why).
        connection["engine"] = "infra.postgres_client"
    else:
        path = Path(connection["credentials"]["file_path"])
        path.parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers proceed while a writer commits; the busy timeout queues writers.
        connection["credentials"].setdefault("journal_mode", "WAL")
    return {
        "connections": {"default": connection},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _keep_session_state(connection: Any) -> None:
    """asyncpg's default reset on every pool release (unlock advisory locks, CLOSE ALL,
    UNLISTEN *, RESET ALL) costs a round trip per query here, and the API never sets any of
    those on pooled connections. asyncpg still rolls back a transaction left open."""


def is_postgres(settings: Settings) -> bool:
    return settings.database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def asyncpg_dsn(settings: Settings) -> str:
    return "postgresql://" + settings.database_url.split("://", 1)[1]


async def open_database(settings: Settings) -> None:
    """Tortoise's connections for this process. A serving process also listens for viewer
    changes (server/viewer_listener.py: `listen_for_viewer_changes`)."""
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


async def run_migrations(settings: Settings) -> None:
    from tortoise.migrations.api import migrate

    async with _migration_lock(settings):
        try:
            await migrate(config=tortoise_config(settings))
        finally:
            # An open SQLite connection keeps a thread alive and the process with it.
            await Tortoise.close_connections()


@asynccontextmanager
async def _migration_lock(settings: Settings) -> AsyncIterator[None]:
    """Several replicas starting at once migrate one after the other, never together."""
    if not is_postgres(settings):
        yield  # SQLite is the single-process embedded default
        return
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(settings))
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        yield
    finally:
        await connection.close()  # closing the session releases the lock


def __getattr__(name: str) -> Any:
    # Lazily built so that importing this module never reads the environment by surprise.
    if name == "TORTOISE_ORM":
        return tortoise_config(get_settings())
    raise AttributeError(name)
