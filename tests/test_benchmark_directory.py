"""benchmarks/directory.py on the demo data: the public pages (the directory, a commune's
list, a partner's page) answer in under 50 ms at p95 for one client on PostgreSQL, each
with a title, a description and a canonical address, all listed by the sitemap."""

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


async def test_the_public_pages_answer_under_50_ms_at_p95_with_what_search_engines_need():
    bench = await asyncio.create_subprocess_exec(
        sys.executable,
        "benchmarks/directory.py",
        "--requests", "100",
        "--warmup", "10",
        "--postgres", POSTGRES_SERVER,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(bench.communicate(), 600)
    assert bench.returncode == 0, err.decode()[-3000:]
    figures = json.loads(out.decode().strip().splitlines()[-1])

    assert figures["benchmark"] == "directory"
    assert figures["seo_problems"] == []
    assert figures["sitemap_urls"] > 3
    for kind in ("directory", "commune", "partner"):
        measured = figures["pages"][kind]
        assert measured["requests"] == 100 and measured["errors"] == 0, measured
        assert 0 < measured["p50_ms"] <= measured["p95_ms"] < 50, (kind, measured)
    assert figures["meets_goal"] is True
