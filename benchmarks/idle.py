"""What production's processes cost with no traffic: CPU and Redis commands over a minute.

Starts, in production's shape, `cjeune serve` (2 workers), one `cjeune worker` and the
`cjeune scheduler` on a migrated bench database and a Redis server of its own (so that only
their commands are counted), waits for them to settle, then for `--seconds` (60) records
every command Redis receives (MONITOR) and the CPU each process group uses. Prints one JSON
line: CPU per group, Redis commands by command and by sender, and the longest run of seconds
with at least one command in each (the idle processes should stay quiet for seconds at a
time).

    uv run python benchmarks/idle.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from redis import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _jobs, _seed
from benchmarks._cpu import CpuMeter
from benchmarks._server import Server, free_port
from tests.servers import RedisServer

_started = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - _started:6.1f} s] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CJEUNE_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="measured time (60)")
    parser.add_argument("--settle", type=float, default=10.0, help="wait after start (10)")
    parser.add_argument("--workers", type=int, default=2, help="API worker processes (2)")
    return parser.parse_args(argv)


class Monitor(threading.Thread):
    """Every command Redis receives, with its time and the sender's address."""

    STOP = "cjeune-idle-monitor-stop"

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.seen: list[tuple[float, str, str]] = []

    def run(self) -> None:
        with Redis.from_url(self.url) as redis, redis.monitor() as monitor:
            while True:
                command = monitor.next_command()
                if self.STOP in command["command"]:
                    return
                name = command["command"].split(" ")[0].lower()
                sender = f"{command['client_address']}:{command['client_port']}".rstrip(":")
                self.seen.append((command["time"], name, sender))

    def finish(self) -> None:
        with Redis.from_url(self.url) as redis:
            redis.echo(self.STOP)
        self.join(timeout=5)


def longest_busy_run(times: list[float], start: float, end: float) -> int:
    """The most consecutive whole seconds holding at least one command."""
    busy = {int(t - start) for t in times if start <= t < end}
    longest = run = 0
    for second in range(int(end - start) + 1):
        run = run + 1 if second in busy else 0
        longest = max(longest, run)
    return longest


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    name = _seed.bench_database_name()
    workdir = Path(tempfile.mkdtemp(prefix="cjeune-idle-"))
    redis_server = RedisServer(workdir)
    redis_server.start()
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": f"{args.postgres}/{name}",
        "CJEUNE_DATA_DIR": str(workdir),
        "EMAIL_BACKEND": "outbox",
        "REDIS_URL": redis_server.url,
    }
    os.environ.update(env)
    server = Server(free_port(), args.workers, env, workdir / "server.log")
    workers = _jobs.JobWorkers(1, env, workdir)
    scheduler: subprocess.Popen[bytes] | None = None
    try:
        from infra.database import run_migrations
        from infra.settings import get_settings

        asyncio.run(_seed.create_database(args.postgres, name))
        say(f"database {name} created; migrating")
        asyncio.run(run_migrations(get_settings()))
        say("starting the API, a job worker and the scheduler")
        server.start()
        server.wait_ready()
        workers.start()
        with (workdir / "scheduler.log").open("wb") as log:
            scheduler = subprocess.Popen(  # noqa: S603 - our own entry point
                [str(Path(sys.executable).with_name("cjeune")), "scheduler"],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        say(f"settling for {args.settle:.0f} s")
        time.sleep(args.settle)
        meter = CpuMeter(name, lambda: server.process.pid if server.process else None,
                         lambda: scheduler.pid if scheduler else None, workers.pids)  # fmt: skip
        monitor = Monitor(redis_server.url)
        monitor.start()
        time.sleep(0.5)
        before, start = meter.snapshot(), time.time()
        say(f"measuring for {args.seconds:.0f} s")
        for done in range(int(args.seconds)):
            time.sleep(1)
            if done % 10 == 9:
                say(f"  {done + 1} s, {len(monitor.seen)} commands so far")
        after, end = meter.snapshot(), time.time()
        monitor.finish()
        cores = CpuMeter.cores(before, after)
        seen = [(t, c, a) for t, c, a in monitor.seen if start <= t < end]
        by_client: dict[str, list[float]] = {}
        for t, _command, address in seen:
            by_client.setdefault(address, []).append(t)
        result = {
            "seconds": round(end - start, 1),
            "cpu_cores": {
                "api": cores["server_cpu_cores"],
                "job_worker": cores["jobs_cpu_cores"],
                "scheduler": cores["generator_cpu_cores"],
                "redis": cores["redis_cpu_cores"],
                "others": cores["others_cpu_cores"],
            },
            "redis_commands": len(seen),
            "redis_commands_per_minute": round(len(seen) * 60 / (end - start), 1),
            "redis_commands_by_command": dict(Counter(c for _, c, _ in seen).most_common()),
            "longest_busy_run_s": longest_busy_run([t for t, _, _ in seen], start, end),
            "longest_busy_run_s_per_client": {
                address: longest_busy_run(times, start, end) for address, times in by_client.items()
            },
        }
        print(json.dumps(result))
        return 0
    finally:
        if scheduler is not None and scheduler.poll() is None:
            scheduler.terminate()
            scheduler.wait(timeout=15)
        workers.stop()
        server.stop()
        redis_server.stop()
        asyncio.run(_seed.drop_database(args.postgres, name))
        say(f"database {name} dropped")


if __name__ == "__main__":
    sys.exit(main())
