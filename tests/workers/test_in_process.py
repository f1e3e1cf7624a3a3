"""The embedded default (no REDIS_URL): a kicked job runs in the kicker's own process."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace

import pytest
from taskiq.exceptions import SendTaskError

from domain.core.transactions import after_commit, atomic
from infra.settings import use_settings
from models.jobs import JobFailure
from tests.workers import sample_jobs
from tests.workers.conftest import eventually
from workers.broker import broker
from workers.retries import backoff_delay


async def test_a_kicked_job_runs_in_this_process_and_event_loop(in_process_broker):
    sample_jobs.NOTES.clear()
    async with atomic():
        await sample_jobs.note.kiq("bonjour")

    async def noted() -> list:
        return sample_jobs.NOTES

    [run] = await eventually(noted)
    assert run["text"] == "bonjour"
    assert run["pid"] == os.getpid()
    assert run["loop"] is asyncio.get_running_loop()


async def test_a_job_failing_in_process_is_retried_then_recorded(settings, in_process_broker):
    use_settings(replace(settings, job_max_retries=2))
    try:
        task = await sample_jobs.always_fails.kiq("tom@example.fr", 300)
        failure = await eventually(lambda: JobFailure.get_or_none(task_id=task.task_id))
    finally:
        use_settings(settings)
    assert failure.attempts == 2
    assert failure.arguments["args"] == ["[masqué]", 300]
    assert "tom@example.fr" not in failure.error


async def test_kicking_before_configure_broker_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(broker, "backend", None)
    with pytest.raises(SendTaskError) as refused:
        await sample_jobs.note.kiq("trop tôt")
    assert "configure_broker(settings)" in str(refused.value.__cause__)


def test_each_wait_is_longer_than_the_one_before_and_capped():
    for jitter in (0.0, 0.5, 1.0):
        waits = [backoff_delay(n, 30, jitter=lambda j=jitter: j) for n in range(1, 10)]
        assert waits[:4] == [w * (1 - 0.25 * jitter) for w in (30, 60, 120, 240)]
        assert max(waits) <= 3600
    slowest_first = backoff_delay(1, 30, jitter=lambda: 0.0)
    fastest_second = backoff_delay(2, 30, jitter=lambda: 1.0)
    assert fastest_second > slowest_first


async def test_items_kicked_together_run_as_one_job_and_later_ones_as_another(in_process_broker):
    from infra import jobs

    sample_jobs.NOTES.clear()

    async def commit(text: str) -> None:
        async with atomic():
            await after_commit(lambda: jobs.enqueue_gathered("sample.note_many", text))

    await asyncio.gather(*(commit(f"n{number}") for number in range(5)))
    await asyncio.sleep(jobs.GATHER_SECONDS * 3)
    await commit("late")
    await broker.wait_all()  # kicks what is being gathered, then waits

    assert [sorted(run["texts"]) for run in sample_jobs.NOTES] == [
        ["n0", "n1", "n2", "n3", "n4"],
        ["late"],
    ]


async def test_a_full_gathering_is_kicked_at_once(in_process_broker, monkeypatch):
    from infra import jobs

    monkeypatch.setattr(jobs, "GATHER_MAX", 3)
    monkeypatch.setattr(jobs, "GATHER_SECONDS", 30.0)
    sample_jobs.NOTES.clear()
    for number in range(3):
        await jobs.enqueue_gathered("sample.note_many", f"n{number}")

    async def noted() -> list:
        return sample_jobs.NOTES

    [run] = await eventually(noted)
    assert run["texts"] == ["n0", "n1", "n2"]
