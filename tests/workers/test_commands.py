"""`cjeune worker` and `cjeune scheduler` refuse to start where they cannot work safely."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def cjeune(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_worker_without_redis_is_refused(tmp_path):
    refused = cjeune("worker", env={"CJEUNE_DATA_DIR": str(tmp_path)})
    assert refused.returncode != 0
    assert "Configuration refused" in refused.stderr and "REDIS_URL" in refused.stderr


def test_a_scheduler_without_redis_is_refused_in_production(tmp_path):
    production = {
        "ENVIRONMENT": "production",
        "SECRET_KEY": "Hex6sf2TdgKAVb8v9GNfumdk2mbeuIlCp9_mg1Aq8YQnXHxYph6tVI2bPP5gHvyl",
        "DATABASE_URL": "postgres://cjeune@127.0.0.1:5432/cjeune",
        "EMAIL_BACKEND": "smtp",
        "PUSH_BACKEND": "fcm",
        "FCM_CREDENTIALS_FILE": str(tmp_path / "key.json"),
    }
    refused = cjeune("scheduler", env=production)
    assert refused.returncode != 0
    assert "REDIS_URL" in refused.stderr
