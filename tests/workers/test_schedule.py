"""Periodic jobs: declared in one place, read in Paris time, kicked once per tick even when two
schedulers run by mistake."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from taskiq.cli.scheduler.run import is_cron_task_now

from domain.core import clock
from workers.broker import QUEUE
from workers.jobs import import_job_modules
from workers.schedule import PERIODIC_JOBS, Periodic, PeriodicJobs, build_scheduler

ROOT = Path(__file__).parents[2]


async def test_two_scheduler_processes_kick_each_tick_once(settings, redis_url, redis):
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": redis_url,
    }
    schedulers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server",
            "scheduler",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(2)
    ]
    try:
        # "* * * * *" is due at once: each scheduler tries to kick within a second or two.
        async with asyncio.timeout(20):
            while len(await redis.keys("cjeune:jobs:tick:*")) == 0:
                assert all(s.returncode is None for s in schedulers)
                await asyncio.sleep(0.05)
        await asyncio.sleep(2)  # both schedulers have had their turn
    finally:
        outputs = [await _stop(scheduler) for scheduler in schedulers]
    # Every every-minute job (notifications.sweep, campaigns.sweep) is kicked once per tick.
    ticks = await redis.keys("cjeune:jobs:tick:*")
    kicked = await redis.xrange(QUEUE)
    assert await redis.keys("cjeune:jobs:tick:notifications.sweep:*")
    assert len(kicked) == len(ticks) >= 1, outputs  # one kick per minute, whoever claimed it
    assert all("notifications.sweep" in output for output in outputs)
    assert all("Planificateur arrêté." in output for output in outputs), outputs


async def _stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(15):
            output, _ = await process.communicate()
    except TimeoutError:
        process.kill()
        output, _ = await process.communicate()
    return output.decode()


async def test_the_next_minute_is_another_tick(settings, redis_url, redis, redis_broker):
    jobs = [Periodic("sample.note", cron="* * * * *", kwargs={"text": "tic"})]
    first, second = (
        build_scheduler(redis_broker, redis_url, jobs),
        build_scheduler(redis_broker, redis_url, jobs),
    )
    [task] = await first.sources[0].get_schedules()
    before = await redis.xlen(QUEUE)
    minute = datetime(2026, 3, 2, 7, 0, 20, tzinfo=UTC)
    for moment in (minute, minute + timedelta(seconds=30), minute + timedelta(minutes=1)):
        with clock.frozen(moment):
            for scheduler in (first, second):
                await scheduler.on_ready(scheduler.sources[0], task)
    assert await redis.xlen(QUEUE) - before == 2
    for scheduler in (first, second):
        await scheduler.sources[0].shutdown()


async def test_cron_expressions_are_read_in_paris_time():
    [task] = await PeriodicJobs([Periodic("x", cron="0 8 * * *")], None).get_schedules()

    def due(moment: datetime) -> bool:
        return is_cron_task_now(task.cron, moment, offset=task.cron_offset)

    assert due(datetime(2026, 7, 1, 6, 0, tzinfo=UTC))  # 8:00 in summer (UTC+2)
    assert due(datetime(2026, 1, 15, 7, 0, tzinfo=UTC))  # 8:00 in winter (UTC+1)
    assert not due(datetime(2026, 7, 1, 8, 0, tzinfo=UTC))


def test_every_periodic_job_names_a_declared_job():
    from workers.broker import broker

    import_job_modules()
    declared = broker.get_all_tasks()
    assert [job.task_name for job in PERIODIC_JOBS if job.task_name not in declared] == []
