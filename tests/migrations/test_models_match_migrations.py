"""The migrations describe the models exactly: `tortoise makemigrations` has nothing to add."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]

DETECT = """
import asyncio
from tortoise.cli.cli import tortoise_cli_context
from tortoise.migrations.autodetector import MigrationAutodetector
from infra.database import TORTOISE_ORM as config

async def main():
    async with tortoise_cli_context(config) as ctx:
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
        print(len(writers))

asyncio.run(main())
"""


def test_no_model_change_lacks_a_migration(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path}/detect.sqlite3"}
    result = subprocess.run(
        [sys.executable, "-c", DETECT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0", (
        "models changed without a migration: run `uv run tortoise makemigrations`"
    )
