"""Background jobs that kept failing: administrators list them, run them again, close them.

`JobQueries` and `JobMutations` are composed into the root types (schema/root.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from models.jobs import JobFailure
from resolvers import jobs
from resolvers.context import Info
from resolvers.permissions import ADMINISTRATOR, allow
from schema.errors import UserError, user_errors


@strawberry.type(
    description="A background job that kept failing after its retries (arguments not shown)."
)
class FailedJob:
    id: strawberry.ID
    task_name: str
    error: str
    attempts: int
    failed_at: datetime
    retried_at: datetime | None
    resolved_at: datetime | None

    @classmethod
    def from_model(cls, failure: JobFailure) -> FailedJob:
        return cls(
            id=strawberry.ID(str(failure.id)),
            task_name=failure.task_name,
            error=failure.error,
            attempts=failure.attempts,
            failed_at=failure.failed_at,
            retried_at=failure.retried_at,
            resolved_at=failure.resolved_at,
        )


@strawberry.type
class FailedJobSuccess:
    failed_job: FailedJob


FailedJobResult = Annotated[FailedJobSuccess | UserError, strawberry.union("FailedJobResult")]


def _answer(result: JobFailure) -> FailedJobResult:
    return FailedJobSuccess(failed_job=FailedJob.from_model(result))


@strawberry.type
class JobQueries:
    @strawberry.field(extensions=allow(ADMINISTRATOR), description="Newest first.")
    async def failed_jobs(
        self, info: Info, first: int = 50, include_resolved: bool = False
    ) -> list[FailedJob]:
        return [
            FailedJob.from_model(f) for f in await jobs.failed_jobs(info, first, include_resolved)
        ]


@strawberry.type
class JobMutations:
    @strawberry.mutation(
        extensions=allow(ADMINISTRATOR),
        description="Run the job again with its stored arguments (not when they were masked).",
    )
    @user_errors
    async def retry_failed_job(self, info: Info, id: strawberry.ID) -> FailedJobResult:
        return _answer(await jobs.retry_failed_job(info, id))

    @strawberry.mutation(
        extensions=allow(ADMINISTRATOR), description="Mark it dealt with; it leaves the list."
    )
    @user_errors
    async def resolve_failed_job(self, info: Info, id: strawberry.ID) -> FailedJobResult:
        return _answer(await jobs.resolve_failed_job(info, id))
