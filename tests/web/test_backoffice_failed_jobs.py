"""Tâches en échec (administrators): the failed jobs, a retry refused when its arguments
were masked, a failure closed; other roles have no tab and are refused."""

from __future__ import annotations

import uuid

from domain.core.job_failures import record_job_failure
from models.accounts import StaffRole
from models.jobs import JobFailure
from tests.factories import staff_member
from tests.web.support import text_of


async def a_failure(redacted: bool = False) -> JobFailure:
    return await record_job_failure(
        task_name="notifications.dispatch",
        task_id=uuid.uuid4().hex,
        arguments={"redacted": True} if redacted else {"args": [], "kwargs": {}},
        error="ConnectionRefusedError: SMTP injoignable",
        attempts=5,
    )


async def test_an_administrator_sees_failed_jobs_and_closes_one(browser):
    masked, other = await a_failure(redacted=True), await a_failure()
    await browser.sign_in((await staff_member(StaffRole.ADMINISTRATOR)).email)
    home = await browser.get("/departement/")
    assert 'id="tab-taches"' in home.text

    listed = await browser.get("/departement/taches")
    assert f'id="job-{masked.id}"' in listed.text and "SMTP injoignable" in text_of(listed)
    refused = await browser.post(f"/departement/taches/{masked.id}/relance")
    assert refused.status_code == 422 and "ne peut pas être relancé" in text_of(refused)
    closed = await browser.post(f"/departement/taches/{other.id}/traitee")

    assert closed.status_code == 303
    after = await browser.follow(closed)
    assert "La tâche est marquée comme traitée" in text_of(after)
    assert f'id="job-{other.id}"' not in after.text
    assert (await JobFailure.get(id=other.id)).resolved_at is not None


async def test_the_failed_jobs_are_the_administrators_only(browser):
    failure = await a_failure()
    await browser.sign_in((await staff_member(StaffRole.SUPPORT)).email)
    home = await browser.get("/departement/")
    assert "/departement/taches" not in home.text
    assert (await browser.get("/departement/taches")).status_code == 403
    refused = await browser.post(f"/departement/taches/{failure.id}/traitee")
    assert refused.status_code == 403
    assert (await JobFailure.get(id=failure.id)).resolved_at is None
