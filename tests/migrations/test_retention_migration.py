"""Migration 0041 on a database with accounts and an audit trail, forwards and back, on
SQLite and PostgreSQL: an account's last use comes from its last refresh token; the audit
trail refuses an ordinary DELETE before, after and once back."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from tests.conftest import BACKEND, POSTGRES_SERVER
from tests.migrations.test_pin_policy_migration import _run

BEFORE = "models.0033_daily_collection_email"
USER, SESSION = uuid.uuid4(), uuid.uuid4()
ROWS = [
    "INSERT INTO users (id, email, kind, staff_roles, first_name, last_name, birth_date, "
    "postal_code, profile_visibility, created_at, updated_at) VALUES "
    f"('{USER}', 'jeune@jeune.test', 'young_person', '[]', 'J', 'V', '2008-05-04', '13001', "
    "'private', "
    "'2020-01-05 10:00:00+00:00', '2020-01-05 10:00:00+00:00')",
    f"INSERT INTO auth_sessions (id, user_id, created_at) VALUES ('{SESSION}', '{USER}', "
    "'2024-03-01 10:00:00+00:00')",
    *(
        "INSERT INTO refresh_tokens (id, session_id, secret_hash, created_at, expires_at) "
        f"VALUES ('{uuid.uuid4()}', '{SESSION}', '{uuid.uuid4().hex}', '{day} 10:00:00+00:00', "
        "'2030-01-01 00:00:00+00:00')"
        for day in ("2024-03-01", "2025-06-30")
    ),
    "INSERT INTO audit_entries (occurred_at, actor_kind, action, object_type, object_id) "
    "VALUES ('2020-01-05 10:00:00+00:00', 'staff', 'young_person.record_opened', "
    "'Beneficiary', 'b1')",
]
DELETE = "DELETE FROM audit_entries WHERE object_id = 'b1'"


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/retention.sqlite3"
        return
    if BACKEND != "postgres":
        pytest.skip("PostgreSQL runs with CJEUNE_TEST_DATABASE=postgres")
    name = f"cjeune_retention_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{POSTGRES_SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def test_last_use_is_filled_in_and_the_audit_trail_stays_append_only(empty_database):
    inserted = _run(empty_database, BEFORE, *ROWS)
    assert not [a for a in inserted if isinstance(a, dict)], inserted
    last_use, refused = _run(
        empty_database, "", f"SELECT last_active_at FROM users WHERE id = '{USER}'", DELETE
    )
    assert str(last_use[0]["last_active_at"]).startswith("2025-06-30 10:00:00")
    assert "append-only" in refused["error"]
    (refused,) = _run(empty_database, BEFORE, DELETE)
    assert "append-only" in refused["error"]
    (remaining,) = _run(empty_database, BEFORE, "SELECT COUNT(*) AS n FROM audit_entries")
    assert remaining[0]["n"] == 1
