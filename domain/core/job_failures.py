"""Background jobs that kept failing: recorded for staff, who re-run or close them.

A failure is one row per incident: when staff re-run it, a success closes the row and a new
final failure updates it (new error, new attempt count), rather than adding another.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.accounts.viewer import Viewer
from domain.core import audit, clock
from domain.core.errors import DomainError, ErrorCode, not_found
from domain.core.transactions import atomic
from infra import jobs
from models.jobs import JobFailure

REDACTED = "[masqué]"


async def record_job_failure(
    *,
    task_name: str,
    task_id: str,
    arguments: dict[str, Any],
    error: str,
    attempts: int,
    retry_of: UUID | None = None,
) -> JobFailure:
    """Called by the worker once a job has spent its attempts. `arguments` are redacted."""
    if retry_of is not None:
        reopened = await JobFailure.filter(id=retry_of).update(
            error=error, attempts=attempts, failed_at=clock.now(), retried_at=None
        )
        if reopened:
            return await JobFailure.get(id=retry_of)
    return await JobFailure.create(
        task_name=task_name, task_id=task_id, arguments=arguments, error=error, attempts=attempts
    )


async def close_retried_failure(failure_id: UUID) -> None:
    """The re-run of a recorded failure succeeded."""
    await JobFailure.filter(id=failure_id, resolved_at=None).update(resolved_at=clock.now())


async def list_failures(*, limit: int, include_resolved: bool = False) -> list[JobFailure]:
    """Newest first."""
    query = JobFailure.all() if include_resolved else JobFailure.filter(resolved_at=None)
    return await query.order_by("-failed_at").limit(limit)


async def retry_failure(viewer: Viewer, failure_id: UUID) -> JobFailure:
    """Kick the job again with its stored arguments, with a fresh set of attempts."""
    failure = await JobFailure.get_or_none(id=failure_id)
    if failure is None:
        raise not_found("Échec de job")
    if failure.resolved_at is not None:
        raise DomainError(ErrorCode.INVALID_STATE, "Cet échec est déjà clos.")
    if failure.arguments.get("redacted"):
        raise DomainError(
            ErrorCode.JOB_NOT_RETRYABLE,
            "Ce job contenait des données personnelles, qui n'ont pas été conservées : "
            "il ne peut pas être relancé d'ici.",
        )
    async with atomic():
        now = clock.now()
        # The row count decides between two administrators clicking at once.
        claimed = await JobFailure.filter(id=failure.id, resolved_at=None, retried_at=None).update(
            retried_at=now
        )
        if not claimed:
            raise DomainError(
                ErrorCode.INVALID_STATE, "Ce job a déjà été relancé : attendez son résultat."
            )
        # Kicked inside the transaction: if Redis refuses it, nothing is marked as retried.
        await jobs.enqueue(
            failure.task_name,
            *failure.arguments.get("args", []),
            labels={jobs.RETRY_OF: str(failure.id)},
            **failure.arguments.get("kwargs", {}),
        )
        await audit.record(
            viewer, "job_failure.retried", failure, after={"task": failure.task_name}
        )
    failure.retried_at = now
    return failure


async def resolve_failure(viewer: Viewer, failure_id: UUID) -> JobFailure:
    """Staff have dealt with it; closing a closed failure changes nothing."""
    async with atomic():
        closed = await JobFailure.filter(id=failure_id, resolved_at=None).update(
            resolved_at=clock.now()
        )
        failure = await JobFailure.get_or_none(id=failure_id)
        if failure is None:
            raise not_found("Échec de job")
        if closed:
            await audit.record(
                viewer, "job_failure.resolved", failure, after={"task": failure.task_name}
            )
    return failure
