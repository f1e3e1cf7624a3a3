"""Retries: exponential backoff with jitter, then a JobFailure row for staff; never dropped.

A failed attempt is not retried in place. The message goes back, with its attempt number, to
wait its delay: in Redis, a sorted set scored by due time whose due messages any worker moves
to the stream (atomically, so exactly one does); in the in-process broker, a timer. The failed
delivery is acknowledged only after that, or after the failure is recorded: if either step
fails, the delivery stays unacknowledged and Redis hands it to a worker again later.

A job may declare, as labels of `@broker.task(...)`: `max_attempts` (default: the setting
JOB_MAX_RETRIES, which counts every run, the first included) and `retry_delay` (seconds before
the second attempt, default 30; each later wait doubles, up to an hour).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from typing import Any
from uuid import UUID

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError
from taskiq.abc.middleware import TaskiqMiddleware
from taskiq.exceptions import NoResultError
from taskiq.message import TaskiqMessage
from taskiq.result import TaskiqResult

from infra import jobs
from infra.settings import get_settings

logger = logging.getLogger("cjeune.jobs")

ATTEMPT = "attempt"  # label carried by the message: 1 for the first run
MAX_ATTEMPTS = "max_attempts"  # label a job may declare
RETRY_DELAY = "retry_delay"  # label a job may declare, in seconds
RETRY_OF = jobs.RETRY_OF  # label set when staff re-run a recorded failure: its id
REDACT = "redact"  # label a job may declare: argument names never to store, or "*"
ALL_ARGUMENTS = "*"
DEFAULT_RETRY_DELAY = 30.0
MAX_RETRY_DELAY = 3600.0


def backoff_delay(
    attempt: int,
    base: float = DEFAULT_RETRY_DELAY,
    *,
    ceiling: float = MAX_RETRY_DELAY,
    jitter: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after failed `attempt` (1, 2, …): base · 2^(attempt-1), capped.

    Up to a quarter is taken off at random so that jobs failing together (a provider outage)
    do not all come back at the same instant; each wait stays longer than the one before.
    """
    delay = min(ceiling, base * 2 ** (attempt - 1))
    return delay * (1 - 0.25 * jitter())


class RetryMiddleware(TaskiqMiddleware):
    """Puts a failed job back for later, or records it once its attempts are spent."""

    def declared_labels(self, task_name: str) -> dict[str, Any]:
        # Read from the job's declaration in this process, not from the message: a job kicked
        # by name (infra.jobs.enqueue) carries no labels.
        task = self.broker.find_task(task_name)
        return dict(task.labels) if task is not None else {}

    async def on_error(
        self, message: TaskiqMessage, result: TaskiqResult[Any], exception: BaseException
    ) -> None:
        if isinstance(exception, NoResultError):
            return
        labels = self.declared_labels(message.task_name)
        attempt = int(message.labels.get(ATTEMPT, 1))
        max_attempts = int(labels.get(MAX_ATTEMPTS) or get_settings().job_max_retries)
        if attempt < max_attempts:
            delay = backoff_delay(attempt, float(labels.get(RETRY_DELAY, DEFAULT_RETRY_DELAY)))
            again = message.model_copy(update={"labels": {**message.labels, ATTEMPT: attempt + 1}})
            await self.broker.kick_later(self.broker.formatter.dumps(again), delay)  # type: ignore[attr-defined]
            logger.warning(
                "job %s [%s] failed (attempt %d/%d), next attempt in %.1f s: %s",
                message.task_name,
                message.task_id,
                attempt,
                max_attempts,
                delay,
                type(exception).__name__,
            )
            return
        # Imported here: the domain module imports the broker, which imports this module.
        from workers.failures import record_failure

        await record_failure(message, labels, exception, attempt)
        logger.error(
            "job %s [%s] failed %d times: recorded for staff (failedJobs)",
            message.task_name,
            message.task_id,
            attempt,
        )

    async def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        failure_id = message.labels.get(RETRY_OF)
        if failure_id and not result.is_err:
            from domain.core.job_failures import close_retried_failure

            await close_retried_failure(UUID(str(failure_id)))


# Both scripts read Redis's clock, so that workers on hosts with skewed clocks agree.
_POSTPONE = """
local now = redis.call('TIME')
redis.call('ZADD', KEYS[1], now[1] + now[2] / 1000000 + tonumber(ARGV[1]), ARGV[2])
"""
_PROMOTE_DUE = """
local now = redis.call('TIME')
local t = now[1] + now[2] / 1000000
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', t, 'LIMIT', 0, 100)
for _, message in ipairs(due) do
  redis.call('ZREM', KEYS[1], message)
  redis.call('XADD', KEYS[2], '*', 'data', message)
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if first[2] then return tostring(tonumber(first[2]) - t) end
return false
"""


class DelayedJobs:
    """Messages waiting for their retry in Redis, moved to the job stream when due."""

    # How often a worker looks for due retries kicked by another worker (its own wake it up):
    # retries wait 30 s or more, and an idle worker asks Redis no more often than this.
    POLL_SECONDS = 5.0

    def __init__(self, pool: BlockingConnectionPool, key: str, stream: str) -> None:
        self.redis = Redis(connection_pool=pool)
        self.keys = [key, stream]
        self._postpone = self.redis.register_script(_POSTPONE)
        self._promote_due = self.redis.register_script(_PROMOTE_DUE)
        self._wakeup = asyncio.Event()

    async def add(self, message: bytes, delay: float) -> None:
        await self._postpone(keys=self.keys[:1], args=[delay, message])
        self._wakeup.set()

    async def promote_due(self) -> float | None:
        """Move the due messages to the stream; seconds until the next one is due, if any."""
        left = await self._promote_due(keys=self.keys)
        return float(left) if left is not None else None

    async def run(self) -> None:
        """In every worker process; the script makes sure one message moves once."""
        while True:
            try:
                left = await self.promote_due()
            except RedisError as error:
                logger.warning("delayed jobs: Redis unavailable (%s)", error)
                left = self.POLL_SECONDS
            timeout = self.POLL_SECONDS if left is None else min(max(left, 0.0), self.POLL_SECONDS)
            if timeout > 0:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await self._wakeup.wait()
            self._wakeup.clear()
