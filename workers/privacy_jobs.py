"""The data-rights jobs: building a young person's copy of their data."""

from __future__ import annotations

from uuid import UUID

from domain.privacy.export import BUILD_EXPORT_JOB, build_export
from workers.broker import broker


@broker.task(task_name=BUILD_EXPORT_JOB, retry_delay=60)
async def build_data_export(user_id: str) -> None:
    """A retry builds a new archive (and replaces the first): safe."""
    await build_export(UUID(user_id))
