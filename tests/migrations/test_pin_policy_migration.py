"""Migration 0025 on a database with partners: `requires_pin` becomes the département's
minimum, forwards and back, on the backend of the run (SQLite, or PostgreSQL too)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import BACKEND, POSTGRES_SERVER

ROOT = Path(__file__).parents[2]
BEFORE = "models.0023_staff_role_values"

# Runs in its own process (Tortoise's state is global): migrate to `target` (the latest if
# empty), then run the statements; prints each one's rows (or its error).
SCRIPT = """
import asyncio, json, sys
from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate
from infra.database import TORTOISE_ORM as config

async def main(target, statements):
    await migrate(config=config, target=target or None)
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    answers = []
    try:
        for statement in statements:
            try:
                answers.append(await connections.get("default").execute_query_dict(statement))
            except Exception as error:
                answers.append({"error": str(error)})
    finally:
        await Tortoise.close_connections()
    print(json.dumps(answers, default=str))

asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))
"""

NOW = "'2026-01-05 10:00:00+00:00'"


def _partner(name: str, siret: str, requires_pin: bool) -> list[str]:
    """A partner of the old schema with its principal delegate (a row that references it)."""
    partner_id, user_id = uuid.uuid4(), uuid.uuid4()
    return [
        "INSERT INTO partners (id, legal_name, trade_name, siret, categories, "
        "debitable_wallets, convention_signed_on, status, requires_pin, created_at, updated_at) "
        f"VALUES ('{partner_id}', '{name}', '{name}', '{siret}', '[\"sport\"]', '[]', "
        f"'2024-09-01', 'active', {'TRUE' if requires_pin else 'FALSE'}, {NOW}, {NOW})",
        "INSERT INTO users (id, email, kind, staff_roles, first_name, last_name, "
        "profile_visibility, created_at, updated_at) "
        f"VALUES ('{user_id}', '{name.lower()}@partenaire.test', 'delegate', '[]', 'P', 'P', "
        f"'private', {NOW}, {NOW})",
        "INSERT INTO delegates (id, partner_id, user_id, is_principal, permissions, status, "
        f"created_at, updated_at) VALUES ('{uuid.uuid4()}', '{partner_id}', '{user_id}', TRUE, "
        f"'[]', 'active', {NOW}, {NOW})",
    ]


def _run(database_url: str, target: str, *statements: str) -> list[object]:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, target, json.dumps(statements)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/pin.sqlite3"
        return
    if BACKEND != "postgres":
        pytest.skip("PostgreSQL runs with CJEUNE_TEST_DATABASE=postgres")
    name = f"cjeune_pin_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{POSTGRES_SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def test_requires_pin_becomes_the_minimum_and_comes_back(empty_database):
    _run(
        empty_database,
        BEFORE,
        *_partner("Cinema", "35600000000048", requires_pin=True),
        *_partner("Club", "73282932000074", requires_pin=False),
    )
    levels, refused = _run(
        empty_database,
        "",
        "SELECT trade_name, pin_policy_minimum, pin_policy_chosen FROM partners "
        "ORDER BY trade_name",
        "UPDATE partners SET pin_policy_chosen = 'always'",
    )
    assert levels == [
        {"trade_name": "Cinema", "pin_policy_minimum": "every_till", "pin_policy_chosen": "none"},
        {"trade_name": "Club", "pin_policy_minimum": "none", "pin_policy_chosen": "none"},
    ]
    assert "partners_pin_policy_chosen_known" in refused["error"]  # an unknown level
    # Back: the delegates are still there, and the partner that asked for the PIN still does.
    (back,) = _run(
        empty_database,
        BEFORE,
        "SELECT p.trade_name, p.requires_pin, COUNT(d.id) AS delegates FROM partners p "
        "JOIN delegates d ON d.partner_id = p.id GROUP BY p.trade_name, p.requires_pin "
        "ORDER BY p.trade_name",
    )
    assert [(r["trade_name"], bool(r["requires_pin"]), r["delegates"]) for r in back] == [
        ("Cinema", True, 1),
        ("Club", False, 1),
    ]
