"""benchmarks/debit.py at a tiny scale, as a developer runs the service and in production's
shape (--redis): every pair answered, and the JSON line carries the figures of each shape."""

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
    BACKEND != "postgres", reason="the benchmark measures the API on PostgreSQL"
)

TINY = [
    "--quick",
    "--skip-calibration",
    "--skip-saturation",
    "--rate", "40",
    "--warmup", "1",
    "--duration", "2",
    "--sql-duration", "1",
    # Here the benchmark is checked to work, not timed: on a machine busy with other work a
    # pair may take seconds, which the figures show; it is not an error.
    "--pair-timeout", "30",
]  # fmt: skip


async def _run(*options: str) -> dict:
    bench = await asyncio.create_subprocess_exec(
        sys.executable,
        "benchmarks/debit.py",
        *TINY,
        "--postgres",
        POSTGRES_SERVER,
        *options,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(bench.communicate(), 240)
    assert bench.returncode == 0, err.decode()[-3000:]
    return json.loads(out.decode().strip().splitlines()[-1])


_runs: dict[tuple[str, ...], dict] = {}


async def _run_once(*options: str) -> dict:
    """One run of the benchmark per set of options for the module (each costs ~35 s)."""
    if options not in _runs:
        _runs[options] = await _run(*options)
    return _runs[options]


# The embedded default's run is the one with terminals: its phase A is the default's.
DEFAULT_WITH_TERMINALS = ("--terminals", "--terminal-rounds", "2", "--auth-requests", "60")


async def test_the_embedded_default_answers_every_pair_and_reports_the_server_alone():
    figures = await _run_once(*DEFAULT_WITH_TERMINALS)
    phase = figures["phase_a"]
    assert figures["redis"] is False and figures["job_workers"] == 0
    assert phase["pairs"] == 80 and phase["ok"] == 80 and phase["errors"] == 0
    assert 0 < phase["p50_ms"] <= phase["p99_ms"] <= phase["max_ms"]
    assert phase["server_cpu_ms_per_pair"] > 0
    assert "jobs_cpu_ms_per_pair" not in phase and figures["jobs_cpu_ms_per_pair"] is None
    assert figures["bare_sql_debits_per_s"] > 0


async def test_production_shape_runs_the_jobs_in_a_worker_and_counts_redis():
    figures = await _run("--redis")
    phase = figures["phase_a"]
    assert figures["redis"] is True and figures["job_workers"] == 1
    assert phase["ok"] == 80 and phase["errors"] == 0
    # The worker delivered every notification: the queue emptied, its CPU was counted.
    assert phase["jobs_queue_drained_after_s"] is not None
    assert phase["jobs_cpu_ms_per_pair"] > 0
    # What a pair costs Redis, by command: the job's kick and its read at least, no
    # transaction (MULTI) anywhere, and no more than the target of 6 in all.
    by_command = phase["redis_commands_per_pair_by_command"]
    assert 0 < phase["redis_commands_per_pair"] <= 6
    assert by_command["xadd"] > 0 and by_command["xreadgroup"] > 0
    assert "multi" not in by_command
    assert sum(by_command.values()) == pytest.approx(phase["redis_commands_per_pair"], abs=0.2)
    assert figures["targets"]["redis_commands_per_pair"]["limit"] == 6
    assert figures["target_met"] == all(t["met"] for t in figures["targets"].values())


async def test_terminals_run_the_same_load_in_alternating_rounds_and_compare_cpu():
    figures = await _run_once(*DEFAULT_WITH_TERMINALS)
    comparison = figures["till_comparison"]
    rounds = comparison["rounds"]
    # Two rounds of each kind, the second in the other order: P T, then T P.
    assert [r["till"] for r in rounds] == [
        "person_token",
        "terminal_credential",
        "terminal_credential",
        "person_token",
    ]
    assert all(r["ok"] == 80 and r["errors"] == 0 for r in rounds)
    side_by_side = figures["server_cpu_ms_per_pair_by_till"]
    assert side_by_side == comparison["median_server_cpu_ms_per_pair"]
    assert side_by_side["person_token"] > 0 and side_by_side["terminal_credential"] > 0
    assert comparison["terminal_no_costlier"] == (
        side_by_side["terminal_credential"] <= side_by_side["person_token"]
    )
    # Phase A'': the credential's check alone, each kind in turn, the order rotating.
    authentication = comparison["authentication"]
    assert [r["kind"] for r in authentication["rounds"]] == [
        "no_credential",
        "person_token",
        "terminal_credential",
        "person_token",
        "terminal_credential",
        "no_credential",
    ]
    assert all(r["answered"] == 60 for r in authentication["rounds"])
    medians, checks = (
        authentication["median_server_cpu_ms_per_request"],
        authentication["check_ms_per_request"],
    )
    assert checks["person_token"] == round(medians["person_token"] - medians["no_credential"], 3)
    assert authentication["terminal_check_no_costlier"] == (
        checks["terminal_credential"] <= checks["person_token"]
    )
