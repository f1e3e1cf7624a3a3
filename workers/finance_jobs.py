"""The finance jobs: closing the fortnight that ended, and the evening collection report."""

from __future__ import annotations

from domain.core import clock
from domain.finance.daily_collection import send_daily_collection
from domain.finance.reimbursements import close_ended_periods
from workers.broker import broker

CLOSE_PERIODS_JOB = "finance.close_periods"
DAILY_COLLECTION_JOB = "finance.daily_collection"


@broker.task(task_name=CLOSE_PERIODS_JOB, retry_delay=600)
async def close_periods() -> None:
    """Nightly: closing an already closed period changes nothing, so a retry is safe."""
    await close_ended_periods()


@broker.task(task_name=DAILY_COLLECTION_JOB, retry_delay=300)
async def daily_collection() -> None:
    """Each evening: a partner already reported today is skipped, so a retry is safe."""
    await send_daily_collection(clock.paris_today())
