"""The one place declaring periodic jobs, with their cron schedules read in Europe/Paris.

`cjeune scheduler` kicks them on time. Running two schedulers by mistake does not kick a job
twice: each tick is claimed in Redis (SET NX on the job and the minute) before it is kicked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from taskiq import AsyncBroker, ScheduleSource, TaskiqScheduler
from taskiq.exceptions import ScheduledTaskCancelledError
from taskiq.scheduler.scheduled_task import ScheduledTask

from domain.core import clock
from infra.settings import get_settings

logger = logging.getLogger("cjeune.jobs")

TIMEZONE = "Europe/Paris"  # "0 8 * * *" means 8:00 in Marseille, summer and winter
TICK_KEY = "cjeune:jobs:tick:{job}:{minute}"
TICK_MEMORY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Periodic:
    task_name: str  # as declared with @broker.task(task_name=...)
    cron: str  # minute hour day-of-month month day-of-week, in Europe/Paris
    kwargs: dict[str, Any] = field(default_factory=dict)


def _at(hh_mm: str) -> str:
    hours, minutes = hh_mm.split(":")
    return f"{int(minutes)} {int(hours)} * * *"


PERIODIC_JOBS: list[Periodic] = [
    # What a crash left undispatched, and the notification deliveries due for a retry.
    Periodic("notifications.sweep", cron="* * * * *"),
    # Offers whose validity ended yesterday leave the Meilisearch index (no-op without it).
    Periodic("search.expire", cron="5 0 * * *"),
    # Scheduled campaigns that are due; sending campaigns that stopped moving (all workers
    # restarted, a job lost).
    Periodic("campaigns.sweep", cron="* * * * *"),
    # The day after a fortnight ends, it is closed (a no-op on the other days).
    Periodic("finance.close_periods", cron="30 2 * * *"),
    # The partners' evening "télécollecte" (DAILY_COLLECTION_TIME, 20:00 by default).
    Periodic("finance.daily_collection", cron=_at(get_settings().daily_collection_time)),
    # What is past its retention period is deleted (domain/privacy/retention.py).
    Periodic("privacy.retention", cron="15 3 * * *"),
]


class PeriodicJobs(ScheduleSource):
    """A taskiq schedule source over a list of `Periodic`, claiming each tick in Redis."""

    def __init__(self, jobs: list[Periodic], redis_url: str | None) -> None:
        self.jobs = jobs
        self.redis = Redis.from_url(redis_url) if redis_url else None

    async def get_schedules(self) -> list[ScheduledTask]:
        return [
            ScheduledTask(
                schedule_id=job.task_name,
                task_name=job.task_name,
                labels={},
                args=[],
                kwargs=job.kwargs,
                cron=job.cron,
                cron_offset=TIMEZONE,
            )
            for job in self.jobs
        ]

    async def pre_send(self, task: ScheduledTask) -> None:
        """Raise ScheduledTaskCancelledError when another scheduler already kicked this tick."""
        if self.redis is None:  # the embedded default: a single process
            return
        minute = clock.now().replace(second=0, microsecond=0)
        key = TICK_KEY.format(job=task.schedule_id, minute=minute.strftime("%Y%m%dT%H%MZ"))
        try:
            claimed = await self.redis.set(key, "1", nx=True, ex=TICK_MEMORY_SECONDS)
        except RedisError as error:
            logger.warning(
                "%s not kicked at %s: Redis unavailable (%s)", task.task_name, minute, error
            )
            raise ScheduledTaskCancelledError from error
        if not claimed:
            raise ScheduledTaskCancelledError

    async def shutdown(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


def build_scheduler(
    broker: AsyncBroker, redis_url: str | None, jobs: list[Periodic] | None = None
) -> TaskiqScheduler:
    return TaskiqScheduler(
        broker, [PeriodicJobs(PERIODIC_JOBS if jobs is None else jobs, redis_url)]
    )
