"""benchmarks/till_pages.py at a tiny scale: every page pair and every GraphQL pair
answered, and the JSON line compares the two."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKEND, POSTGRES_SERVER

ROOT = Path(__file__).parents[1]

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres", reason="the benchmark measures the pages on PostgreSQL"
)


async def test_the_till_pages_and_the_graphql_pairs_are_all_answered():
    bench = await asyncio.create_subprocess_exec(
        sys.executable,
        "benchmarks/till_pages.py",
        "--quick",
        "--rate", "20",
        "--warmup", "1",
        "--duration", "2",
        "--postgres",
        POSTGRES_SERVER,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(bench.communicate(), 240)
    assert bench.returncode == 0, err.decode()[-3000:]
    figures = json.loads(out.decode().strip().splitlines()[-1])

    assert figures["benchmark"] == "till_pages" and figures["rounds"] == 1
    for kind in ("graphql", "pages"):
        measured = figures[kind]
        assert measured["pairs"] == 40 and measured["errors"] == 0, measured
        assert 0 < measured["lookup_p50_ms"] <= measured["lookup_p99_ms"]
        assert 0 < measured["debit_p50_ms"] <= measured["debit_p99_ms"]
        assert measured["server_cpu_ms_per_pair"] > 0
    assert set(figures["page_adds_ms"]) >= {"lookup_p50_ms", "debit_p99_ms"}
