"""benchmarks/campaign.py at a tiny scale: two real workers, the receivers in their own
processes, and every recipient counted exactly once on each channel."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKEND

ROOT = Path(__file__).parents[1]

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres", reason="the benchmark seeds PostgreSQL with generate_series"
)


async def test_a_tiny_campaign_reaches_everyone_once_on_both_channels(redis_url):
    bench = await asyncio.create_subprocess_exec(
        sys.executable,
        "benchmarks/campaign.py",
        "--young-people",
        "150",
        "--batch-size",
        "40",
        "--redis-url",
        redis_url,
        cwd=ROOT,
        env={**os.environ},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(bench.communicate(), 240)
    assert bench.returncode == 0, err.decode()[-3000:]
    figures = json.loads(out.decode().strip().splitlines()[-1])

    assert "sending [" in err.decode()  # progress is shown
    assert figures["rows"] == {"email_sent": 150, "push_sent": 150}
    assert figures["exactly_once"] is True
    for channel in ("email", "push"):
        received = figures[f"{channel}_received"]
        assert received["recipients"] == 150 and received["duplicate_deliveries"] == 0
    assert figures["messages_per_second"]["email"] > 0
