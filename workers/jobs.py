"""The one list of modules that declare jobs: a worker imports them all before consuming."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

JOB_MODULES: list[str] = [
    "workers.notification_jobs",
    "workers.email_jobs",
    "workers.geocoding_jobs",
    "workers.search_jobs",
    "workers.campaign_jobs",
    "workers.finance_jobs",
    "workers.privacy_jobs",
]


def import_job_modules(modules: Iterable[str] = JOB_MODULES) -> None:
    """Importing a module declares its jobs on `workers.broker.broker`."""
    for module in modules:
        importlib.import_module(module)
