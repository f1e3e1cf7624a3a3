"""The account emails (verification, password reset, invitations, parental consent): sent by
a job, so that an SMTP server that is down delays them instead of losing them."""

from __future__ import annotations

import json

from domain.accounts.outgoing_email import SEND_EMAIL_JOB
from push.email import OutgoingEmail, send_emails
from workers.broker import broker


@broker.task(task_name=SEND_EMAIL_JOB, redact=("context",), retry_delay=20)
async def send_account_email(to: str, template: str, context: str) -> None:
    """`context` carries single-use links: never stored with a failure (redacted)."""
    await send_emails([OutgoingEmail(to, template, json.loads(context))])
