"""The data-rights jobs: building a young person's copy of their data; the nightly
retention purge."""

from __future__ import annotations

from uuid import UUID

from domain.privacy.export import (
    BUILD_EXPORT_JOB,
    BUILD_PARENT_EXPORT_JOB,
    build_export,
    build_export_for_parent,
)
from domain.privacy.retention import purge_expired
from workers.broker import broker

RETENTION_JOB = "privacy.retention"


@broker.task(task_name=BUILD_EXPORT_JOB, retry_delay=60)
async def build_data_export(user_id: str) -> None:
    """A retry builds a new archive (and replaces the first): safe."""
    await build_export(UUID(user_id))


@broker.task(task_name=BUILD_PARENT_EXPORT_JOB, retry_delay=60)
async def build_data_export_for_parent(user_id: str, consent_id: str) -> None:
    """A parent's request through the support desk: the link goes to the parent on record."""
    await build_export_for_parent(UUID(user_id), UUID(consent_id))


@broker.task(task_name=RETENTION_JOB, retry_delay=600)
async def purge_expired_data() -> None:
    """Nightly: what is past its period is deleted; a second run finds nothing more."""
    await purge_expired()
