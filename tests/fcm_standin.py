"""A local HTTP stand-in of Firebase Cloud Messaging, for the real firebase-admin client.

It serves, on 127.0.0.1 and a free port, in a thread (so other processes can send to it too):

- `POST /token`: Google's OAuth JWT-bearer exchange. The assertion's RS256 signature is checked
  with the public key of the service account written by `write_service_account`;
- `POST /v1/projects/<project>/messages:send`: FCM v1. Every request is recorded (parsed JSON,
  Authorization header, arrival time); a valid one is answered like FCM,
  `{"name": "projects/<project>/messages/<id>"}`.

Scripted errors, with the bodies real FCM sends: tokens starting with "unregistered-" get a 404
UNREGISTERED, "invalid-" a 400 INVALID_ARGUMENT about the token, reserved data keys ("from",
"google.…") a 400 about the payload; `fail_next(token, status=…, times=…, retry_after=…)` queues
transient failures (429 QUOTA_EXCEEDED, 500, 503) for one token.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

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

    def __init__(self, project_id: str = PROJECT_ID) -> None:
        self.project_id = project_id
        self._lock = threading.Lock()
        self._order = itertools.count(1)
        self._sends: list[ReceivedMessage] = []
        self._token_requests: list[TokenRequest] = []
        self._issued: set[str] = set()
        self._public_keys: dict[str, bytes] = {}  # client_email -> PEM
        self._failures: dict[str, deque[_ScriptedFailure]] = defaultdict(deque)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # Life cycle -------------------------------------------------------------------------------

    def start(self) -> FcmStandin:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        """The FCM endpoint, for `Settings.fcm_endpoint` / FCM_ENDPOINT."""
        host, port = self._server.server_address[:2]
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

    # Behaviour (called from the server's threads) ---------------------------------------------

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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # firebase-admin opens up to 100 connections at once; the default backlog of 5 would make
    # the kernel drop connection attempts and the client wait a second for each.
    request_queue_size = 512
    standin: FcmStandin


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects from FCM
    server: _Server

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        standin = self.server.standin
        if self.path == "/token":
            form = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
            status, body = standin._exchange(form)
            self._reply(status, body)
            return
        parts = self.path.strip("/").split("/")
        if len(parts) != 4 or parts[:2] != ["v1", "projects"] or parts[3] != "messages:send":
            self._reply(404, _error(404, "NOT_FOUND", f"No route for {self.path}"))
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._reply(400, _error(400, "INVALID_ARGUMENT", "Invalid JSON payload received."))
            return
        status, answer, headers = standin._send(
            parts[2], body, self.headers.get("Authorization", "")
        )
        self._reply(status, answer, headers)

    def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        return None  # quiet: pytest shows failures, not every request


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
