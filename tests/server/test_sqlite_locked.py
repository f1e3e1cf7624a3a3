"""SQLite (the embedded default): a database file locked by another process past the busy
timeout answers SERVICE_UNAVAILABLE, not a masked unexpected error."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from infra.settings import Settings
from models import sql
from tests.conftest import BACKEND
from tests.factories import LOGIN, PASSWORD, young_person
from tests.support import error_codes

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's file lock")


@contextmanager
def _locked_by_another_process(settings: Settings) -> Iterator[None]:
    other = sqlite3.connect(settings.database_url.removeprefix("sqlite://"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock, as a long CLI command would
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_a_write_meeting_a_locked_file_answers_service_unavailable(settings, gql):
    user = await young_person()
    connection = sql.connection()
    await connection.execute_script("PRAGMA busy_timeout = 50")  # instead of 5 s
    try:
        with _locked_by_another_process(settings):
            refused = await gql.post(LOGIN, {"email": user.email, "password": PASSWORD})
    finally:
        await connection.execute_script("PRAGMA busy_timeout = 5000")
    assert refused["data"] is None
    assert error_codes(refused) == ["SERVICE_UNAVAILABLE"]
    signed_in = await gql.post(LOGIN, {"email": user.email, "password": PASSWORD})
    assert signed_in["data"]["login"]["__typename"] == "AuthPayload"
