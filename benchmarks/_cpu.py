"""CPU time of the processes in a run, read from /proc before and after each phase.

The difference divided by the wall time is the number of cores each group kept busy:
the server (supervisor and workers), PostgreSQL (the bench database's backends and the
server's own background processes), the load generator, the job workers (`cjeune worker`,
when the run uses Redis), the Redis server, this process (the bare-SQL client), and
everything else on the machine (other people's work: the figures are only as clean as the
machine was quiet).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[str, int, float] | None:
    """(name, parent pid, CPU seconds) of a process, or None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw.rsplit(")", 1)[1].split()
    return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def _is_ours_postgres(pid: int, database: str) -> bool:
    """A backend of the bench database, or one of the server's background processes."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    if database in title:
        return True
    rest = title.split(": ", 2)[-1] if title.startswith("postgres: ") else ""
    return "(" not in rest and not rest.startswith("autovacuum worker")  # not a backend


def _system_busy() -> float:
    """Busy CPU seconds of the whole machine (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / _TICK


@dataclass(frozen=True)
class Snapshot:
    at: float
    groups: dict[str, float]
    system: float


class CpuMeter:
    def __init__(
        self,
        database: str,
        server_pid: Callable[[], int | None],
        generator_pid: Callable[[], int | None],
        job_worker_pids: Callable[[], list[int]] = list,
    ) -> None:
        self.database, self.server_pid, self.generator_pid = database, server_pid, generator_pid
        self.job_worker_pids = job_worker_pids
        self._postgres: dict[int, bool] = {}

    def snapshot(self) -> Snapshot:
        processes = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
                processes[int(entry.name)] = stat
        server_root, generator = self.server_pid(), self.generator_pid()
        server = {server_root} if server_root else set()
        server |= {pid for pid, (_, parent, _) in processes.items() if parent in server}
        jobs = set(self.job_worker_pids())
        jobs |= {pid for pid, (_, parent, _) in processes.items() if parent in jobs}
        groups = {"server": 0.0, "postgres": 0.0, "generator": 0.0, "bench": 0.0}
        groups |= {"jobs": 0.0, "redis": 0.0}
        for pid, (name, _, seconds) in processes.items():
            if pid in server:
                groups["server"] += seconds
            elif pid in jobs:
                groups["jobs"] += seconds
            elif name == "redis-server":
                groups["redis"] += seconds
            elif pid == generator:
                groups["generator"] += seconds
            elif pid == os.getpid():
                groups["bench"] += seconds
            elif name == "postgres":
                if pid not in self._postgres:
                    self._postgres[pid] = _is_ours_postgres(pid, self.database)
                if self._postgres[pid]:
                    groups["postgres"] += seconds
        return Snapshot(time.perf_counter(), groups, _system_busy())

    @staticmethod
    def cores(before: Snapshot, after: Snapshot) -> dict[str, float]:
        wall = after.at - before.at
        used = {
            name: max(0.0, (after.groups[name] - before.groups[name]) / wall)
            for name in before.groups
        }
        machine = (after.system - before.system) / wall
        figures = {f"{name}_cpu_cores": round(value, 3) for name, value in used.items()}
        figures["machine_cpu_cores"] = round(machine, 3)
        figures["others_cpu_cores"] = round(max(0.0, machine - sum(used.values())), 3)
        return figures

    def wait_until_server_idle(self, timeout: float = 60.0) -> float:
        """After an overload the workers still finish abandoned requests: wait them out."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            before = self.snapshot()
            time.sleep(0.5)
            if self.cores(before, self.snapshot())["server_cpu_cores"] < 0.05:
                break
        return time.perf_counter() - started
