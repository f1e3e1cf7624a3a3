"""The HTTP/1.1 pool FCM requests go through, against small real servers on 127.0.0.1:
keep-alive reuse, the connection limit, servers that close, hang or answer in pieces."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Callable

import pytest

from push.fcm_http import Http1Pool, HttpError
from tests.support import free_port
from tests.tls import make_certificates


class _Server:
    """Answers each request `{"n": <request number>}`; counts connections and requests."""

    def __init__(self, behaviour: str = "keep-alive") -> None:
        self.behaviour = behaviour
        self.connections = 0
        self.open = 0
        self.most_open = 0
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                number = len(self.requests)
                if self.behaviour == "hang":
                    await asyncio.sleep(30)
                if self.behaviour == "drop":
                    return  # closes without answering
                await asyncio.sleep(0.01)  # a little work, so requests overlap
                answer = b'{"n": %d}' % number
                close = self.behaviour == "close"
                head = (
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + (b"Connection: close\r\n" if close else b"")
                    + b"Content-Length: %d\r\n\r\n" % len(answer)
                )
                if self.behaviour == "pieces":  # the answer in three writes
                    for piece in (head[:7], head[7:] + answer[:3], answer[3:]):
                        writer.write(piece)
                        await writer.drain()
                        await asyncio.sleep(0.001)
                else:
                    writer.write(head + answer)
                if close:
                    await writer.drain()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            self.open -= 1
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[str], asyncio.Future]]:
    servers: list[asyncio.Server] = []

    async def start(behaviour: str = "keep-alive") -> tuple[_Server, str]:
        state, port = _Server(behaviour), free_port()
        servers.append(await asyncio.start_server(state.handle, "127.0.0.1", port))
        return state, f"http://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.close()


async def _post(pool: Http1Pool, n: int = 0) -> int:
    answer = await pool.request("POST", "/v1/send", {"Authorization": "Bearer t"}, b'{"x":%d}' % n)
    assert answer.status == 200
    return int(answer.body.decode().split(":")[1].rstrip("}"))


async def test_one_connection_carries_request_after_request(serve) -> None:
    state, url = await serve()
    pool = Http1Pool(url, connections=8, timeout=5)
    numbers = [await _post(pool, n) for n in range(30)]
    await pool.close()
    assert numbers == list(range(1, 31))
    assert state.connections == 1
    head = state.requests[0].split(b"\r\n")
    assert head[0] == b"POST /v1/send HTTP/1.1"
    assert f"Host: {url.removeprefix('http://')}".encode() in head
    assert b"Authorization: Bearer t" in head and b"Content-Length: 7" in head


async def test_never_more_connections_than_the_limit(serve) -> None:
    state, url = await serve()
    pool = Http1Pool(url, connections=4, timeout=5)
    numbers = await asyncio.gather(*(_post(pool, n) for n in range(60)))
    await pool.close()
    assert sorted(numbers) == list(range(1, 61))
    assert state.most_open == 4 and state.connections == 4


async def test_a_server_closing_after_each_answer_gets_new_connections(serve) -> None:
    state, url = await serve("close")
    pool = Http1Pool(url, connections=2, timeout=5)
    numbers = await asyncio.gather(*(_post(pool, n) for n in range(10)))
    await pool.close()
    assert sorted(numbers) == list(range(1, 11))
    assert state.connections == 10


async def test_an_answer_in_pieces_is_put_back_together(serve) -> None:
    _, url = await serve("pieces")
    pool = Http1Pool(url, connections=2, timeout=5)
    assert [await _post(pool) for _ in range(3)] == [1, 2, 3]
    await pool.close()


async def test_a_server_that_never_answers_times_out_and_frees_the_connection(serve) -> None:
    state, url = await serve("hang")
    pool = Http1Pool(url, connections=1, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(HttpError) as raised:
        await _post(pool)
    assert raised.value.timeout and raised.value.sent
    assert 0.25 <= time.monotonic() - started < 2
    with pytest.raises(HttpError):  # the hung connection is not reused: a new one hangs too
        await _post(pool)
    await pool.close()
    assert state.connections == 2


async def test_a_connection_dropped_before_the_answer_is_an_error_then_replaced(serve) -> None:
    state, url = await serve("drop")
    pool = Http1Pool(url, connections=1, timeout=5)
    for _ in range(2):
        with pytest.raises(HttpError) as raised:
            await _post(pool)
        assert "closed before the answer" in str(raised.value) and raised.value.sent
    await pool.close()
    assert state.connections == 2


async def test_nothing_listening_is_an_error_that_was_not_sent() -> None:
    pool = Http1Pool(f"http://127.0.0.1:{free_port()}", connections=2, timeout=5)
    with pytest.raises(HttpError) as raised:
        await _post(pool)
    assert not raised.value.sent and not raised.value.timeout
    await pool.close()


async def test_waiting_callers_are_served_in_turn_when_one_is_cancelled(serve) -> None:
    _, url = await serve()
    pool = Http1Pool(url, connections=1, timeout=5)
    first = asyncio.ensure_future(_post(pool, 1))
    second = asyncio.ensure_future(_post(pool, 2))
    third = asyncio.ensure_future(_post(pool, 3))
    await asyncio.sleep(0)
    second.cancel()
    assert sorted([await first, await third]) == [1, 2]
    assert second.cancelled()
    await pool.close()


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context for 127.0.0.1, client context trusting only its test CA)."""
    paths = make_certificates(tmp_path_factory.mktemp("tls"))
    return paths.server_context(), paths.client_context()


async def test_https_checks_the_certificate(tls) -> None:
    server_context, client_context = tls
    state, port = _Server(), free_port()
    server = await asyncio.start_server(state.handle, "127.0.0.1", port, ssl=server_context)
    try:
        url = f"https://127.0.0.1:{port}"
        trusted = Http1Pool(url, connections=2, timeout=5, tls_context=client_context)
        assert [await _post(trusted, n) for n in range(3)] == [1, 2, 3]
        await trusted.close()
        untrusted = Http1Pool(url, connections=2, timeout=5)  # the system's CAs only
        with pytest.raises(HttpError, match="certificate"):
            await _post(untrusted)
        await untrusted.close()
    finally:
        server.close()
    assert state.connections == 1  # the refused handshake never reached the handler
