"""Test session: a real database (PostgreSQL or SQLite, migrated), a real SMTP server, Redis.

CJEUNE_TEST_DATABASE=postgres runs on a fresh PostgreSQL database created for the session
(on the server CJEUNE_TEST_POSTGRES_URL names, else the one at 127.0.0.1:5432, else one
started for the session: tests/servers.py); anything else runs on a fresh SQLite file.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from infra.settings import Settings, use_settings
from tests import servers
from tests.support import GraphQLClient, Mailbox, claim_redis_database, serving, start_smtp

BACKEND = os.environ.get("CJEUNE_TEST_DATABASE", "sqlite")
# The session's PostgreSQL server: final once pytest_configure has run, before any test
# module is imported (they read it at import).
POSTGRES_SERVER = os.environ.get(servers.POSTGRES_ENV, servers.DEFAULT_POSTGRES_URL)
_provided: list[servers.Provided] = []


def pytest_configure(config: pytest.Config) -> None:
    """Choose the servers once for the whole session (and the processes it starts)."""
    global POSTGRES_SERVER
    if config.option.help:
        return
    _provided.append(servers.provide_redis())
    if BACKEND == "postgres":
        postgres = servers.provide_postgres()
        _provided.append(postgres)
        POSTGRES_SERVER = postgres.url


def pytest_unconfigure(config: pytest.Config) -> None:
    while _provided:
        _provided.pop().stop()


def pytest_report_header() -> str:
    return f"cjeune database backend: {BACKEND}"


@pytest.hookimpl(wrapper=True)
def pytest_sessionstart(session: pytest.Session) -> Iterator[None]:
    """Say which servers the session uses, after the header, even under -q (which hides it)."""
    yield
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        for provided in _provided:
            reporter.write_line(provided.note)


@pytest.fixture(scope="session")
def mailbox() -> AsyncIterator[Mailbox]:
    box = Mailbox()
    controller = start_smtp(box)
    yield box
    controller.stop()


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if BACKEND != "postgres":
        yield f"sqlite://{tmp_path_factory.mktemp('db')}/test.sqlite3"
        return
    name = f"cjeune_test_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{POSTGRES_SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        from tortoise import Tortoise

        await Tortoise.close_connections()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
async def settings(
    database_url: str, mailbox: Mailbox, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Settings]:
    from infra.database import close_database, open_database, run_migrations
    from server.viewer_listener import listen_for_viewer_changes, stop_listening

    data_dir: Path = tmp_path_factory.mktemp("data")
    configured = use_settings(
        Settings(
            environment="test",
            database_url=database_url,
            data_dir=data_dir,
            email_backend="smtp",
            smtp_host="127.0.0.1",
            smtp_port=mailbox.port,
            rate_limit_per_minute=0,
            login_max_failures_per_address=1000,
        )
    )
    await run_migrations(configured)
    await open_database(configured)
    await listen_for_viewer_changes(configured)
    yield configured
    await stop_listening()
    await close_database()


@pytest.fixture(autouse=True)
def _configuration_restored() -> Iterator[None]:
    """A test that installs other settings or another job backend (an app made for
    production, a Redis that does not answer) and does not put them back leaves the ones it
    found to the tests after it: which those are depends on the order of the modules."""
    import infra.settings
    from workers.broker import broker

    settings, backend = infra.settings._current, (broker.settings, broker.backend)
    yield
    if infra.settings._current is not settings and settings is not None:
        use_settings(settings)
    if backend[1] is not None and (broker.settings, broker.backend) != backend:
        broker.settings, broker.backend = backend


@pytest.fixture(scope="session")
async def app(settings: Settings):
    from server.app import create_app

    return create_app(settings, manage_database=False)


@pytest.fixture
async def gql(app) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


@pytest.fixture(scope="session")
async def live_server(app) -> AsyncIterator[str]:
    """The app served by a real uvicorn on 127.0.0.1, in the tests' event loop."""
    async with serving(app) as address:
        yield address


@pytest.fixture(scope="module")
async def redis_url() -> AsyncIterator[str]:
    """An empty Redis database (1 to 14), claimed for one test module, emptied after it."""
    try:
        url = await claim_redis_database("1", seconds=600)
    except RuntimeError as error:
        pytest.fail(str(error))
    client = Redis.from_url(url)
    try:
        yield url
    finally:
        await client.flushdb()
        await client.aclose()
