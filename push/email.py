"""Email delivery: French HTML + plain-text messages rendered from Jinja2 templates.

Two senders behind one interface: `OutboxSender` (the embedded default) writes `.eml`
files to an outbox folder; `SmtpSender` sends through an SMTP server with aiosmtplib, over
one connection per batch, and reports what became of each message (`send_each`).

Marketing messages carry an unsubscribe URL: the RFC 8058 one-click headers are added and
the link is shown in both parts. A message given a `stable_id` (a notification id and its
channel) keeps the same Message-ID when it is sent again, so a retry is recognisable.
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import re
import ssl
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from infra.settings import Settings, get_settings
from push.smtp_pipeline import Envelope, Pipeline, PipelineBroken, Reply, is_pipelinable

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates" / "email"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)

# Headers `render` sets itself; `OutgoingEmail.headers` may not replace them.
_RESERVED_HEADERS = {
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "list-unsubscribe",
    "list-unsubscribe-post",
}
_UNSUBSCRIBE_TEXT = (
    "Vous recevez ce message car vous avez accepté les informations de CJeune de Provence.\n"
    "Pour ne plus les recevoir, ouvrez ce lien : {url}\n"
)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"  # "application/pdf", "text/csv"...


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    template: str
    context: Mapping[str, Any]
    attachments: tuple[Attachment, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    # Marketing only: the person's own signed link (push.unsubscribe.unsubscribe_url).
    unsubscribe_url: str | None = None
    # e.g. f"{notification.id}/email": the same key always gives the same Message-ID.
    stable_id: str | None = None


def _mail_domain(settings: Settings) -> str:
    address = parseaddr(settings.email_from)[1]
    return address.rpartition("@")[2] or "cjeunedeprovence.fr"


def message_id(settings: Settings, stable_id: str | None = None) -> str:
    """A new Message-ID, or the one derived from `stable_id` (the same on every retry)."""
    if stable_id is None:
        return make_msgid(domain=_mail_domain(settings))
    digest = hashlib.sha256(stable_id.encode()).hexdigest()[:40]
    return f"<{digest}@{_mail_domain(settings)}>"


def render(email: OutgoingEmail, settings: Settings) -> EmailMessage:
    context = {
        **email.context,
        "public_url": settings.public_url,
        "unsubscribe_url": email.unsubscribe_url,
        "hotline_phone": settings.hotline_phone,
        "assistance_email": settings.assistance_email,
    }
    subject = _templates.get_template(f"{email.template}.subject.txt").render(context).strip()
    text = _templates.get_template(f"{email.template}.txt").render(context)
    html = _templates.get_template(f"{email.template}.html").render(context)
    message = EmailMessage()
    message["From"] = settings.email_from
    message["To"] = email.to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id(settings, email.stable_id)
    if email.unsubscribe_url:
        if str(escape(email.unsubscribe_url)) not in html:
            raise ValueError(f"template {email.template} must extend _layout.html")
        text = text.rstrip("\n") + "\n\n" + _UNSUBSCRIBE_TEXT.format(url=email.unsubscribe_url)
        # RFC 8058: mail clients show their own button, which POSTs to the URL.
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in email.headers.items():
        if name.lower() in _RESERVED_HEADERS:
            raise ValueError(f"header {name} is set by render()")
        message[name] = value  # a value with a line break raises ValueError
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


@dataclass(frozen=True)
class RawEmail:
    """A message already serialised for SMTP (CRLF line endings), with its envelope."""

    sender: str
    to: str
    data: bytes
    message_id: str

    def __bytes__(self) -> bytes:
        return self.data


Message = EmailMessage | RawEmail

# Stand-ins for what differs between recipients, rendered once in place of the real values.
_FIRST_NAME = "QqCJeuneFirstNameQq"
_UNSUBSCRIBE = "https://qq.cjeune.invalid/QqCJeuneUnsubscribeQq"
_FOLD = email_policy.SMTP  # the generator's policy when aiosmtplib sends an EmailMessage


def _fold(name: str, value: str) -> str:
    """The header as the generator writes it: RFC 2047 words for non-ASCII, folded."""
    return _FOLD.header_factory(name, value).fold(policy=_FOLD)


def _qp(text: str) -> bytes:
    """Quoted-printable of a UTF-8 text part, CRLF line endings (binascii: C, not Python)."""
    return binascii.b2a_qp(text.encode(), istext=True).replace(b"\n", b"\r\n")


class BulkEmail:
    """One template and context for many recipients: Jinja and the MIME layout run once (per
    variant: with or without a first name); each recipient's message is then the prebuilt
    bytes with the first name, the unsubscribe link (body and RFC 8058 headers), To and
    Message-ID put in. The same message as `render` gives, in substance; `render_for`
    falls back to `render` for what the fast path cannot build (a non-ASCII address...).
    """

    def __init__(
        self,
        template: str,
        context: Mapping[str, Any],
        settings: Settings,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.template, self.context, self.settings = template, dict(context), settings
        self.headers = dict(headers or {})
        for name, value in self.headers.items():
            if name.lower() in _RESERVED_HEADERS or "\n" in value or "\r" in value:
                raise ValueError(f"header {name} cannot be set")
        self.sender = parseaddr(settings.email_from)[1]
        self.domain = _mail_domain(settings)
        self._variants: dict[bool, tuple[bytes, list[str], list[str], bytes] | None] = {}

    def _variant(self, with_name: bool) -> tuple[bytes, list[str], list[str], bytes] | None:
        if with_name not in self._variants:
            self._variants[with_name] = self._prepare(with_name)
        return self._variants[with_name]

    def _prepare(self, with_name: bool) -> tuple[bytes, list[str], list[str], bytes] | None:
        context = {
            **self.context,
            "first_name": _FIRST_NAME if with_name else "",
            "public_url": self.settings.public_url,
            "unsubscribe_url": _UNSUBSCRIBE,
        }
        get = _templates.get_template
        subject = get(f"{self.template}.subject.txt").render(context).strip()
        text = get(f"{self.template}.txt").render(context)
        html = get(f"{self.template}.html").render(context)
        if _FIRST_NAME in subject or _UNSUBSCRIBE in subject or _UNSUBSCRIBE not in html:
            return None  # not a layout the fast path knows: render() for each
        text = text.rstrip("\n") + "\n\n" + _UNSUBSCRIBE_TEXT.format(url=_UNSUBSCRIBE)
        # Split at the stand-ins: even positions are fixed text, odd ones the values.
        text_parts = re.split(f"({_FIRST_NAME}|{re.escape(_UNSUBSCRIBE)})", text)
        html_parts = re.split(f"({_FIRST_NAME}|{re.escape(_UNSUBSCRIBE)})", html)
        boundary = f"==============={uuid.uuid4().int % 10**19}=="
        head = "".join(
            _fold(name, value)
            for name, value in (
                ("From", self.settings.email_from),
                ("Subject", subject),
                ("Date", format_datetime(datetime.now(UTC))),
            )
        )
        head += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        head += "".join(_fold(name, value) for name, value in self.headers.items())
        head += (
            "MIME-Version: 1.0\r\n"
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
        )
        part = (
            'Content-Type: text/{}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        tail = (
            f"--{boundary}\r\n{part.format('plain')}",
            f"\r\n--{boundary}\r\n{part.format('html')}",
            f"\r\n--{boundary}--\r\n",
        )
        return head.encode(), text_parts, html_parts, "\x00".join(tail).encode()

    def render_for(self, to: str, first_name: str, unsubscribe_url: str, stable_id: str) -> Message:
        variant = self._variant(bool(first_name))
        if (
            variant is None
            or not (to.isascii() and unsubscribe_url.isascii())
            or any(c in to or c in unsubscribe_url or c in first_name for c in "\r\n")
            or len(to) > 900
        ):
            return render(self._outgoing(to, first_name, unsubscribe_url, stable_id), self.settings)
        head, text_parts, html_parts, tail = variant
        values = {_FIRST_NAME: first_name, _UNSUBSCRIBE: unsubscribe_url}
        escaped = {k: str(escape(v)) for k, v in values.items()}
        text = "".join(values.get(p, p) if i % 2 else p for i, p in enumerate(text_parts))
        html = "".join(escaped.get(p, p) if i % 2 else p for i, p in enumerate(html_parts))
        msgid = message_id(self.settings, stable_id)
        start, middle, end = tail.split(b"\x00")
        data = b"".join(
            (
                f"To: {to}\r\nMessage-ID: {msgid}\r\n"
                f"List-Unsubscribe: <{unsubscribe_url}>\r\n".encode(),
                head,
                start,
                _qp(text),
                middle,
                _qp(html),
                end,
            )
        )
        return RawEmail(self.sender, to, data, msgid)

    def _outgoing(self, to: str, first_name: str, url: str, stable_id: str) -> OutgoingEmail:
        return OutgoingEmail(
            to=to,
            template=self.template,
            context={**self.context, "first_name": first_name},
            headers=self.headers,
            unsubscribe_url=url,
            stable_id=stable_id,
        )


class EmailDeliveryError(Exception):
    """Why a message was not sent. `permanent`: sending it again will fail the same way.
    `address_refused`: the server refused the recipient's address itself (at RCPT), which
    a campaign counts as a bounce."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        code: int | None = None,
        address_refused: bool = False,
    ) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.code = code
        self.address_refused = address_refused


class SendOutcome(NamedTuple):
    message: Message
    ok: bool
    error: EmailDeliveryError | None = None


class EmailSender(Protocol):
    async def send_each(self, messages: Sequence[Message]) -> list[SendOutcome]:
        """One outcome per message, in order; never raises for a delivery failure."""
        ...

    async def send(self, messages: Sequence[Message]) -> None:
        """Send them all; raises EmailDeliveryError if any was not sent."""
        ...

    async def deliver(self, emails: list[OutgoingEmail]) -> list[SendOutcome]:
        """Render with the sender's settings, then `send_each`."""
        ...

    def session(self) -> contextlib.AbstractAsyncContextManager[EmailSession]:
        """Several `send_each` calls over one connection."""
        ...


class EmailSession(Protocol):
    async def send_each(self, messages: Sequence[Message]) -> list[SendOutcome]: ...


def _raise_failures(outcomes: list[SendOutcome]) -> None:
    failed = [o for o in outcomes if not o.ok]
    if failed:
        first = failed[0].error
        raise EmailDeliveryError(
            f"{len(failed)} of {len(outcomes)} emails not sent; first: {first}",
            permanent=all(o.error is not None and o.error.permanent for o in failed),
        ) from first


class OutboxSender:
    def __init__(self, folder: Path, settings: Settings | None = None) -> None:
        self.folder = folder
        self.settings = settings

    async def send_each(self, messages: Sequence[Message]) -> list[SendOutcome]:
        outcomes = []
        for message in messages:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                path.write_bytes(bytes(message))
            except OSError as error:
                failure = EmailDeliveryError(f"cannot write {path}: {error}")
                outcomes.append(SendOutcome(message, False, failure))
            else:
                outcomes.append(SendOutcome(message, True))
        return outcomes

    async def send(self, messages: Sequence[Message]) -> None:
        _raise_failures(await self.send_each(messages))

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[OutboxSender]:
        yield self

    async def deliver(self, emails: list[OutgoingEmail]) -> list[SendOutcome]:
        settings = self.settings or get_settings()
        return await self.send_each([render(email, settings) for email in emails])


class _ConnectionLost(Exception):
    pass


class _SmtpSession:
    def __init__(self, sender: SmtpSender) -> None:
        self.sender = sender
        self.smtp: aiosmtplib.SMTP | None = None
        self.pipeline: Pipeline | None = None

    async def send_each(self, messages: Sequence[Message]) -> list[SendOutcome]:
        envelopes = [
            Envelope(m.sender, m.to, m.data, m) for m in messages if isinstance(m, RawEmail)
        ]
        if envelopes and len(envelopes) == len(messages) and all(map(is_pipelinable, envelopes)):
            return await self._send_pipelined(envelopes)
        await self._close_pipeline()
        return await self._send_one_by_one(messages)

    async def _send_one_by_one(self, messages: Sequence[Message]) -> list[SendOutcome]:
        outcomes: list[SendOutcome] = []
        for index, message in enumerate(messages):
            for attempt in (1, 2):
                if self.smtp is None or not self.smtp.is_connected:
                    try:
                        self.smtp = await self.sender._connect()
                    except EmailDeliveryError as error:  # this one and the rest wait
                        outcomes += [SendOutcome(m, False, error) for m in messages[index:]]
                        return outcomes
                try:
                    await self.sender._send_one(self.smtp, message)
                except EmailDeliveryError as error:
                    outcomes.append(SendOutcome(message, False, error))
                except _ConnectionLost as lost:
                    self.smtp.close()
                    if attempt == 1:
                        continue
                    error = EmailDeliveryError(
                        f"connection to {self.sender._server} lost twice: {lost}"
                    )
                    outcomes += [SendOutcome(m, False, error) for m in messages[index:]]
                    return outcomes
                else:
                    outcomes.append(SendOutcome(message, True))
                break
        return outcomes

    async def _send_pipelined(self, envelopes: list[Envelope]) -> list[SendOutcome]:
        """The same outcomes as one by one (a dropped connection is opened again once per
        email), with the transactions pipelined when the server offers PIPELINING."""
        outcomes: list[SendOutcome] = []
        retried: int | None = None  # the email already retried on a new connection
        while len(outcomes) < len(envelopes):
            rest = envelopes[len(outcomes) :]
            if self.pipeline is None or not self.pipeline.is_open:
                try:
                    self.pipeline = await self._open_pipeline()
                except EmailDeliveryError as error:
                    return outcomes + [SendOutcome(e.ref, False, error) for e in rest]
                if self.pipeline is None:  # no PIPELINING: one reply at a time
                    return outcomes + await self._send_one_by_one([e.ref for e in rest])
            try:
                outcomes += await self.pipeline.send_each(rest, _refused, _sent)
            except PipelineBroken as broken:
                outcomes += broken.settled
                self.pipeline = None
                if broken.settled or retried != len(outcomes):
                    retried = len(outcomes)
                    continue
                error = EmailDeliveryError(
                    f"connection to {self.sender._server} lost twice: {broken}"
                )
                return outcomes + [SendOutcome(e.ref, False, error) for e in rest]
        return outcomes

    async def _open_pipeline(self) -> Pipeline | None:
        """A new connection (EHLO, TLS, login by aiosmtplib), taken over for pipelining;
        None, and the connection kept for one-by-one sending, without PIPELINING."""
        if self.smtp is not None:
            self.smtp.close()
        smtp = await self.sender._connect()
        if smtp.is_ehlo_or_helo_needed:  # no TLS nor login asked for the EHLO yet
            try:
                await smtp.ehlo()
            except (aiosmtplib.SMTPException, OSError) as error:
                smtp.close()
                raise EmailDeliveryError(
                    f"cannot use SMTP server {self.sender._server}: {error}"
                ) from error
        transport = smtp.protocol.transport if smtp.protocol is not None else None
        if not smtp.supports_extension("pipelining") or transport is None:
            self.smtp = smtp
            return None
        self.smtp = None
        return Pipeline(transport, self.sender.timeout)

    async def _close_pipeline(self) -> None:
        pipeline, self.pipeline = self.pipeline, None
        if pipeline is not None:
            await pipeline.close()

    async def close(self) -> None:
        await self._close_pipeline()
        smtp, self.smtp = self.smtp, None
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()


def _sent(envelope: Envelope) -> SendOutcome:
    return SendOutcome(envelope.ref, True)


def _refused(envelope: Envelope, reply: Reply, stage: str) -> SendOutcome:
    if stage == "RCPT":
        reason = f"recipient {envelope.recipient} refused: {reply}"
    else:
        reason = f"refused by the SMTP server: {reply}"
    error = EmailDeliveryError(
        reason, permanent=reply.code >= 500, code=reply.code, address_refused=stage == "RCPT"
    )
    return SendOutcome(envelope.ref, False, error)


class SmtpSender:
    """SMTP with STARTTLS or implicit TLS, certificate verified, then authentication.

    `tls_context` decides which certificates are trusted; by default the system's CAs.
    """

    def __init__(
        self, settings: Settings, *, tls_context: ssl.SSLContext | None = None, timeout: float = 30
    ) -> None:
        self.settings = settings
        self.tls_context = tls_context
        self.timeout = timeout

    @property
    def _server(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port}"

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_tls == "implicit",
            # Explicit: never fall back to plain text when STARTTLS is configured.
            start_tls=s.smtp_tls == "starttls",
            validate_certs=True,
            tls_context=self.tls_context,
            timeout=self.timeout,
        )
        try:
            await smtp.connect()
            if s.smtp_username:
                await smtp.login(s.smtp_username, s.smtp_password or "")
        except aiosmtplib.SMTPAuthenticationError as error:
            smtp.close()
            raise EmailDeliveryError(
                f"SMTP server {self._server} refused the login of {s.smtp_username!r} "
                f"({error.code} {error.message}): check SMTP_USERNAME and SMTP_PASSWORD",
                code=error.code,
            ) from error
        except ssl.SSLCertVerificationError as error:
            smtp.close()
            raise EmailDeliveryError(
                f"TLS certificate of SMTP server {self._server} not trusted: {error.verify_message}"
            ) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            smtp.close()
            cause = error.__cause__ or error.__context__
            if isinstance(cause, ssl.SSLCertVerificationError):
                raise EmailDeliveryError(
                    f"TLS certificate of SMTP server {self._server} not trusted: "
                    f"{cause.verify_message}"
                ) from error
            raise EmailDeliveryError(
                f"cannot use SMTP server {self._server} (SMTP_TLS={s.smtp_tls}): {error}"
            ) from error
        return smtp

    async def _send_one(self, smtp: aiosmtplib.SMTP, message: Message) -> None:
        """Raises EmailDeliveryError for this message, _ConnectionLost when the link drops."""
        try:
            if isinstance(message, RawEmail):
                await smtp.sendmail(message.sender, [message.to], message.data)
            else:
                await smtp.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as error:
            refusal = error.recipients[0]
            raise EmailDeliveryError(
                f"recipient {refusal.recipient} refused: {refusal.code} {refusal.message}",
                permanent=refusal.code >= 500,
                code=refusal.code,
                address_refused=True,
            ) from error
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError) as error:
            raise _ConnectionLost(str(error)) from error
        except aiosmtplib.SMTPResponseException as error:
            if not smtp.is_connected:  # 421: the server closed the connection
                raise _ConnectionLost(f"{error.code} {error.message}") from error
            raise EmailDeliveryError(
                f"refused by the SMTP server: {error.code} {error.message}",
                permanent=error.code >= 500,
                code=error.code,
            ) from error
        except (aiosmtplib.SMTPNotSupported, ValueError) as error:
            raise EmailDeliveryError(f"cannot be sent: {error}", permanent=True) from error
        except OSError as error:
            raise _ConnectionLost(str(error)) from error

    async def send_each(self, messages: Sequence[Message]) -> list[SendOutcome]:
        """One connection for the batch. A refused message fails alone; a dropped connection
        is opened again once and the message retried; if it drops again on that message,
        the rest of the batch is reported failed (temporary) for a later retry."""
        async with self.session() as session:
            return await session.send_each(messages)

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[_SmtpSession]:
        """One connection kept over several `send_each` calls (a batch recorded in chunks)."""
        session = _SmtpSession(self)
        try:
            yield session
        finally:
            await session.close()

    async def send(self, messages: Sequence[Message]) -> None:
        _raise_failures(await self.send_each(messages))

    async def deliver(self, emails: list[OutgoingEmail]) -> list[SendOutcome]:
        settings = self.settings or get_settings()
        return await self.send_each([render(email, settings) for email in emails])


def email_sender(settings: Settings) -> EmailSender:
    if settings.email_backend == "smtp":
        return SmtpSender(settings)
    return OutboxSender(settings.outbox_dir, settings)


async def deliver_emails(
    emails: list[OutgoingEmail], settings: Settings | None = None
) -> list[SendOutcome]:
    """Render and send, one outcome per email in order (for jobs that retry failures)."""
    return await email_sender(settings or get_settings()).deliver(emails)


async def send_emails(emails: list[OutgoingEmail]) -> None:
    settings = get_settings()
    await email_sender(settings).send([render(email, settings) for email in emails])
