"""Background jobs that kept failing after their retries: kept for staff, never dropped."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


class JobFailure(Model):
    """A job that exhausted its retries, kept for staff to see and run again."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    task_name = fields.CharField(max_length=200)
    task_id = fields.CharField(max_length=64)
    arguments: dict[str, Any] = fields.JSONField(default=dict)  # redacted: no secrets, no tokens
    error = fields.TextField()
    attempts = fields.IntField()
    failed_at = fields.DatetimeField(auto_now_add=True)
    retried_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job_failures"
        indexes = (("resolved_at", "failed_at"),)
