"""Handing work to the background workers by job name, after a commit.

The code that wants work done names the job; it never imports the job modules (which
import the domain). The broker that carries the kick (workers/broker.py: Redis in
production, in-process on the embedded default) registers itself here when a process
configures it, so domain/ reaches the workers through this seam only.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from typing import Any

from taskiq import AsyncBroker
from taskiq.kicker import AsyncKicker

logger = logging.getLogger(__name__)

# The label set when staff re-run a recorded failure: the failure's id.
RETRY_OF = "retry_of"
# `enqueue_gathered`: the items given within this long in a process go in one job.
GATHER_SECONDS = 0.02
GATHER_MAX = 100

_broker: AsyncBroker | None = None


def use_broker(broker: AsyncBroker) -> None:
    """Called by workers.broker.configure_broker in every process (API, worker, tests)."""
    global _broker
    _broker = broker


def _current() -> AsyncBroker:
    if _broker is None:
        raise RuntimeError("call workers.broker.configure_broker(settings) at process start")
    return _broker


async def enqueue(
    job_name: str, *args: Any, labels: dict[str, Any] | None = None, **kwargs: Any
) -> None:
    """Kick a job. A lost kick is not a lost job: every job here has a sweeper behind it."""
    await AsyncKicker(task_name=job_name, broker=_current(), labels=labels or {}).kiq(
        *args, **kwargs
    )


async def enqueue_later(delay: float, job_name: str, *args: str) -> None:
    """Kick a job in `delay` seconds (Redis: the delayed set every worker watches)."""
    broker = _current()
    kicker: AsyncKicker[..., Any] = AsyncKicker(task_name=job_name, broker=broker, labels={})
    # taskiq has no public "kick later": the message is built as kiq() builds it.
    message = kicker._prepare_message(*args)
    await broker.kick_later(broker.formatter.dumps(message), delay)  # type: ignore[attr-defined]


_gathered: dict[str, list[str]] = {}
_timers: dict[str, asyncio.Task[None]] = {}


async def enqueue_gathered(job_name: str, item: str) -> None:
    """Kick `job_name` with `item`, together with the items this process gives it in the next
    GATHER_SECONDS (at most GATHER_MAX): one job, one kick and one run for what concurrent
    requests committed together (the job takes them as `*items`). A process that dies
    meanwhile loses the kick, not the work: the job's sweeper finds it."""
    items = _gathered.setdefault(job_name, [])
    items.append(item)
    if len(items) >= GATHER_MAX:
        timer = _timers.pop(job_name, None)
        if timer is not None and not timer.done():
            timer.cancel()
        await _kick_gathered(job_name)
        return
    timer = _timers.get(job_name)
    if timer is None or timer.done() or timer.get_loop() is not asyncio.get_running_loop():
        # A fresh context: the kick must not join the committing request's Redis batch.
        _timers[job_name] = asyncio.create_task(
            _kick_after_gathering(job_name), context=contextvars.Context()
        )


async def _kick_after_gathering(job_name: str) -> None:
    await asyncio.sleep(GATHER_SECONDS)
    await _kick_gathered(job_name)


async def _kick_gathered(job_name: str) -> None:
    items = _gathered.pop(job_name, [])
    if items:
        try:
            await enqueue(job_name, *items)
        except Exception:  # after the commit, as any after-commit kick: the sweeper catches up
            logger.exception("kick of %s for %d item(s) failed", job_name, len(items))


async def kick_gathered_now() -> None:
    """Kick what is being gathered (a process stopping; tests waiting for the jobs)."""
    for job_name in list(_gathered):
        timer = _timers.pop(job_name, None)
        if timer is not None and not timer.done():
            timer.cancel()
        await _kick_gathered(job_name)
