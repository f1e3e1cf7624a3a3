"""HTTP/1.1 keep-alive POSTs to one origin (FCM's), as cheap in CPU as asyncio allows.

A campaign sends one HTTP request per phone (FCM v1 has no batch endpoint). Through
aiohttp, each request costs about 0.4 ms of CPU in our process on the reference machine
(timeouts, tracing hooks, multidicts, URL objects, payload classes), more than building and
encoding the message. Here a request is one prebuilt bytes write on a pooled connection
and its answer is parsed by httptools (C, the parser uvicorn uses); a connection carries
one request at a time, at most `connections` are open, callers beyond wait their turn.

Errors are the caller's to map: `HttpError` for a transport failure (refused, reset,
closed before the whole answer, timeout) with `sent` telling whether the request may have
reached the server.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

import httptools


class HttpError(Exception):
    def __init__(self, message: str, *, timeout: bool = False, sent: bool = False) -> None:
        super().__init__(message)
        self.timeout, self.sent = timeout, sent


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[Answer] | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.reusable = True

    # asyncio callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(HttpError(f"invalid HTTP answer: {error}", sent=True))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.reusable = False
        self._fail(HttpError(f"connection closed before the answer: {exc or 'EOF'}", sent=True))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        status = self.parser.get_status_code()
        if not self.parser.should_keep_alive():
            self.reusable = False
        answer = Answer(status, self.headers, b"".join(self.body))
        self.headers, self.body = [], []
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)

    def _fail(self, error: HttpError) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None:
            self.transport.close()


class Http1Pool:
    """Keep-alive connections to the origin of `url` (http or https)."""

    def __init__(
        self,
        url: str,
        connections: int,
        timeout: float,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (443 if self.https else 80)
        default_port = 443 if self.https else 80
        self.authority = self.host if self.port == default_port else f"{self.host}:{self.port}"
        self.limit, self.timeout = connections, timeout
        # https: certificates checked against the system's CAs (or `tls_context`'s)
        self._ssl = (tls_context or ssl.create_default_context()) if self.https else None
        self._idle: list[_Connection] = []
        self._open = 0
        self._queue: deque[asyncio.Future[None]] = deque()
        self._closed = False

    def head(self, method: str, path: str, headers: dict[str, str], length: int) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.authority}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        request = self.head(method, path, headers, len(body)) + body
        connection = await self._acquire()
        try:
            answer = await self._exchange(connection, request)
        except BaseException:
            connection.close()
            self._release(connection)
            raise
        self._release(connection)
        return answer

    async def _exchange(self, connection: _Connection, request: bytes) -> Answer:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Answer] = loop.create_future()
        connection.waiter = waiter
        assert connection.transport is not None
        connection.transport.write(request)
        timer = loop.call_later(self.timeout, _time_out, waiter, self.timeout)
        try:
            return await waiter
        finally:
            timer.cancel()

    async def _acquire(self) -> _Connection:
        while True:
            if self._closed:
                raise HttpError("the HTTP pool is closed")
            while self._idle:
                connection = self._idle.pop()
                if connection.reusable and not connection.transport.is_closing():  # type: ignore[union-attr]
                    return connection
                self._open -= 1
            if self._open < self.limit:
                self._open += 1
                try:
                    return await self._connect()
                except BaseException:
                    self._open -= 1
                    self._wake()
                    raise
            turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._queue.append(turn)
            try:
                await turn
            except BaseException:
                if turn in self._queue:
                    self._queue.remove(turn)
                elif turn.done() and not turn.cancelled():
                    self._wake()  # the turn given to us goes to the next in line
                raise

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, connection = await asyncio.wait_for(
                loop.create_connection(
                    _Connection,
                    self.host,
                    self.port,
                    ssl=self._ssl,
                    server_hostname=self.host if self._ssl else None,
                ),
                self.timeout,
            )
        except TimeoutError as error:
            raise HttpError(f"no connection within {self.timeout} s", timeout=True) from error
        except OSError as error:
            raise HttpError(f"cannot connect to {self.authority}: {error}") from error
        return connection

    def _release(self, connection: _Connection) -> None:
        if connection.reusable and not self._closed:
            self._idle.append(connection)
        else:
            connection.close()
            self._open -= 1
        self._wake()

    def _wake(self) -> None:
        while self._queue:
            turn = self._queue.popleft()
            if not turn.done():
                turn.set_result(None)
                return

    async def close(self) -> None:
        self._closed = True
        for connection in self._idle:
            connection.close()
        self._open -= len(self._idle)
        self._idle.clear()
        while self._queue:
            turn = self._queue.popleft()
            if not turn.done():
                turn.set_exception(HttpError("the HTTP pool is closed"))


def _time_out(waiter: asyncio.Future[Answer], seconds: float) -> None:
    if not waiter.done():
        waiter.set_exception(HttpError(f"no answer within {seconds} s", timeout=True, sent=True))
