"""Jobs as production runs them: `cjeune worker` processes reading the Redis job stream.

With Redis, the API only kicks a debit's notification job (one XADD); a worker process
plans and delivers it. The benchmark then counts those processes' CPU as well, what Redis
did (its CPU and the commands it served), and how long the queue takes to empty.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from redis import Redis

from workers.broker import QUEUE


class JobWorkers:
    """`cjeune worker` processes, each in a session of its own."""

    def __init__(self, count: int, env: dict[str, str], log_dir: Path) -> None:
        self.count, self.env, self.log_dir = count, env, log_dir
        self.processes: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []

    def start(self, timeout: float = 60) -> None:
        command = [str(Path(sys.executable).with_name("cjeune")), "worker"]
        for number in range(self.count):
            log = (self.log_dir / f"job-worker-{number}.log").open("wb")
            self._logs.append(log)
            self.processes.append(
                subprocess.Popen(  # noqa: S603 - our own entry point
                    command, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        for number, process in enumerate(self.processes):
            path = self.log_dir / f"job-worker-{number}.log"
            while b"Listening started" not in path.read_bytes():
                if process.poll() is not None:
                    raise RuntimeError(f"job worker {number} exited; see {path}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"job worker {number} not listening after {timeout:.0f} s")
                time.sleep(0.1)

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.poll() is None]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self.processes:
            try:
                process.wait(timeout=40)  # the worker's shutdown grace is 30 s
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for log in self._logs:
            log.close()


def commands_served(redis_url: str) -> dict[str, int]:
    """Commands the Redis server has answered since it started, by command (INFO
    commandstats; the commands a script runs count, as the script does)."""
    with Redis.from_url(redis_url) as redis:
        stats = redis.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(entry["calls"]) for name, entry in stats.items()}


def commands_per_pair(
    before: dict[str, int], after: dict[str, int], pairs: int
) -> tuple[float, dict[str, float]]:
    """All the commands served between two readings per pair, and each command's share."""
    served = {name: count - before.get(name, 0) for name, count in after.items()}
    by_command = {
        name: round(count / max(1, pairs), 2)
        for name, count in sorted(served.items(), key=lambda item: -item[1])
        if count and name != "info"  # the benchmark's own readings
    }
    total = sum(count for name, count in served.items() if name != "info")
    return round(total / max(1, pairs), 2), by_command


def wait_until_drained(redis_url: str, timeout: float = 120) -> float | None:
    """Seconds until the job stream is empty (a done job is deleted), None if it never was."""
    started = time.monotonic()
    with Redis.from_url(redis_url) as redis:
        while time.monotonic() - started < timeout:
            if not redis.xlen(QUEUE):
                return round(time.monotonic() - started, 2)
            time.sleep(0.1)
    return None
