"""SMTP transactions in a pipeline (RFC 2920) on a connection aiosmtplib has opened.

aiosmtplib connects, says EHLO, starts TLS and logs in; it then waits for each reply
before the next command: four round trips per email (MAIL, RCPT, DATA, the message).
For a campaign's thousands of prebuilt emails, `Pipeline` takes the connection over and
sends, in one write, the end of one message and the MAIL, RCPT and DATA of the next:
one round trip per email, and the server reads several commands per wakeup.

A failed transaction (refused sender or recipient, DATA refused, message refused) fails
its own email only: a RSET goes with the next commands. A 421 reply, a timeout or a
dropped connection raises `PipelineBroken` with the emails already settled; the one in
flight is not among them (whether the server kept it is unknown: the caller retries it).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

MAX_REPLY = 64 * 1024


@dataclass(frozen=True)
class Reply:
    code: int
    text: str

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


@dataclass(frozen=True)
class Envelope:
    sender: str  # ASCII, no CR, LF, < or >
    recipient: str  # idem
    data: bytes  # the message, CRLF line endings, ending with CRLF
    ref: Any = None  # the caller's message, for its outcome


class PipelineBroken(Exception):
    def __init__(self, reason: str, settled: list[Any]) -> None:
        super().__init__(reason)
        self.settled = settled


class _Replies(asyncio.Protocol):
    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.buffer = bytearray()
        self.replies: deque[Reply] = deque()
        self.waiter: asyncio.Future[None] | None = None
        self.needed = 0
        self.lost: str | None = None
        self.lines: list[str] = []

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\n")) != -1:
            line = bytes(self.buffer[: end + 1])
            del self.buffer[: end + 1]
            try:
                code = int(line[:3])
            except ValueError:
                self._break(f"malformed SMTP reply: {line[:80]!r}")
                return
            self.lines.append(line[4:].strip().decode("utf-8", "replace"))
            if line[3:4] != b"-":
                self.replies.append(Reply(code, "\n".join(self.lines)))
                self.lines = []
        if len(self.buffer) > MAX_REPLY:
            self._break("SMTP reply too long")
            return
        self._wake()

    def eof_received(self) -> bool:
        return False  # close

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = self.lost or f"connection closed: {exc or 'EOF'}"
        self._wake()

    def _break(self, reason: str) -> None:
        self.lost = reason
        self.transport.close()
        self._wake()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            if self.lost is not None or len(self.replies) >= self.needed:
                waiter.set_result(None)

    async def take(self, count: int, seconds: float) -> list[Reply]:
        if count and len(self.replies) < count and self.lost is None:
            self.needed = count
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(self.waiter, seconds)
            except TimeoutError:
                self.lost = f"no SMTP reply within {seconds} s"
                self.transport.close()
            finally:
                self.waiter = None
        if len(self.replies) < count:
            raise ConnectionError(self.lost or "connection closed")
        return [self.replies.popleft() for _ in range(count)]


def _commands(envelope: Envelope) -> bytes:
    return f"MAIL FROM:<{envelope.sender}>\r\nRCPT TO:<{envelope.recipient}>\r\nDATA\r\n".encode()


def _stuffed(data: bytes) -> bytes:
    """Dot-stuffing (a line starting with "." gets another) and the end-of-data line."""
    if data.startswith(b"."):
        data = b"." + data
    return data.replace(b"\r\n.", b"\r\n..") + b".\r\n"


def is_pipelinable(envelope: Envelope) -> bool:
    addresses = envelope.sender + envelope.recipient
    if not addresses.isascii() or any(c in addresses for c in "\r\n<> "):
        return False
    # CRLF line endings only: once the CRLFs are gone, no lone CR or LF is left.
    bare = envelope.data.replace(b"\r\n", b"")
    return envelope.data.endswith(b"\r\n") and b"\n" not in bare and b"\r" not in bare


class Pipeline:
    """Owns the connection from now on: aiosmtplib's object must not be used again."""

    def __init__(self, transport: asyncio.Transport, timeout: float) -> None:
        self.transport = transport
        self.timeout = timeout
        self.replies = _Replies(transport)
        transport.set_protocol(self.replies)

    @property
    def is_open(self) -> bool:
        return self.replies.lost is None and not self.transport.is_closing()

    def _write(self, data: bytes) -> None:
        if not self.is_open:
            raise ConnectionError(self.replies.lost or "connection closed")
        self.transport.write(data)

    async def send_each(
        self,
        envelopes: Sequence[Envelope],
        refused: Callable[[Envelope, Reply, str], Any],
        sent: Callable[[Envelope], Any],
    ) -> list[Any]:
        """One outcome per envelope, in order: `sent(envelope)` or `refused(envelope,
        reply, stage)` with stage "MAIL", "RCPT", "DATA" or "message"."""
        settled: list[Any] = []
        lead: list[str] = []  # replies before the next envelope's three: "message", "RSET"
        chunks = [_commands(envelopes[0])] if envelopes else []
        try:
            for index, envelope in enumerate(envelopes):
                self._write(b"".join(chunks))
                replies = await self.replies.take(len(lead) + 3, self.timeout)
                for kind, reply in zip(lead, replies, strict=False):
                    self._check_open(reply)
                    if kind == "message":
                        settled.append(self._judge(envelopes[index - 1], reply, refused, sent))
                mail, rcpt, data = replies[len(lead) :]
                for reply in (mail, rcpt, data):
                    self._check_open(reply)
                if data.code == 354:
                    chunks, lead = [_stuffed(envelope.data)], ["message"]
                else:
                    stage, reply = (
                        ("MAIL", mail) if mail.code != 250
                        else ("RCPT", rcpt) if rcpt.code not in (250, 251)
                        else ("DATA", data)
                    )  # fmt: skip
                    settled.append(refused(envelope, reply, stage))
                    chunks, lead = [b"RSET\r\n"], ["RSET"]
                if index + 1 < len(envelopes):
                    chunks.append(_commands(envelopes[index + 1]))
            if lead:
                self._write(b"".join(chunks))
                replies = await self.replies.take(len(lead), self.timeout)
                for kind, reply in zip(lead, replies, strict=True):
                    self._check_open(reply)
                    if kind == "message":
                        settled.append(self._judge(envelopes[-1], reply, refused, sent))
        except (ConnectionError, OSError) as error:
            raise PipelineBroken(str(error), settled) from error
        return settled

    def _check_open(self, reply: Reply) -> None:
        if reply.code == 421:  # the server is closing the connection
            self.transport.close()
            raise ConnectionError(f"the server closes the connection: {reply}")

    @staticmethod
    def _judge(
        envelope: Envelope,
        reply: Reply,
        refused: Callable[[Envelope, Reply, str], Any],
        sent: Callable[[Envelope], Any],
    ) -> Any:
        return sent(envelope) if reply.code == 250 else refused(envelope, reply, "message")

    async def close(self) -> None:
        if self.is_open:
            try:
                self._write(b"QUIT\r\n")
                await self.replies.take(1, min(self.timeout, 5.0))
            except (ConnectionError, OSError):
                pass
        self.transport.close()
