"""The job broker: jobs are declared on `broker` at import time, the backend chosen at start.

    @broker.task(task_name="notifications.dispatch")
    async def dispatch_notification(notification_id: str) -> None: ...

    await dispatch_notification.kiq(str(notification.id))

`configure_broker(settings)` runs once in every process (API, worker, scheduler, tests):

- with REDIS_URL, jobs go to one Redis stream read by one consumer group, so every worker
  process of every host shares the queue and each job is delivered to one of them. A job is
  acknowledged (and deleted from the stream) once done; one left unacknowledged by a crashed
  worker is handed to another after CLAIM_AFTER. Delivery is therefore *at least once*: a job
  must be safe to run twice.
- without it (the embedded default), the in-process broker runs a kicked job as a task of
  the kicker's event loop, in a fresh context (never inside the kicker's transaction).

A worker process opens the database on startup (taskiq's WORKER_STARTUP event) and closes it
on shutdown: jobs use models/ and domain/ as the API does.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AsyncBroker, InMemoryBroker, TaskiqEvents, TaskiqState
from taskiq.acks import AckableMessage
from taskiq.decor import AsyncTaskiqDecoratedTask
from taskiq.message import BrokerMessage
from taskiq.receiver import Receiver
from taskiq_redis import RedisStreamBroker

from infra import jobs, redis_batch
from infra.database import close_database, open_database
from infra.settings import Settings
from push import channels, realtime
from workers.jobs import JOB_MODULES, import_job_modules
from workers.retries import ALL_ARGUMENTS, MAX_ATTEMPTS, REDACT, DelayedJobs, RetryMiddleware

logger = logging.getLogger("cjeune.jobs")

QUEUE = "cjeune:jobs"  # the Redis stream
DELAYED = "cjeune:jobs:delayed"  # the sorted set of jobs waiting for a retry
CONSUMER_GROUP = "cjeune-workers"
# A job still unacknowledged this long after its delivery is given to another worker: a job
# that may run longer must be split, or it will run twice (JOB_CLAIM_AFTER_SECONDS).
CLAIM_AFTER = timedelta(minutes=10)
# How often a worker looks for such jobs: a tenth of CLAIM_AFTER, at most 30 s.
RECLAIM_EVERY_MAX = timedelta(seconds=30)
# One XREADGROUP waits this long for new jobs, then the loop goes round. Below the socket's
# read timeout (redis-py's default, 5 s): a read blocked longer fails as a lost connection.
READ_BLOCK_MS = 4000
READ_COUNT = 20  # what one worker takes at a time: small, so the others get a share
# After a read that found jobs but fewer than READ_COUNT, the worker waits this long before
# reading again, so that one read (and one acknowledgement) takes the jobs of this time
# together rather than one at a time: a job waits at most this much more to start.
GATHER_SECONDS = 0.05
READ_RETRY_MAX_SECONDS = 10.0  # the longest pause between reads while Redis does not answer
IN_PROCESS_CONCURRENCY = 30


@dataclass(frozen=True)
class _Read:
    jobs: list[AckableMessage]
    reclaimed: bool = False


class JobStream(RedisStreamBroker):
    """taskiq-redis's stream broker, reading from the start of the stream, so that jobs kicked
    before the first worker ever started are not skipped, and deleting a job once acknowledged,
    so that the stream holds only the jobs not done yet.

    One Redis client serves the kicks, the reads and the acknowledgements (taskiq-redis builds
    a client per call), and jobs abandoned by a dead worker are claimed on a timer rather than
    after every read (taskiq-redis takes a lock and runs XAUTOCLAIM after each read that found
    jobs: three more round trips per job when they come one at a time, and none at all while
    no new job arrives). XAUTOCLAIM is atomic: two workers never claim the same job.
    """

    def __init__(self, url: str, claim_after: timedelta = CLAIM_AFTER) -> None:
        super().__init__(
            url,
            queue_name=QUEUE,
            consumer_group_name=CONSUMER_GROUP,
            consumer_id="0",
            idle_timeout=int(claim_after.total_seconds() * 1000),
            xread_block=READ_BLOCK_MS,
            xread_count=READ_COUNT,
        )
        self.reclaim_every = min(claim_after / 10, RECLAIM_EVERY_MAX).total_seconds()
        self.client = Redis(connection_pool=self.connection_pool)
        self.delayed = DelayedJobs(self.connection_pool, DELAYED, QUEUE)
        self._done: list[Any] = []  # the jobs done, acknowledged with the next read

    async def kick(self, message: BrokerMessage) -> None:
        fields = {b"data": message.message}
        await redis_batch.send(self.client, lambda r: r.xadd(QUEUE, fields), message.task_name)

    def _ack_generator(self, id: str, queue_name: str) -> Callable[[], Awaitable[None]]:
        """A job done is acknowledged (and deleted) with the worker's next read, in the same
        round trip and in one XACK and one XDEL for all the jobs done since the last read. A
        worker that dies before has its jobs run again by another (at least once)."""

        async def acknowledge() -> None:
            self._done.append(id)

        return acknowledge

    async def _acknowledged_with(self, read: Callable[[Any], Any] | None = None) -> Any:
        """One round trip: the jobs done since the last one acknowledged and deleted (one
        XACK, one XDEL), then `read` queued on the same pipeline, whose reply is returned.
        Jobs whose acknowledgement did not go through are kept for the next round trip."""
        done, self._done = self._done, []
        if not done and read is None:
            return None
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                if done:
                    pipe.xack(QUEUE, self.consumer_group_name, *done)
                    pipe.xdel(QUEUE, *done)
                if read is not None:
                    read(pipe)
                replies = await pipe.execute(raise_on_error=False)
        except BaseException:
            self._done[:0] = done
            raise
        for reply in replies[: 2 if done else 0]:
            if isinstance(reply, Exception):  # the jobs will run again: they may
                logger.warning("job stream: %d job(s) not acknowledged: %s", len(done), reply)
        last = replies[-1] if read is not None else None
        if isinstance(last, Exception):
            raise last
        return last

    def _ackable(self, entries: Iterable[Any]) -> Iterator[AckableMessage]:
        for message_id, fields in entries:
            if fields:  # Redis 6 lists a job deleted meanwhile with no fields
                yield AckableMessage(
                    data=fields[b"data"], ack=self._ack_generator(id=message_id, queue_name=QUEUE)
                )

    async def reclaim(self) -> list[AckableMessage]:
        """The jobs delivered to a worker more than CLAIM_AFTER ago and still unacknowledged."""
        claimed: list[AckableMessage] = []
        start = "0-0"
        while True:
            reply = await self.client.xautoclaim(
                QUEUE,
                self.consumer_group_name,
                self.consumer_name,
                min_idle_time=self.idle_timeout,
                start_id=start,
                count=100,
            )
            start, entries = reply[0], reply[1]
            claimed.extend(self._ackable(entries))
            if start in (b"0-0", "0-0"):
                return claimed

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        """New jobs, and on a timer the jobs of dead workers. Redis going away (a restart, the
        network) does not stop the worker: it waits and reads again, and declares the
        consumer group again if Redis came back without it."""
        next_reclaim, failures = 0.0, 0
        while True:
            try:
                messages = await self._next_messages(next_reclaim)
            except ResponseError as error:
                if "NOGROUP" not in str(error):
                    raise
                logger.warning("job stream: the consumer group is gone, declared again")
                await self._declare_consumer_group()
                continue
            except (RedisConnectionError, RedisTimeoutError, OSError) as error:
                failures += 1
                pause = min(READ_RETRY_MAX_SECONDS, 0.25 * 2**failures)
                logger.warning("job stream: %s; reading again in %.1f s", error, pause)
                await asyncio.sleep(pause)
                continue
            failures = 0
            if messages.reclaimed:
                next_reclaim = time.monotonic() + self.reclaim_every
            for message in messages.jobs:
                yield message
            if 0 < len(messages.jobs) < READ_COUNT and not messages.reclaimed:
                await asyncio.sleep(GATHER_SECONDS)

    async def _next_messages(self, next_reclaim: float) -> _Read:
        if time.monotonic() >= next_reclaim:
            claimed = await self.reclaim()
            if claimed:
                logger.warning("%d job(s) claimed from a worker that did not finish", len(claimed))
            return _Read(claimed, reclaimed=True)
        block = min(self.block, max(1, int((next_reclaim - time.monotonic()) * 1000)))
        fetched = await self._acknowledged_with(
            lambda pipe: pipe.xreadgroup(
                self.consumer_group_name,
                self.consumer_name,
                {QUEUE: ">"},
                block=block,
                count=self.count,
            )
        )
        return _Read([m for _stream, entries in fetched or () for m in self._ackable(entries)])

    async def shutdown(self) -> None:
        with contextlib.suppress(RedisConnectionError, RedisTimeoutError, OSError):
            await self._acknowledged_with()
        await self.client.aclose()
        await super().shutdown()

    async def kick_later(self, message: BrokerMessage, delay: float) -> None:
        await self.delayed.add(message.message, delay)


class InProcessJobs(InMemoryBroker):
    """taskiq's in-memory broker running the jobs declared on `broker`, with its middlewares."""

    def __init__(self, jobs: AsyncBroker) -> None:
        super().__init__(max_async_tasks=IN_PROCESS_CONCURRENCY)
        self.receiver = Receiver(
            broker=jobs, executor=self.executor, max_async_tasks=IN_PROCESS_CONCURRENCY
        )
        self._timers: set[asyncio.Task[None]] = set()

    async def kick(self, message: BrokerMessage) -> None:
        # A fresh context, as in a worker: the job must not run inside the kicker's transaction.
        task = asyncio.create_task(
            self.receiver.callback(message=message.message), context=contextvars.Context()
        )
        self._running_tasks.add(task)
        task.add_done_callback(_forget_and_log(self._running_tasks))

    async def kick_later(self, message: BrokerMessage, delay: float) -> None:
        async def later() -> None:
            await asyncio.sleep(delay)
            await self.kick(message)

        timer = asyncio.create_task(later(), context=contextvars.Context())
        self._timers.add(timer)
        timer.add_done_callback(_forget_and_log(self._timers))

    async def shutdown(self) -> None:
        if self._timers:
            logger.warning("%d job retries dropped with the process", len(self._timers))
        for timer in list(self._timers):
            timer.cancel()
        await self.wait_all()
        await super().shutdown()


def _forget_and_log(tasks: set[asyncio.Task[Any]]) -> Callable[[asyncio.Task[Any]], None]:
    def done(task: asyncio.Task[Any]) -> None:
        tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("in-process job crashed", exc_info=task.exception())

    return done


class UnknownJob(LookupError):
    """A job name no module of this process declares."""


class JobBroker(AsyncBroker):
    """Holds the jobs; forwards kicks and listening to the backend chosen by configure_broker."""

    def __init__(self) -> None:
        super().__init__()
        self.settings: Settings | None = None
        self.backend: JobStream | InProcessJobs | None = None
        self._delayed_mover: asyncio.Task[None] | None = None

    def _backend(self) -> JobStream | InProcessJobs:
        if self.backend is None:
            raise RuntimeError("call workers.broker.configure_broker(settings) at process start")
        return self.backend

    async def kick(self, message: BrokerMessage) -> None:
        await self._backend().kick(message)

    async def kick_later(self, message: BrokerMessage, delay: float) -> None:
        """Kick `message` again in `delay` seconds (the retries)."""
        await self._backend().kick_later(message, delay)

    def listen(self) -> AsyncGenerator[bytes | AckableMessage, None]:
        return self._backend().listen()

    def find_task(self, task_name: str) -> AsyncTaskiqDecoratedTask[Any, Any] | None:
        # A job this process does not know (its module missing from JOB_MODULES, or workers
        # older than the API) fails at once and is recorded, instead of being acknowledged
        # and forgotten.
        task = super().find_task(task_name)
        if task is None:

            async def unknown(*args: Any, **kwargs: Any) -> None:
                raise UnknownJob(f"no job named {task_name!r} in this process (JOB_MODULES?)")

            task = AsyncTaskiqDecoratedTask(
                broker=self,
                task_name=task_name,
                original_func=unknown,
                labels={MAX_ATTEMPTS: 1, REDACT: ALL_ARGUMENTS},
            )
        return task

    async def startup(self) -> None:
        backend = self._backend()
        await super().startup()
        await backend.startup()
        if self.is_worker_process and isinstance(backend, JobStream):
            self._delayed_mover = asyncio.create_task(backend.delayed.run())

    async def shutdown(self) -> None:
        if self.backend is not None:
            await jobs.kick_gathered_now()
        if self._delayed_mover is not None:
            self._delayed_mover.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delayed_mover
            self._delayed_mover = None
        if self.backend is not None:
            await self.backend.shutdown()
        await super().shutdown()

    async def wait_all(self) -> None:
        """In-process: wait for the jobs running now (not the retries waiting their turn),
        the ones being gathered kicked first."""
        await jobs.kick_gathered_now()
        if isinstance(self.backend, InProcessJobs):
            await self.backend.wait_all()


broker = JobBroker()
broker.add_middlewares(RetryMiddleware())


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def _open_database(state: TaskiqState) -> None:
    if broker.settings is None:
        raise RuntimeError("call workers.broker.configure_broker(settings) at process start")
    await open_database(broker.settings)
    # What a job publishes (a campaign's inbox messages...) reaches the subscriptions held
    # by the API processes through Redis, as what the API itself publishes does.
    state.fanout = realtime.use_fanout(realtime.fanout_for(broker.settings.redis_url))
    await state.fanout.start()
    await channels.warm_channels()


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def _close_database(state: TaskiqState) -> None:
    realtime.use_fanout(realtime.LocalFanout())
    fanout = getattr(state, "fanout", None)
    if fanout is not None:
        await fanout.close()
    await close_database()


def configure_broker(settings: Settings, job_modules: Iterable[str] | None = None) -> JobBroker:
    """Choose this process's backend and import the modules declaring jobs (JOB_MODULES
    unless given), so that a job kicked by name is known where it runs."""
    broker.settings = settings
    broker.backend = (
        JobStream(settings.redis_url, timedelta(seconds=settings.job_claim_after_seconds))
        if settings.redis_url
        else InProcessJobs(broker)
    )
    import_job_modules(JOB_MODULES if job_modules is None else job_modules)
    jobs.use_broker(broker)
    return broker
