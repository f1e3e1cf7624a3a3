"""On SQLite a CHECK constraint or an append-only rule is a trigger (migrations/_dialect.py),
and a trigger or an index written by hand dies with its table: a migration whose operation
makes Tortoise rebuild a table (an `AlterField`: use `DescribeField`) silently loses them, as
0016 and 0019 did (migration 0042). Migrating one step at a time, no trigger or index may
disappear unless the migration drops it by name."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKEND

ROOT = Path(__file__).parents[2]

# Runs in its own process (Tortoise's state is global): every migration in order, one at a
# time, printing the triggers and indexes after each.
SCRIPT = """
import asyncio, json, sqlite3, sys
from pathlib import Path
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from infra.database import TORTOISE_ORM as config

KEPT = (
    "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index') "
    "AND name NOT LIKE 'sqlite_autoindex%'"
)

async def main(path, names):
    steps = []
    for name in names:
        await migrate(config=config, target=f"models.{name}")
        await Tortoise.close_connections()
        with sqlite3.connect(path) as db:
            rows = db.execute(KEPT)
            steps.append([name, sorted(r[0] for r in rows)])
    print(json.dumps(steps))

asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))
"""


# SQLite's own concern, migrated in a file of its own: the SQLite run of the suite holds it.
pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="runs with the SQLite suite")


def _migrations() -> list[str]:
    return sorted(p.stem for p in (ROOT / "migrations").glob("0*.py"))


def test_no_migration_loses_a_trigger_it_does_not_drop(tmp_path):
    path = tmp_path / "triggers.sqlite3"
    names = _migrations()
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path), json.dumps(names)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite://{path}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    steps = json.loads(result.stdout.strip().splitlines()[-1])
    assert [name for name, _ in steps] == names

    lost = {}
    for (_, before), (name, after) in itertools.pairwise(steps):
        source = (ROOT / "migrations" / f"{name}.py").read_text()
        gone = [t for t in before if t not in after and t not in source]
        if gone:
            lost[name] = gone
    assert lost == {}
    # The guard has something to guard: the money's CHECKs, append-only rules and indexes.
    final = set(steps[-1][1])
    assert {
        "ledger_accounts_wallet_never_negative_update",
        "ledger_accounts_one_wallet",
        "ledger_transactions_append_only_delete",
        "ledger_entries_append_only_update",
    } <= final
