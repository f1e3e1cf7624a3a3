"""Handing work to the background workers by job name, after a commit.

The domain names the job it wants done; it never imports the job modules (which import
the domain). The broker (workers/broker.py) is Redis in production and in-process on the
embedded default.
"""

from __future__ import annotations

import logging

from taskiq.kicker import AsyncKicker

from workers.broker import broker

logger = logging.getLogger(__name__)


async def enqueue(job_name: str, *args: str) -> None:
    """Kick a job. A lost kick is not a lost job: every job here has a sweeper behind it."""
    await AsyncKicker(task_name=job_name, broker=broker, labels={}).kiq(*args)


async def enqueue_later(delay: float, job_name: str, *args: str) -> None:
    """Kick a job in `delay` seconds (Redis: the delayed set every worker watches)."""
    kicker = AsyncKicker(task_name=job_name, broker=broker, labels={})
    # taskiq has no public "kick later": the message is built as kiq() builds it.
    message = kicker._prepare_message(*args)
    await broker.kick_later(broker.formatter.dumps(message), delay)
