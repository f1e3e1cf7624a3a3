"""Handing work to the background workers by job name, after a commit.

The code that wants work done names the job; it never imports the job modules (which
import the domain). The broker that carries the kick (workers/broker.py: Redis in
production, in-process on the embedded default) registers itself here when a process
configures it, so domain/ reaches the workers through this seam only.
"""

from __future__ import annotations

import logging
from typing import Any

from taskiq import AsyncBroker
from taskiq.kicker import AsyncKicker

logger = logging.getLogger(__name__)

# The label set when staff re-run a recorded failure: the failure's id.
RETRY_OF = "retry_of"

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
