"""Sending an account email once the change that causes it has committed, through a job."""

from __future__ import annotations

import json

from domain.core.transactions import after_commit
from infra.jobs import enqueue
from push.email import OutgoingEmail

SEND_EMAIL_JOB = "emails.send"


async def email_after_commit(email: OutgoingEmail) -> None:
    """Retried with backoff by the workers; nothing is sent if the transaction rolls back."""
    if email.attachments or email.headers or email.unsubscribe_url:
        raise ValueError("account emails are plain messages; campaigns have their own path")
    context = json.dumps(email.context, default=str)
    await after_commit(lambda: enqueue(SEND_EMAIL_JOB, email.to, email.template, context))
