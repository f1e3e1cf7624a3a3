"""Resolvers for the jobs that kept failing (administrators only, by the fields' rules).

They answer models; schema/jobs.py, which composes the fields, shapes them.
"""

from __future__ import annotations

import strawberry

from domain.core import job_failures
from models.jobs import JobFailure
from resolvers.arguments import parse_id
from resolvers.context import Info

MAX_PAGE = 100


async def failed_jobs(info: Info, first: int, include_resolved: bool) -> list[JobFailure]:
    return await job_failures.list_failures(
        limit=max(1, min(first, MAX_PAGE)), include_resolved=include_resolved
    )


async def retry_failed_job(info: Info, id: strawberry.ID) -> JobFailure:
    return await job_failures.retry_failure(info.context.viewer, parse_id(id, "id"))


async def resolve_failed_job(info: Info, id: strawberry.ID) -> JobFailure:
    return await job_failures.resolve_failure(info.context.viewer, parse_id(id, "id"))
