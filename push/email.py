"""Email delivery: French HTML + plain-text messages rendered from Jinja2 templates.

Two senders behind one interface: `OutboxSender` (the embedded default) writes `.eml`
files to an outbox folder; `SmtpSender` sends through an SMTP server with aiosmtplib.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from server.settings import Settings, get_settings

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates" / "email"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    template: str
    context: dict[str, Any]


def render(email: OutgoingEmail, settings: Settings) -> EmailMessage:
    context = {**email.context, "public_url": settings.public_url}
    subject = _templates.get_template(f"{email.template}.subject.txt").render(context).strip()
    message = EmailMessage()
    message["From"] = settings.email_from
    message["To"] = email.to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="cjeunedeprovence.fr")
    message.set_content(_templates.get_template(f"{email.template}.txt").render(context))
    message.add_alternative(
        _templates.get_template(f"{email.template}.html").render(context), subtype="html"
    )
    return message


class EmailSender(Protocol):
    async def send(self, messages: list[EmailMessage]) -> None: ...


class OutboxSender:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, messages: list[EmailMessage]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for message in messages:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(bytes(message))


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, messages: list[EmailMessage]) -> None:
        s = self.settings
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_tls == "implicit",
            start_tls=True if s.smtp_tls == "starttls" else False,
            timeout=30,
        )
        async with smtp:
            if s.smtp_username:
                await smtp.login(s.smtp_username, s.smtp_password or "")
            for message in messages:  # one connection for the whole batch
                await smtp.send_message(message)


def email_sender(settings: Settings) -> EmailSender:
    if settings.email_backend == "smtp":
        return SmtpSender(settings)
    return OutboxSender(settings.outbox_dir)


async def send_emails(emails: list[OutgoingEmail]) -> None:
    settings = get_settings()
    await email_sender(settings).send([render(email, settings) for email in emails])
