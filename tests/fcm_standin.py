"""A local HTTP stand-in of Firebase Cloud Messaging, for the real firebase-admin client.

It serves, on 127.0.0.1 and a free port (or the one given), from an asyncio event loop of its
own (uvloop when importable) running in a daemon thread, so other processes can send to it too:

- `POST /token`: Google's OAuth JWT-bearer exchange. The assertion's RS256 signature is checked
  with the public key of the service account written by `write_service_account`;
- `POST /v1/projects/<project>/messages:send`: FCM v1. Every request is recorded (parsed JSON,
  Authorization header, arrival time); a valid one is answered like FCM,
  `{"name": "projects/<project>/messages/<id>"}`.

Scripted errors, with the bodies real FCM sends: tokens starting with "unregistered-" get a 404
UNREGISTERED, "invalid-" a 400 INVALID_ARGUMENT about the token, reserved data keys ("from",
"google.…") a 400 about the payload; `fail_next(token, status=…, times=…, retry_after=…)` queues
transient failures (429 QUOTA_EXCEEDED, 500, 503) for one token.

The transport is a small HTTP/1.1 server: an `asyncio.Protocol` per connection, requests parsed
by httptools, keep-alive (requests on a connection are answered in order), the handlers called
directly on the loop (they are synchronous and quick). It costs far less CPU per request than
`http.server`, which matters when the stand-in shares the machine with the system under test
(the campaign benchmark).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs

import httptools
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PROJECT_ID = "cjeune-test"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# google-auth signs for Google's endpoint whatever the token_uri; Google checks this audience.
OAUTH_AUDIENCE = "https://oauth2.googleapis.com/token"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
RESERVED_DATA_KEYS = {"from", "notification", "message_type"}
RESERVED_DATA_PREFIXES = ("google.", "gcm.")
STATUS_NAMES = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
# firebase-admin opens up to 100 connections at once; a small backlog would make the kernel
# drop connection attempts and the client wait a second for each.
LISTEN_BACKLOG = 512


@dataclass(frozen=True)
class ReceivedMessage:
    """One send request as the stand-in saw it."""

    project: str
    message: dict[str, Any]  # the "message" object of the request body
    authorization: str
    received_at: float  # time.time() on arrival
    arrival: int  # order of arrival among all send requests
    answer: int  # order in which the answers were decided (same counter as arrival)
    status: int  # HTTP status answered

    @property
    def token(self) -> str:
        return self.message.get("token", "")


@dataclass(frozen=True)
class TokenRequest:
    """One OAuth exchange: the verified claims of the assertion and the token issued."""

    claims: dict[str, Any]
    access_token: str


@dataclass
class _ScriptedFailure:
    status: int
    times: int
    retry_after: int | None


class FcmStandin:
    """FCM v1 and Google's token endpoint, served from a thread of the test process."""

    def __init__(self, project_id: str = PROJECT_ID, port: int = 0) -> None:
        self.project_id = project_id
        self._lock = threading.Lock()
        self._order = itertools.count(1)
        self._sends: list[ReceivedMessage] = []
        self._token_requests: list[TokenRequest] = []
        self._issued: set[str] = set()
        self._public_keys: dict[str, bytes] = {}  # client_email -> PEM
        self._failures: dict[str, deque[_ScriptedFailure]] = defaultdict(deque)
        # Bound and listening from here on (port 0: a free one), so `url` is known before
        # start() and early connections wait in the backlog.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind(("127.0.0.1", port))
            self._socket.listen(LISTEN_BACKLOG)
        except OSError:
            self._socket.close()
            raise
        self._address: tuple[str, int] = self._socket.getsockname()[:2]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[_Connection] = set()

    # Life cycle -------------------------------------------------------------------------------

    def start(self) -> FcmStandin:
        """Serve from an event loop in a daemon thread; return once it accepts connections."""
        if self._thread is not None:
            raise RuntimeError("FCM stand-in already started")
        ready = threading.Event()
        failure: list[BaseException] = []
        self._loop = _new_event_loop()
        self._thread = threading.Thread(
            target=self._serve, args=(ready, failure), name="fcm-standin", daemon=True
        )
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop serving: close the listening socket and every open connection."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
        self._socket.close()

    def _serve(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(
                loop.create_server(
                    lambda: _Connection(self), sock=self._socket, backlog=LISTEN_BACKLOG
                )
            )
        except BaseException as error:  # reported to start()
            failure.append(error)
            loop.close()
            ready.set()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            for connection in list(self._connections):
                connection.close()
            loop.run_until_complete(asyncio.sleep(0))  # let the transports close
            loop.close()

    @property
    def url(self) -> str:
        """The FCM endpoint, for `Settings.fcm_endpoint` / FCM_ENDPOINT."""
        host, port = self._address
        return f"http://{host}:{port}"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    # Scripting --------------------------------------------------------------------------------

    def trust(self, client_email: str, public_key_pem: bytes) -> None:
        """Accept OAuth assertions signed by this service account's key."""
        with self._lock:
            self._public_keys[client_email] = public_key_pem

    def fail_next(
        self, token: str, status: int = 503, times: int = 1, retry_after: int | None = None
    ) -> None:
        """Answer the next `times` sends to `token` with `status` (and Retry-After if given)."""
        with self._lock:
            self._failures[token].append(_ScriptedFailure(status, times, retry_after))

    def reset(self) -> None:
        """Forget what was received and the queued failures (issued tokens stay valid)."""
        with self._lock:
            self._sends.clear()
            self._token_requests.clear()
            self._failures.clear()

    # What was received ------------------------------------------------------------------------

    @property
    def requests(self) -> list[ReceivedMessage]:
        """Every send request, answered with success or not, in order of arrival."""
        with self._lock:
            return sorted(self._sends, key=lambda sent: sent.arrival)

    @property
    def messages(self) -> list[ReceivedMessage]:
        """The messages FCM would have delivered (answered 200)."""
        return [sent for sent in self.requests if sent.status == 200]

    @property
    def token_requests(self) -> list[TokenRequest]:
        with self._lock:
            return list(self._token_requests)

    def attempts_for(self, token: str) -> list[ReceivedMessage]:
        return [sent for sent in self.requests if sent.token == token]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Poll `predicate` until it holds; fail the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"FCM stand-in: condition not met within {timeout} s")
            time.sleep(0.02)

    # Behaviour (called on the server's event loop) --------------------------------------------

    def _exchange(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != JWT_BEARER:
            return 400, {"error": "unsupported_grant_type"}
        assertion = form.get("assertion", "")
        try:
            issuer = jwt.decode(assertion, options={"verify_signature": False})["iss"]
            with self._lock:
                key = self._public_keys[issuer]
            claims = jwt.decode(assertion, key, algorithms=["RS256"], audience=OAUTH_AUDIENCE)
        except (KeyError, jwt.PyJWTError) as error:
            return 400, {"error": "invalid_grant", "error_description": str(error)}
        access_token = f"ya29.standin-{uuid.uuid4().hex}"
        with self._lock:
            self._issued.add(access_token)
            self._token_requests.append(TokenRequest(claims, access_token))
        return 200, {"access_token": access_token, "expires_in": 3600, "token_type": "Bearer"}

    def _send(
        self, project: str, body: dict[str, Any], authorization: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        received_at = time.time()
        message = body.get("message", {})
        with self._lock:
            arrival = next(self._order)
            authorized = authorization.removeprefix("Bearer ") in self._issued
        status, answer, headers = self._answer(project, message, authorized)
        with self._lock:
            self._sends.append(
                ReceivedMessage(
                    project, message, authorization, received_at, arrival, next(self._order), status
                )
            )
        return status, answer, headers

    def _answer(
        self, project: str, message: dict[str, Any], authorized: bool
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not authorized:
            return 401, _error(401, "UNAUTHENTICATED", "Request had invalid credentials."), {}
        if project != self.project_id:
            return 404, _error(404, "NOT_FOUND", "Requested entity was not found."), {}
        token = message.get("token", "")
        scripted = self._take_failure(token)
        if scripted is not None:
            return _transient(scripted)
        if token.startswith("unregistered-"):
            body = _error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED")
            return 404, body, {}
        if token.startswith("invalid-"):
            text = "The registration token is not a valid FCM registration token"
            return 400, _error(400, "INVALID_ARGUMENT", text, "INVALID_ARGUMENT"), {}
        reserved = [key for key in message.get("data", {}) if _is_reserved(key)]
        if reserved:
            return 400, _payload_error(reserved[0]), {}
        return 200, {"name": f"projects/{project}/messages/{uuid.uuid4().hex[:16]}"}, {}

    def _take_failure(self, token: str) -> _ScriptedFailure | None:
        with self._lock:
            queue = self._failures.get(token)
            if not queue:
                return None
            scripted = queue[0]
            scripted.times -= 1
            if scripted.times <= 0:
                queue.popleft()
            return scripted


def _is_reserved(key: str) -> bool:
    return key in RESERVED_DATA_KEYS or key.startswith(RESERVED_DATA_PREFIXES)


def _error(code: int, status: str, message: str, fcm_code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if fcm_code:
        error["details"] = [{"@type": FCM_ERROR, "errorCode": fcm_code}]
    return {"error": error}


def _payload_error(key: str) -> dict[str, Any]:
    body = _error(400, "INVALID_ARGUMENT", f"Invalid data payload key: {key}", "INVALID_ARGUMENT")
    violation = {"field": "message.data", "description": f"Invalid data payload key: {key}"}
    body["error"]["details"].append({"@type": BAD_REQUEST, "fieldViolations": [violation]})
    return body


def _transient(scripted: _ScriptedFailure) -> tuple[int, dict[str, Any], dict[str, str]]:
    status = STATUS_NAMES.get(scripted.status, "UNAVAILABLE")
    if scripted.status == 429:
        body = _error(429, status, "Quota exceeded for the sender.", "QUOTA_EXCEEDED")
    else:
        body = _error(scripted.status, status, "The service is currently unavailable.")
    headers = {} if scripted.retry_after is None else {"Retry-After": str(scripted.retry_after)}
    return scripted.status, body, headers


def _new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


_REASONS = {status.value: status.phrase for status in HTTPStatus}


def _response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> bytes:
    payload = json.dumps(body).encode()
    head = [
        f"HTTP/1.1 {status} {_REASONS.get(status, '')}",
        "Content-Type: application/json; charset=UTF-8",
        f"Content-Length: {len(payload)}",
    ]
    head.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload


class _Connection(asyncio.Protocol):
    """One client connection: requests parsed by httptools, answered in order on the loop."""

    def __init__(self, standin: FcmStandin) -> None:
        self._standin = standin
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._url = b""
        self._authorization = b""
        self._expect_continue = False
        self._body: list[bytes] = []

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self._standin._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._standin._connections.discard(self)
        self._transport = None

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._reply(400, _error(400, "INVALID_ARGUMENT", "Upgrade not supported."), close=True)
        except httptools.HttpParserError:
            self._reply(400, _error(400, "INVALID_ARGUMENT", "Bad request."), close=True)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    # httptools callbacks

    def on_message_begin(self) -> None:
        self._url = b""
        self._authorization = b""
        self._expect_continue = False
        self._body = []

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name == b"authorization":
            self._authorization = value
        elif name == b"expect" and value.lower() == b"100-continue":
            self._expect_continue = True

    def on_headers_complete(self) -> None:
        if self._expect_continue and self._transport is not None:
            self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        keep_alive = self._parser.should_keep_alive()
        try:
            status, body, headers = self._handle(
                self._parser.get_method(), self._url.decode("latin-1"), b"".join(self._body)
            )
        except Exception:  # a bug of the stand-in: answer, and drop the connection
            status, body, headers = 500, _error(500, "INTERNAL", "FCM stand-in error."), {}
            keep_alive = False
        self._reply(status, body, headers, close=not keep_alive)

    # Routing

    def _handle(
        self, method: bytes, path: str, raw: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if method != b"POST":
            return (
                501,
                _error(501, "UNIMPLEMENTED", f"Unsupported method ('{method.decode()}')"),
                {},
            )
        standin = self._standin
        if path == "/token":
            form = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
            status, answer = standin._exchange(form)
            return status, answer, {}
        parts = path.strip("/").split("/")
        if len(parts) != 4 or parts[:2] != ["v1", "projects"] or parts[3] != "messages:send":
            return 404, _error(404, "NOT_FOUND", f"No route for {path}"), {}
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, _error(400, "INVALID_ARGUMENT", "Invalid JSON payload received."), {}
        return standin._send(parts[2], body, self._authorization.decode("latin-1"))

    def _reply(
        self,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
        close: bool = False,
    ) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        transport.write(_response(status, body, headers))
        if close:
            transport.close()


def write_service_account(path: Path, standin: FcmStandin) -> Path:
    """Write a service-account key whose token_uri is the stand-in, and make it trusted."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client_email = f"push-{uuid.uuid4().hex[:8]}@{standin.project_id}.iam.gserviceaccount.com"
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    standin.trust(client_email, public_pem)
    account = {
        "type": "service_account",
        "project_id": standin.project_id,
        "private_key_id": uuid.uuid4().hex,
        "private_key": private_pem.decode(),
        "client_email": client_email,
        "client_id": str(uuid.uuid4().int)[:21],
        "token_uri": standin.token_uri,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(account, indent=2))
    return path
