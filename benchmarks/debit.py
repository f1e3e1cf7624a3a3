"""The money path under load: card lookup + debit through the real API, and its limit.

    uv run python benchmarks/debit.py            # the full run (3 to 5 minutes)
    uv run python benchmarks/debit.py --quick    # about a minute, smaller and shorter

A fresh PostgreSQL database is created, migrated and seeded through the domain layer; the
real server (`cjeune serve`) runs in a subprocess; a load generator in another process
sends (lookupCard, debitCard) pairs at a constant arrival rate (an open model: latency is
measured from each pair's scheduled start). Phase A holds one rate; phase B raises the
rate until the API saturates; phase C measures the same debits as bare SQL. Progress goes
to stderr, then one JSON line of figures to stdout. The database, the server and the
generator are cleaned up even on failure. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script, benchmarks/ would shadow the `search` package
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from benchmarks import _auth_cost, _bare_sql, _jobs, _seed
from benchmarks._cpu import CpuMeter
from benchmarks._load import Plan, serve_plans
from benchmarks._server import Server, free_port, sign_in_all

UNLIMITED = str(10**9)
_started = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - _started:6.1f} s] {message}", file=sys.stderr, flush=True)


FULL = {
    "partners": 50,
    "holders": 2000,
    "warmup": 5.0,
    "duration": 20.0,
    "step_rates": "100,200,300,400,500,600,800,1000,1200,1500,2000",
    "step_duration": 10.0,
    "refine_steps": 2,
    "pair_timeout": 5.0,
    "sql_duration": 10.0,
    "calibration_duration": 8.0,
}
QUICK = {
    "partners": 5,
    "holders": 150,
    "warmup": 2.0,
    "duration": 5.0,
    "step_rates": "50,100,200,400,800",
    "step_duration": 3.0,
    "refine_steps": 0,
    "pair_timeout": 2.0,
    "sql_duration": 3.0,
    "calibration_duration": 2.0,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Lookup + debit through the real API under an open-model load, and the "
        "bare-SQL limit. Defaults are the full run; --quick shrinks everything.",
    )
    add = parser.add_argument
    add("--quick", action="store_true", help="small data, short phases (about a minute)")
    add(
        "--postgres",
        default=os.environ.get("CJEUNE_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server where the bench database is created and dropped",
    )
    add("--partners", type=int, help="partners, one cashier each (50; quick 5)")
    add("--holders", type=int, help="card holders with activated cards, 100 € credited (2000; 150)")
    add("--workers", type=int, default=2, help="uvicorn worker processes (2)")
    add("--pool-size", type=int, default=10, help="DATABASE_POOL_SIZE per worker (10)")
    add(
        "--redis",
        action="store_true",
        help="production's shape: lookups counted and jobs queued in Redis (an empty database "
        "of 1 to 14 of the Redis at CJEUNE_TEST_REDIS_URL, default 127.0.0.1:6379, is claimed, "
        "then emptied), jobs run by `cjeune worker` processes "
        "(default: the embedded default, jobs inside the API processes)",
    )
    add(
        "--redis-url",
        help="as --redis, on this Redis database: it must be one of its own, the run empties "
        "it at the start and at the end",
    )
    add("--job-workers", type=int, default=1, help="with Redis: `cjeune worker` processes (1)")
    add("--rate", type=float, default=200, help="phase A: pairs per second (200)")
    add("--warmup", type=float, help="phase A: unmeasured seconds at the rate first (5; 2)")
    add("--duration", type=float, help="phase A: measured seconds (20; 5)")
    add(
        "--step-rates",
        help=f"phase B: rising pairs/s ({FULL['step_rates']}; {QUICK['step_rates']})",
    )
    add("--step-duration", type=float, help="phase B: seconds per rate (10; 3)")
    add("--refine-steps", type=int, help="phase B: bisection steps between held and lost (2; 0)")
    add("--min-rate", type=float, default=5, help="phase B: lowest rate tried when halving (5)")
    add("--max-p99-ms", type=float, default=250, help="phase B: saturated above this p99 (250)")
    add("--min-achieved", type=float, default=0.95, help="phase B: saturated below (0.95)")
    add("--max-error-share", type=float, default=0.01, help="phase B: saturated above (0.01)")
    add("--skip-saturation", action="store_true", help="no phase B")
    add(
        "--terminals",
        action="store_true",
        help="after phase A, phase A again in rounds from people's tokens and from paired "
        "payment terminals, in alternating order (phase A')",
    )
    add("--terminal-rounds", type=int, default=3, help="phase A': rounds of each till kind (3)")
    add(
        "--auth-requests",
        type=int,
        help="phase A'': requests per round and kind (3,000; 300 with --quick)",
    )
    add("--skip-calibration", action="store_true", help="no run against the stand-in API")
    add("--calibration-duration", type=float, help="seconds against the stand-in (8; 3)")
    add("--pair-timeout", type=float, help="a pair not answered within this is an error (5; 2)")
    add("--client-connections", type=int, default=256, help="the generator's HTTP pool (256)")
    add("--sql-connections", type=int, default=16, help="phase C: asyncpg connections (16)")
    add("--sql-duration", type=float, help="phase C: seconds (10; 3)")
    add("--target-p99-ms", type=float, default=50, help="phase A: the p99 target (50)")
    add(
        "--py-spy",
        metavar="DIR",
        type=Path,
        help="record every worker with py-spy during phase A (folded stacks in DIR; "
        "summarise with benchmarks/py_spy_report.py)",
    )
    add("--keep-server-log", metavar="FILE", type=Path, help="copy the server's log here")
    args = parser.parse_args(argv)
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.step_rates = [float(r) for r in str(args.step_rates).split(",") if r.strip()]
    return args


def bench_environment(args: argparse.Namespace, database_url: str, data_dir: str) -> dict[str, str]:
    return {
        "ENVIRONMENT": "development",
        "DATABASE_URL": database_url,
        "DATABASE_POOL_SIZE": str(args.pool_size),
        "CJEUNE_DATA_DIR": data_dir,  # the invitation emails of the seeding land here
        "EMAIL_BACKEND": "outbox",
        "RATE_LIMIT_PER_MINUTE": "0",
        "LOOKUP_LIMIT_PER_DELEGATE": UNLIMITED,
        "LOOKUP_LIMIT_PER_PARTNER": UNLIMITED,
        "UNKNOWN_CODE_LIMIT_PER_DELEGATE": UNLIMITED,
        "UNKNOWN_CODE_LIMIT_PER_PARTNER": UNLIMITED,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": UNLIMITED,
        "ACCESS_TOKEN_MINUTES": "720",  # no token expires during a run
        "REDIS_URL": args.redis_url or "",
    }


async def prepare_database(
    args: argparse.Namespace, name: str
) -> tuple[_seed.Seeded, dict[str, str]]:
    from infra.database import close_database, open_database, run_migrations
    from infra.settings import get_settings
    from workers.broker import configure_broker

    settings = get_settings()
    configure_broker(settings)  # the seeding's invitation emails go to the run's outbox
    await _seed.create_database(args.postgres, name)
    say(f"database {name} created; migrating")
    await run_migrations(settings)
    say(f"seeding {args.partners} partners and {args.holders} card holders")
    await open_database(settings)
    try:
        seeded = await _seed.seed(args.partners, args.holders)
        wanted = getattr(args, "terminals", False)  # till_pages.py seeds through here too
        terminals = await _seed.pair_terminals(seeded.tills) if wanted else {}
        return seeded, terminals
    finally:
        await close_database()


class LoadGenerator:
    """The generator process and the pipe to it."""

    def __init__(self, url: str, tills: list[tuple[str, str]], codes: list[str], args: Any):
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=serve_plans,
            args=(child, url, tills, codes, args.client_connections, args.pair_timeout),
            daemon=True,
        )
        self.process.start()
        if not self.connection.poll(120) or self.connection.recv() != "ready":
            raise RuntimeError("the load generator did not start")

    def run(self, plan: Plan) -> dict[str, Any]:
        self.connection.send(plan)
        return self.connection.recv()

    def stop(self) -> None:
        if self.process.is_alive():
            try:
                self.connection.send(None)
            except OSError:
                pass
            self.process.join(timeout=10)
            if self.process.is_alive():
                self.process.terminate()
                self.process.join()


def compare_tills(
    args: argparse.Namespace, phases: dict[str, Phases], workers: list[int]
) -> dict[str, Any]:
    """The same load from each kind of till, in rounds whose order alternates (A B, B A, …)
    so that a machine warming up or getting busier charges neither kind: the median of
    each kind's server CPU per pair is compared. With --py-spy, each kind's first round is
    profiled into its own folder."""
    kinds = list(phases)
    rounds: list[dict[str, Any]] = []
    for number in range(args.terminal_rounds):
        order = kinds if number % 2 == 0 else kinds[::-1]
        for kind in order:
            profile = (workers, args.py_spy / kind) if args.py_spy and number < 2 else None
            result = phases[kind].run(Plan(args.rate, args.duration, args.warmup), profile)
            rounds.append({"round": number + 1, "till": kind, **result})
    # A round whose load was not all answered has no CPU per pair (see Phases.run).
    measured = {
        kind: [r["server_cpu_ms_per_pair"] for r in rounds if r["till"] == kind] for kind in kinds
    }
    medians = {
        kind: round(statistics.median(values), 2) if values and None not in values else None
        for kind, values in measured.items()
    }
    terminal, person = medians["terminal_credential"], medians["person_token"]
    compared = terminal is not None and person is not None
    return {
        "rounds": rounds,
        "median_server_cpu_ms_per_pair": medians,
        "terminal_no_costlier": terminal <= person if compared else None,
        "summary": f"server CPU per pair (median of {args.terminal_rounds}): person's token "
        f"{person} ms, terminal's credential {terminal} ms"
        + ("" if compared else " (a round was saturated: lower --rate)"),
    }


class Phases:
    def __init__(
        self,
        args: argparse.Namespace,
        generator: LoadGenerator,
        meter: CpuMeter,
        redis_url: str | None = None,
    ):
        self.args, self.generator, self.meter, self.redis_url = args, generator, meter, redis_url

    def run(self, plan: Plan, profile: tuple[list[int], Path] | None = None) -> dict[str, Any]:
        profilers = start_py_spy(*profile, seconds=plan.warmup + plan.duration) if profile else []
        commands = _jobs.commands_served(self.redis_url) if self.redis_url else {}
        before = self.meter.snapshot()
        result = self.generator.run(plan)
        after = self.meter.snapshot()
        for profiler in profilers:
            profiler.wait(timeout=120)
        result.update(self.meter.cores(before, after))
        # CPU per pair answered, warm-up included as the snapshots include it. Beyond
        # saturation this also charges the work spent on requests abandoned by the client.
        wall, answered = after.at - before.at, result.pop("ok_including_warmup")
        launched = plan.rate * (plan.warmup + plan.duration)
        busy = {group: result[f"{group}_cpu_cores"] * wall for group in ("server", "postgres")}
        if self.redis_url:
            # The jobs of the phase's debits may still be queued: their CPU counts until the
            # queue is empty (the cores figures above stop with the load).
            result["jobs_queue_drained_after_s"] = _jobs.wait_until_drained(self.redis_url)
            drained = self.meter.snapshot()
            for group in ("jobs", "redis"):
                busy[group] = drained.groups[group] - before.groups[group]
            (
                result["redis_commands_per_pair"],
                result["redis_commands_per_pair_by_command"],
            ) = _jobs.commands_per_pair(commands, _jobs.commands_served(self.redis_url), answered)
        for group, seconds in busy.items():
            result[f"{group}_cpu_ms_per_pair"] = (
                round(seconds / answered * 1000, 2) if answered >= 0.99 * launched else None
            )  # None when saturated: the CPU then went to abandoned requests too
        settled = self.meter.wait_until_server_idle()
        if settled > 1:
            say(f"  (the server needed {settled:.0f} s to finish abandoned requests)")
        return result

    def saturated(self, result: dict[str, Any]) -> str | None:
        args = self.args
        if result["p99_ms"] > args.max_p99_ms:
            return f"p99 {result['p99_ms']} ms > {args.max_p99_ms:.0f} ms"
        if result["achieved_rate"] < args.min_achieved * result["target_rate"]:
            return f"achieved {result['achieved_rate']}/s < {args.min_achieved:.0%} of the target"
        if result["errors"] > args.max_error_share * max(1, result["pairs"]):
            return f"{result['errors']} errors > {args.max_error_share:.0%}"
        return None

    def step(self, rate: float, steps: list[dict[str, Any]]) -> dict[str, Any] | None:
        """One phase-B rate: the result if held, None if saturated."""
        result = self.run(Plan(rate, self.args.step_duration))
        reason = self.saturated(result)
        result["saturated"] = reason
        steps.append(result)
        say(f"phase B {describe(result)}" + (f" — SATURATED: {reason}" if reason else " — held"))
        return None if reason else result

    def saturation(self) -> tuple[dict[str, Any] | None, float | None, list[dict[str, Any]]]:
        """Rising rates until one is lost; halving below the first if even that one is;
        then bisection between the best rate held and the lowest lost."""
        args, steps = self.args, []
        held: dict[str, Any] | None = None
        lost: float | None = None
        for rate in args.step_rates:
            result = self.step(rate, steps)
            if result is None:
                lost = rate
                break
            held = result
        if held is None and lost is not None:
            rate = lost / 2
            while rate >= args.min_rate and held is None:
                held = self.step(round(rate, 1), steps)
                if held is None:
                    lost, rate = round(rate, 1), rate / 2
        for _ in range(args.refine_steps):
            if held is None or lost is None or lost - held["target_rate"] < max(5.0, 0.1 * lost):
                break
            rate = round((held["target_rate"] + lost) / 2)
            result = self.step(rate, steps)
            if result is None:
                lost = rate
            else:
                held = result
        return held, lost, steps


def start_py_spy(pids: list[int], out: Path, seconds: float) -> list[subprocess.Popen[bytes]]:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        say("py-spy not found (uv pip install py-spy): phase A is not profiled")
        return []
    out.mkdir(parents=True, exist_ok=True)
    command = [py_spy, "record", "--rate", "200", "--nonblocking", "--format", "raw", "--duration"]
    return [
        subprocess.Popen(  # noqa: S603 - the profiler, on our own workers
            [*command, str(round(seconds)), "--pid", str(pid), "-o", str(out / f"{pid}.txt")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]


def describe(result: dict[str, Any]) -> str:
    kinds = f" {result['error_kinds']}" if result["error_kinds"] else ""
    return (
        f"{result['target_rate']:.0f}/s → {result['achieved_rate']:.1f}/s, "
        f"p50 {result['p50_ms']} p90 {result['p90_ms']} p99 {result['p99_ms']} "
        f"max {result['max_ms']} ms, errors {result['errors']}/{result['pairs']}{kinds}; "
        f"cores: server {result['server_cpu_cores']}, postgres {result['postgres_cpu_cores']}, "
        f"generator {result['generator_cpu_cores']}, others {result['others_cpu_cores']}"
        + (
            f", job workers {result['jobs_cpu_cores']}, redis {result['redis_cpu_cores']}"
            if "redis_commands_per_pair" in result
            else ""
        )
        + "; "
        + (
            f"server {result['server_cpu_ms_per_pair']} ms CPU/pair"
            if result["server_cpu_ms_per_pair"] is not None
            else "server CPU/pair not meaningful (saturated)"
        )
        + (
            f"; job workers {result['jobs_cpu_ms_per_pair']} ms CPU/pair, "
            f"{result['redis_commands_per_pair']} redis commands/pair, queue empty "
            f"{result['jobs_queue_drained_after_s']} s after the load"
            if "redis_commands_per_pair" in result
            else ""
        )
    )


def calibrate(args: argparse.Namespace, data_dir: str) -> dict[str, Any]:
    """The generator against a stand-in that answers at once: its own CPU and latency."""
    stub = Server(free_port(), 1, dict(os.environ), Path(data_dir) / "stub", "benchmarks._stub:app")
    generator: LoadGenerator | None = None
    try:
        stub.start()
        stub.wait_ready()
        generator = LoadGenerator(stub.url, [("partner", "Bearer token")], ["code"], args)
        meter = CpuMeter(
            "-",
            lambda: stub.process.pid if stub.process else None,
            lambda: generator.process.pid if generator else None,
        )
        plan = Plan(args.rate, args.calibration_duration, warmup=1.0)
        say(f"calibration: the generator at {args.rate:.0f} pairs/s against a stand-in API")
        result = Phases(args, generator, meter).run(plan)
    finally:
        if generator is not None:
            generator.stop()
        stub.stop()
    say(
        f"calibration: p50 {result['p50_ms']} p99 {result['p99_ms']} ms with no server work; "
        f"generator {result['generator_cpu_cores']} cores "
        f"({result['generator_cpu_cores'] / args.rate * 1000:.2f} ms CPU per pair)"
    )
    keys = ("achieved_rate", "p50_ms", "p99_ms", "max_ms", "errors", "generator_cpu_cores")
    return {key: result[key] for key in keys}


def background_load(meter: CpuMeter, seconds: float = 3.0) -> float:
    before = meter.snapshot()
    time.sleep(seconds)
    return meter.cores(before, meter.snapshot())["others_cpu_cores"]


def claim_redis(args: argparse.Namespace) -> None:
    """Point args.redis_url at an empty Redis database: the one given, emptied, or one of
    1 to 14 found empty and claimed on the tests' Redis (CJEUNE_TEST_REDIS_URL, which a test
    session sets for the benchmarks it runs)."""
    from tests.support import claim_redis_database

    if args.redis_url:
        release_redis(args)
        return
    args.redis_url = asyncio.run(claim_redis_database("benchmark", seconds=3600))
    say(f"Redis database {args.redis_url} claimed")


def release_redis(args: argparse.Namespace) -> None:
    """The job stream, the lookup counters and the claim: the database is empty again."""
    from redis import Redis

    with Redis.from_url(args.redis_url) as redis:
        redis.flushdb()


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.redis or args.redis_url:
        claim_redis(args)
    name = _seed.bench_database_name()
    database_url = f"{args.postgres}/{name}"
    data_dir = tempfile.mkdtemp(prefix="cjeune_bench_")
    env = bench_environment(args, database_url, data_dir)
    os.environ.update(env)  # the seeding in this process reads the same settings

    from infra.settings import load_settings, use_settings

    use_settings(load_settings())
    server: Server | None = None
    generator: LoadGenerator | None = None
    job_workers: _jobs.JobWorkers | None = None
    meter = CpuMeter(
        name,
        lambda: server.process.pid if server and server.process else None,
        lambda: generator.process.pid if generator else None,
        lambda: job_workers.pids() if job_workers else [],
    )
    try:
        others_before = background_load(meter, 1.5 if args.quick else 3.0)
        say(f"background load from other processes: {others_before:.2f} cores")
        floor = None if args.skip_calibration else calibrate(args, data_dir)
        seeded, terminal_credentials = asyncio.run(prepare_database(args, name))
        server = Server(free_port(), args.workers, {**os.environ, **env}, Path(data_dir) / "log")
        say(
            f"starting `cjeune serve --workers {args.workers}` on {server.url} "
            f"(pool {args.pool_size} per worker)"
        )
        server.start()
        if args.redis_url:
            job_workers = _jobs.JobWorkers(args.job_workers, {**os.environ, **env}, Path(data_dir))
            job_workers.start()
            drained = _jobs.wait_until_drained(args.redis_url)  # the seeding's emails
            say(f"{args.job_workers} `cjeune worker` listening on {args.redis_url}")
            if drained is None:
                raise RuntimeError("the job workers did not empty the queue of the seeding")
        server.wait_ready()
        workers = server.worker_pids()
        say(f"server ready (workers {workers}); signing {len(seeded.tills)} cashiers in")
        emails = [t.cashier_email for t in seeded.tills]
        tokens = asyncio.run(sign_in_all(server.url, emails, seeded.password))
        tills = [(t.partner_id, f"Bearer {tokens[t.cashier_email]}") for t in seeded.tills]
        generator = LoadGenerator(server.url, tills, seeded.card_codes, args)
        phases = Phases(args, generator, meter, args.redis_url)

        say(
            f"phase A: {args.rate:.0f} pairs/s, {args.warmup:.0f} s warm-up + "
            f"{args.duration:.0f} s measured"
        )
        profile = (workers, args.py_spy) if args.py_spy else None
        phase_a = phases.run(Plan(args.rate, args.duration, args.warmup), profile)
        say(f"phase A {describe(phase_a)}")

        held, lost, steps = None, None, []
        if not args.skip_saturation:
            say(
                f"phase B: rising rates, {args.step_duration:.0f} s each, saturated when p99 > "
                f"{args.max_p99_ms:.0f} ms, achieved < {args.min_achieved:.0%} of the target "
                f"or errors > {args.max_error_share:.0%}"
            )
            held, lost, steps = phases.saturation()
            say(
                "phase B: maximum sustained "
                + (f"{held['achieved_rate']} debits/s" if held else "none")
                + (f" (saturated at {lost:.0f}/s)" if lost else " (never saturated)")
            )
        till_comparison = None
        if args.terminals:
            terminal_generator = LoadGenerator(
                server.url,
                [(p, f"Terminal {c}") for p, c in terminal_credentials.items()],
                seeded.card_codes,
                args,
            )
            say(
                f"phase A': {args.terminal_rounds} rounds of phase A from people's tokens and "
                "from payment terminals (their own credential), in alternating order"
            )
            till_comparison = compare_tills(
                args,
                {
                    "person_token": Phases(args, generator, meter, args.redis_url),
                    "terminal_credential": Phases(args, terminal_generator, meter, args.redis_url),
                },
                workers,
            )
            terminal_generator.stop()
            say(f"phase A' {till_comparison['summary']}")
            say("phase A'': the credential's check alone, { __typename } in a closed loop")
            till_comparison["authentication"] = _auth_cost.compare_authentication(
                server.url,
                {
                    "no_credential": [{}],
                    "person_token": [{"Authorization": header} for _, header in tills],
                    "terminal_credential": [
                        {"Authorization": f"Terminal {credential}"}
                        for credential in terminal_credentials.values()
                    ],
                },
                meter,
                rounds=args.terminal_rounds,
                requests=args.auth_requests or (300 if args.quick else 3000),
                say=say,
            )
            checks = till_comparison["authentication"]["check_ms_per_request"]
            say(
                f"phase A'': the check costs {checks['person_token']} ms for a person's token, "
                f"{checks['terminal_credential']} ms for a terminal's credential"
            )
        generator.stop()
        generator = None

        say(
            f"phase C: bare-SQL debits, {args.sql_connections} asyncpg connections, "
            f"{args.sql_duration:.0f} s"
        )
        bare = asyncio.run(
            _bare_sql.measure(database_url, emails, args.sql_connections, args.sql_duration, meter)
        )
        say(
            f"phase C: {bare['debits_per_s']} debits/s (p50 {bare['p50_ms']} ms, p99 "
            f"{bare['p99_ms']} ms); cores: postgres {bare['postgres_cpu_cores']}, client "
            f"{bare['client_cpu_cores']}, others {bare['others_cpu_cores']}"
        )
        max_sustained = held["achieved_rate"] if held else None
        ratio = (
            round(max_sustained / bare["debits_per_s"], 4)
            if max_sustained and bare["debits_per_s"]
            else None
        )
        server_cpu = phase_a["server_cpu_ms_per_pair"] or (
            held["server_cpu_ms_per_pair"] if held else None
        )
        targets = production_targets(args, phase_a, max_sustained, server_cpu, ratio)
        return {
            "benchmark": "debit",
            "quick": args.quick,
            "workers": args.workers,
            "pool_size_per_worker": args.pool_size,
            "redis": bool(args.redis_url),
            "job_workers": args.job_workers if args.redis_url else 0,
            "partners": args.partners,
            "card_holders": args.holders,
            "cpu_count": os.cpu_count(),
            "others_cpu_cores_before": round(others_before, 2),
            "client_floor_at_rate": floor,
            "at_rate": args.rate,
            "p50_ms": phase_a["p50_ms"],
            "p90_ms": phase_a["p90_ms"],
            "p99_ms": phase_a["p99_ms"],
            "max_ms": phase_a["max_ms"],
            "achieved_rate": phase_a["achieved_rate"],
            "errors": phase_a["errors"],
            "target_p99_ms": args.target_p99_ms,
            "targets": targets,
            "target_met": all(target["met"] for target in targets.values()),
            "server_cpu_ms_per_pair": server_cpu,
            "jobs_cpu_ms_per_pair": phase_a.get("jobs_cpu_ms_per_pair"),
            "phase_a": phase_a,
            # --terminals: phase A again in alternating rounds, the tills being people
            # (access tokens) or payment terminals; the server's CPU per pair side by side.
            "till_comparison": till_comparison,
            "server_cpu_ms_per_pair_by_till": till_comparison["median_server_cpu_ms_per_pair"]
            if till_comparison
            else None,
            "profiled_with_py_spy": bool(args.py_spy),
            "max_sustained_debits_per_s": max_sustained,
            "max_sustained_at_target_rate": held["target_rate"] if held else None,
            "max_sustained_p99_ms": held["p99_ms"] if held else None,
            "saturated_at_rate": lost,
            "saturation_steps": [
                {
                    key: step[key]
                    for key in (
                        "target_rate",
                        "achieved_rate",
                        "p50_ms",
                        "p99_ms",
                        "errors",
                        "server_cpu_cores",
                        "postgres_cpu_cores",
                        "jobs_cpu_cores",
                        "redis_cpu_cores",
                        "generator_cpu_cores",
                        "others_cpu_cores",
                        "server_cpu_ms_per_pair",
                        "saturated",
                    )
                }
                for step in steps
            ],
            "bare_sql_debits_per_s": bare["debits_per_s"],
            "bare_sql": bare,
            "ratio": ratio,
        }
    finally:
        if generator is not None:
            generator.stop()
        if server is not None:
            server.stop()
            if args.keep_server_log and server.log_path.exists():
                shutil.copyfile(server.log_path, args.keep_server_log)
        if job_workers is not None:
            job_workers.stop()
        if args.redis_url:
            release_redis(args)
        asyncio.run(_seed.drop_database(args.postgres, name))  # IF EXISTS: always safe
        say(f"database {name} dropped")
        shutil.rmtree(data_dir, ignore_errors=True)


def production_targets(
    args: argparse.Namespace,
    phase_a: dict[str, Any],
    max_sustained: float | None,
    server_cpu: float | None,
    ratio: float | None,
) -> dict[str, dict[str, Any]]:
    """The targets of a full run, in both shapes (issue « performance in production's
    shape »): each with the figure measured and whether it is met."""

    def target(value: Any, limit: float, met: bool) -> dict[str, Any]:
        return {"value": value, "limit": limit, "met": met}

    targets = {
        "p99_ms_at_rate_no_errors": target(
            phase_a["p99_ms"],
            args.target_p99_ms,
            phase_a["p99_ms"] < args.target_p99_ms and not phase_a["errors"],
        ),
        "max_sustained_pairs_per_s": target(
            max_sustained, 300, max_sustained is not None and max_sustained >= 300
        ),
        "server_cpu_ms_per_pair": target(
            server_cpu, 3.0, server_cpu is not None and server_cpu <= 3.0
        ),
        "ratio_to_bare_sql": target(ratio, 0.15, ratio is not None and ratio >= 0.15),
    }
    if args.redis_url:
        commands = phase_a.get("redis_commands_per_pair")
        targets["redis_commands_per_pair"] = target(
            commands, 6, commands is not None and commands <= 6
        )
    return targets


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _interrupt)  # a terminated run still cleans up
    figures = run(parse_args(argv))
    print(json.dumps(figures, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
