"""Administrators see the jobs that kept failing, run them again or close them; nobody else."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from domain.core.job_failures import record_job_failure
from models.accounts import StaffRole
from models.audit import AuditEntry
from models.jobs import JobFailure
from schema import CJeuneSchema
from schema.jobs import JobMutations, JobQueries
from server.graphql_view import CJeuneGraphQL
from tests.factories import staff_member, token_for
from tests.support import GraphQLClient, error_codes, unique
from tests.workers import sample_jobs
from tests.workers.conftest import eventually

FAILED_JOBS = """query($all: Boolean!) { failedJobs(includeResolved: $all) {
  id taskName error attempts failedAt retriedAt resolvedAt } }"""
RETRY = """mutation($id: ID!) { retryFailedJob(id: $id) {
  __typename ... on FailedJobSuccess { failedJob { id retriedAt resolvedAt } }
  ... on UserError { code message } } }"""
RESOLVE = """mutation($id: ID!) { resolveFailedJob(id: $id) {
  __typename ... on FailedJobSuccess { failedJob { id resolvedAt } }
  ... on UserError { code message } } }"""
FAILED_JOB_FIELDS = '{ __type(name: "FailedJob") { fields { name } } }'


@pytest.fixture
async def jobs_api(settings) -> AsyncIterator[GraphQLClient]:
    """The job fields alone, behind the real authenticating view (root.py composes them)."""
    view = CJeuneGraphQL(CJeuneSchema(query=JobQueries, mutation=JobMutations), settings)
    app = Starlette(routes=[Route("/graphql", view, methods=["GET", "POST"])])
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


async def _failure(task_name: str = "sample.note", **arguments) -> JobFailure:
    return await record_job_failure(
        task_name=task_name,
        task_id=unique("task-"),
        arguments={"args": [], "kwargs": {}, "redacted": [], **arguments},
        error="ConnectionError: FCM ne répond pas",
        attempts=5,
    )


async def test_an_administrator_lists_unresolved_failures_newest_first(gql, jobs_api):
    older, newer = await _failure(), await _failure()
    admin = await token_for(gql, await staff_member(StaffRole.ADMINISTRATOR))

    listed = (await jobs_api.post(FAILED_JOBS, {"all": False}, token=admin))["data"]["failedJobs"]
    ids = [job["id"] for job in listed]
    assert ids.index(str(newer.id)) < ids.index(str(older.id))
    shown = listed[ids.index(str(newer.id))]
    assert shown["taskName"] == "sample.note" and shown["attempts"] == 5
    assert shown["error"] == "ConnectionError: FCM ne répond pas"
    fields = (await jobs_api.post(FAILED_JOB_FIELDS, token=admin))["data"]["__type"]["fields"]
    assert "arguments" not in {f["name"] for f in fields}  # never shown, even masked


async def test_a_retried_job_runs_again_and_its_success_closes_the_failure(
    gql, jobs_api, in_process_broker
):
    sample_jobs.NOTES.clear()
    failure = await _failure(args=["relancé"])
    admin = await token_for(gql, await staff_member(StaffRole.ADMINISTRATOR))

    retried = (await jobs_api.post(RETRY, {"id": str(failure.id)}, token=admin))["data"]
    assert retried["retryFailedJob"]["failedJob"]["retriedAt"] is not None

    async def closed() -> bool:
        return (await JobFailure.get(id=failure.id)).resolved_at is not None

    await eventually(closed)
    assert [note["text"] for note in sample_jobs.NOTES] == ["relancé"]
    again = (await jobs_api.post(RETRY, {"id": str(failure.id)}, token=admin))["data"]
    assert again["retryFailedJob"]["code"] == "INVALID_STATE"
    assert (
        await AuditEntry.filter(action="job_failure.retried", object_id=str(failure.id)).count()
        == 1
    )
    listed = (await jobs_api.post(FAILED_JOBS, {"all": False}, token=admin))["data"]["failedJobs"]
    assert str(failure.id) not in [job["id"] for job in listed]


async def test_a_job_whose_arguments_were_masked_cannot_be_retried(
    gql, jobs_api, in_process_broker
):
    failure = await _failure(args=["[masqué]", 1250], redacted=["email"])
    admin = await token_for(gql, await staff_member(StaffRole.ADMINISTRATOR))

    refused = (await jobs_api.post(RETRY, {"id": str(failure.id)}, token=admin))["data"]
    assert refused["retryFailedJob"]["code"] == "JOB_NOT_RETRYABLE"
    assert (await JobFailure.get(id=failure.id)).retried_at is None


async def test_an_administrator_closes_a_failure_once(gql, jobs_api):
    failure = await _failure()
    admin = await token_for(gql, await staff_member(StaffRole.ADMINISTRATOR))

    closed = (await jobs_api.post(RESOLVE, {"id": str(failure.id)}, token=admin))["data"]
    resolved_at = closed["resolveFailedJob"]["failedJob"]["resolvedAt"]
    assert resolved_at is not None
    again = (await jobs_api.post(RESOLVE, {"id": str(failure.id)}, token=admin))["data"]
    assert again["resolveFailedJob"]["failedJob"]["resolvedAt"] == resolved_at
    assert (
        await AuditEntry.filter(action="job_failure.resolved", object_id=str(failure.id)).count()
        == 1
    )
    everything = (await jobs_api.post(FAILED_JOBS, {"all": True}, token=admin))["data"]
    assert str(failure.id) in [job["id"] for job in everything["failedJobs"]]
    unknown = await jobs_api.post(
        RESOLVE, {"id": "0b7e7a5e-0000-4000-8000-000000000000"}, token=admin
    )
    assert unknown["data"]["resolveFailedJob"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("role", [StaffRole.SUPPORT, StaffRole.FINANCE, None])
async def test_only_administrators_see_or_touch_failed_jobs(gql, jobs_api, role):
    failure = await _failure()
    token = await token_for(gql, await staff_member(role)) if role else None
    expected = "FORBIDDEN" if role else "UNAUTHENTICATED"
    for query, variables in (
        (FAILED_JOBS, {"all": True}),
        (RETRY, {"id": str(failure.id)}),
        (RESOLVE, {"id": str(failure.id)}),
    ):
        refused = await jobs_api.post(query, variables, token=token)
        assert error_codes(refused) == [expected]
    unchanged = await JobFailure.get(id=failure.id)
    assert unchanged.retried_at is None and unchanged.resolved_at is None
