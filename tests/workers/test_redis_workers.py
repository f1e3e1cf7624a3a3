"""Two real `cjeune worker` processes sharing the Redis queue: each job done once, failing
jobs retried with growing delays, then recorded for staff with their secrets masked."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from taskiq.kicker import AsyncKicker

from models.jobs import JobFailure
from push.realtime import RedisFanout
from tests.workers import sample_jobs
from tests.workers.conftest import SAMPLE_JOBS, eventually
from workers.broker import CONSUMER_GROUP, DELAYED, QUEUE

ROOT = Path(__file__).parents[2]
MAX_ATTEMPTS = 3
CLAIM_AFTER_SECONDS = 5  # every job of these tests takes well under that


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    try:  # anything it started is in the process group of its session
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def workers(settings, redis_url, tmp_path_factory) -> Iterator[list[subprocess.Popen]]:
    """Two `cjeune worker` processes on the test database and this module's Redis database."""
    logs = tmp_path_factory.mktemp("workers")
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": redis_url,
        "JOB_MAX_RETRIES": str(MAX_ATTEMPTS),
        "JOB_CLAIM_AFTER_SECONDS": str(CLAIM_AFTER_SECONDS),
        "CJEUNE_DATA_DIR": str(logs),
    }
    command = [sys.executable, "-m", "server", "worker"]
    for module in SAMPLE_JOBS:
        command += ["--jobs", module]
    processes: list[subprocess.Popen] = []
    try:
        for number in range(2):
            with open(logs / f"worker-{number}.log", "w") as log:
                processes.append(
                    subprocess.Popen(
                        command,
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        deadline = time.monotonic() + 30
        for number, process in enumerate(processes):
            log = logs / f"worker-{number}.log"
            while "Listening started" not in log.read_text():
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
        yield processes
    finally:
        for process in processes:
            _stop(process)


async def test_two_workers_run_each_of_200_jobs_exactly_once(workers, redis_broker, redis):
    for number in range(200):
        await sample_jobs.count_execution.kiq(number)

    async def all_counted() -> bool:
        return await redis.hlen("sample:executions") == 200

    await eventually(all_counted, timeout=20)
    await eventually(lambda: _queue_is_empty(redis))  # every job acknowledged
    await asyncio.sleep(0.2)  # a second execution would show up now
    executions = await redis.hgetall("sample:executions")
    assert sorted(int(n) for n in executions) == list(range(200))
    assert set(executions.values()) == {b"1"}
    by_worker = {int(pid): int(n) for pid, n in (await redis.hgetall("sample:by_worker")).items()}
    assert set(by_worker) == {process.pid for process in workers}  # both took a share
    assert sum(by_worker.values()) == 200


async def test_a_job_failing_twice_is_retried_with_growing_delays_and_succeeds(
    workers, redis_broker, redis
):
    key = uuid.uuid4().hex
    task = await sample_jobs.flaky.kiq(key)

    await eventually(lambda: redis.exists(f"sample:flaky:{key}:done"))
    started = [float(t) for t in await redis.lrange(f"sample:flaky:{key}", 0, -1)]
    assert len(started) == 3
    first_wait, second_wait = started[1] - started[0], started[2] - started[1]
    # retry_delay=0.2: 0.15-0.2 s before the second attempt, 0.3-0.4 s before the third.
    assert 0.15 <= first_wait < 0.3 <= second_wait < 0.6, (first_wait, second_wait)
    assert not await JobFailure.filter(task_id=task.task_id).exists()


async def test_a_job_that_always_fails_is_recorded_once_with_its_secrets_masked(
    workers, redis_broker, redis
):
    task = await sample_jobs.always_fails.kiq("lea.martin@example.fr", 1250)

    failure = await eventually(lambda: JobFailure.get_or_none(task_id=task.task_id))
    assert failure.task_name == "sample.always_fails"
    assert failure.attempts == MAX_ATTEMPTS
    assert failure.arguments == {"args": ["[masqué]", 1250], "kwargs": {}, "redacted": ["email"]}
    assert failure.error == "ValueError: refused for [masqué] (1250 cents)"
    assert failure.resolved_at is None
    await eventually(lambda: _queue_is_empty(redis))
    await asyncio.sleep(0.2)
    assert await JobFailure.filter(task_id=task.task_id).count() == 1


async def test_a_job_no_worker_knows_is_recorded_instead_of_dropped(workers, redis_broker, redis):
    task = await AsyncKicker("sample.nobody_declares_this", redis_broker, {}).kiq("secret")

    failure = await eventually(lambda: JobFailure.get_or_none(task_id=task.task_id))
    assert failure.attempts == 1
    assert failure.error.startswith("UnknownJob: no job named 'sample.nobody_declares_this'")
    assert failure.arguments["args"] == ["[masqué]"]


async def test_a_job_a_dead_worker_left_unacknowledged_is_run_by_another_after_the_delay(
    workers, redis_broker, redis
):
    key = uuid.uuid4().hex
    kicker = AsyncKicker("sample.mark", redis_broker, {})
    message = redis_broker.formatter.dumps(kicker._prepare_message(key))
    # A worker that read the job and died: queued and delivered to it in one transaction, so
    # the live workers (blocked on the stream) are served only once it is taken.
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xadd(QUEUE, {b"data": message.message})
        pipe.xreadgroup(CONSUMER_GROUP, "dead-worker", {QUEUE: ">"}, count=1)
        _, delivered = await pipe.execute()
    delivered_at = time.time()
    assert delivered[0][1][0][1][b"data"] == message.message  # the dead worker holds it

    async def run_once() -> bool:
        return await redis.hget(f"sample:mark:{key}", "runs") == b"1"

    await eventually(run_once, timeout=CLAIM_AFTER_SECONDS + 10)
    ran_at = float(await redis.hget(f"sample:mark:{key}", "at"))
    assert ran_at - delivered_at >= CLAIM_AFTER_SECONDS - 0.1  # not taken from a live worker
    await eventually(lambda: _queue_is_empty(redis))  # acknowledged by the one that ran it
    await asyncio.sleep(0.5)
    assert await redis.hget(f"sample:mark:{key}", "runs") == b"1"
    pending = await redis.xpending(QUEUE, CONSUMER_GROUP)
    assert pending["pending"] == 0


async def _queue_is_empty(redis) -> bool:
    return await redis.xlen(QUEUE) == 0 and await redis.zcard(DELAYED) == 0


async def test_an_event_a_job_publishes_reaches_a_subscriber_of_another_process(
    workers, redis_broker, redis_url
):
    """The API holds the subscriptions; a worker's event must cross processes (Redis)."""
    fanout = RedisFanout(redis_url)
    events = fanout.subscribe("user:test-inbox")
    try:
        first = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0.2)  # subscribed
        await sample_jobs.publish_event.kiq("user:test-inbox", "Bonjour")
        event = await asyncio.wait_for(first, timeout=10)
    finally:
        await events.aclose()
        await fanout.close()
    assert event["text"] == "Bonjour"
    assert event["worker"] in {process.pid for process in workers}
