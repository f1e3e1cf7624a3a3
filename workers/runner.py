"""Starting the job processes: `cjeune worker` and `cjeune scheduler`."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence

from taskiq.cli.scheduler.run import SchedulerLoop
from taskiq.cli.worker.args import WorkerArgs
from taskiq.cli.worker.run import run_worker as run_taskiq_worker
from taskiq.cli.worker.run import start_listen

from infra.settings import Settings, get_settings
from workers.broker import QUEUE, JobBroker, broker, configure_broker
from workers.jobs import JOB_MODULES
from workers.schedule import PERIODIC_JOBS, TIMEZONE, build_scheduler

SHUTDOWN_GRACE_SECONDS = 30  # running jobs get this long to finish; then they are redelivered


def worker_broker() -> JobBroker:
    """The broker "factory" taskiq's worker calls in each worker process it starts."""
    return configure_broker(get_settings())


def run_worker(
    settings: Settings, *, processes: int = 1, extra_modules: Sequence[str] = ()
) -> int | None:
    """taskiq's worker, stopped by SIGTERM or SIGINT.

    One process consumes in this very process (prefer several containers of it); more are
    children of taskiq's process manager, which restarts one that dies.
    """
    modules = [*JOB_MODULES, *extra_modules]
    print(
        f"Worker : {processes} processus sur la file {QUEUE} de {_address(settings.redis_url)}, "
        f"jobs de {', '.join(modules)}"
    )
    args = WorkerArgs(
        broker="workers.runner:worker_broker",
        modules=modules,
        workers=processes,
        configure_logging=False,  # the CLI configured it
        max_async_tasks=settings.database_pool_size,  # a job mostly waits for the database
        wait_tasks_timeout=SHUTDOWN_GRACE_SECONDS,
    )
    if processes == 1:
        # No manager: its signal handler can deadlock when two signals arrive together.
        start_listen(args)
        return None
    return run_taskiq_worker(args)


async def run_scheduler(settings: Settings) -> None:
    """Kick the periodic jobs on time until SIGINT or SIGTERM.

    Without Redis (the embedded default) the jobs run in this very process, which then opens
    the database like a worker.
    """
    configure_broker(settings)
    broker.is_scheduler_process = True
    broker.is_worker_process = settings.redis_url is None
    scheduler = build_scheduler(broker, settings.redis_url)
    declared = broker.get_all_tasks()
    where = _address(settings.redis_url) if settings.redis_url else "ce processus"
    print(f"Planificateur ({TIMEZONE}), jobs envoyés à {where} :")
    for job in PERIODIC_JOBS:
        missing = "" if job.task_name in declared else "  (job inconnu : JOB_MODULES ?)"
        print(f"  {job.cron:<15} {job.task_name}{missing}")

    main = asyncio.current_task()
    assert main is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
    for source in scheduler.sources:
        await source.startup()
    await scheduler.startup()
    try:
        await SchedulerLoop(scheduler).run()
    except asyncio.CancelledError:
        print("Planificateur arrêté.")
    finally:
        await scheduler.shutdown()
        for source in scheduler.sources:
            await source.shutdown()


def _address(redis_url: str | None) -> str:
    return (redis_url or "").split("@")[-1]  # never print a password


async def run_periodic_jobs_here() -> None:
    """The embedded default's scheduler: the API process itself kicks the periodic jobs to
    the in-process broker, so a developer's `cjeune serve` needs no other process."""
    scheduler = build_scheduler(broker, None)
    for source in scheduler.sources:
        await source.startup()
    await scheduler.startup()
    try:
        await SchedulerLoop(scheduler).run()
    finally:
        await scheduler.shutdown()
        for source in scheduler.sources:
            await source.shutdown()
