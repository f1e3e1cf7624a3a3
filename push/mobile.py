"""Push notifications to phones: an outbox file by default, Firebase Cloud Messaging in production.

Two senders behind one interface: `OutboxPushSender` (the embedded default) appends one JSON
line per message to `push.jsonl` in the push outbox folder; `FcmPushSender` sends through the
real firebase-admin client (its `send_each_async`, over push/fcm_http.py: HTTP/1.1 keep-alive,
at most HTTP_CONNECTIONS requests in flight), retries what FCM asks to retry and tells the
caller which device tokens are dead so their devices can be deleted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import firebase_admin
import google.auth.exceptions
import httpx
from firebase_admin import _utils, credentials, exceptions, messaging
from firebase_admin._http_client import HttpxAsyncClient
from firebase_admin._retry import HttpxRetry
from google.auth.transport import requests as google_auth_requests

from infra.settings import Settings
from push.fcm_http import Http1Pool, HttpError

logger = logging.getLogger("cjeune.push")

FCM_BATCH_LIMIT = 500  # send_each_async refuses more messages per call
HTTP_CONNECTIONS = 64  # HTTP/1.1 keep-alive connections per sender (FCM takes HTTP/1.1)
IN_FLIGHT_SLICE = 16  # messages per send_each_async call; slices in flight fill the pool
FCM_SEND_PATH = "/v1/projects/{0}/messages:send"
MAX_REASON_LENGTH = 300  # deliveries keep the reason in a 500-character column


@dataclass(frozen=True)
class PushMessage:
    token: str  # FCM registration token of one device
    title: str  # French title
    body: str  # French body
    data: dict[str, str]  # routing payload for the app (all values strings)
    collapse_key: str | None = None  # e.g. the notification id: a re-send replaces the first


class PushResult(StrEnum):
    SENT = "sent"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 - unregistered, invalid, sender mismatch
    FAILED = "failed"  # still failing after retries (reason in error)


@dataclass(frozen=True)
class PushOutcome:
    message: PushMessage
    result: PushResult
    error: str | None = None


class PushSender(Protocol):
    async def send(self, messages: Sequence[PushMessage]) -> list[PushOutcome]: ...

    async def warm(self) -> None: ...

    async def close(self) -> None: ...


class OutboxPushSender:
    """Appends one JSON line per message to `push.jsonl`: nothing leaves the machine."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "push.jsonl"

    async def send(self, messages: Sequence[PushMessage]) -> list[PushOutcome]:
        stamp = datetime.now(UTC).isoformat()
        lines = "".join(
            json.dumps({**asdict(message), "queued_at": stamp}, ensure_ascii=False) + "\n"
            for message in messages
        )
        await asyncio.to_thread(self._append, lines)
        return [PushOutcome(message, PushResult.SENT) for message in messages]

    async def warm(self) -> None:
        return None

    def _append(self, lines: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write in append mode: several processes may share the outbox.
        with self.path.open("a", encoding="utf-8") as outbox:
            outbox.write(lines)

    async def close(self) -> None:
        return None


class _EndpointMessagingService(messaging._MessagingService):
    """firebase-admin's messaging service, bound to one endpoint and without its own retries.

    The stock service formats the class-wide `_MessagingService.FCM_URL` in `__init__`; setting
    the URL on this instance instead lets senders with different endpoints share a process
    without touching global state.
    """

    def __init__(self, app: firebase_admin.App, fcm_endpoint: str, timeout: float) -> None:
        super().__init__(app)
        self._fcm_url = fcm_endpoint.rstrip("/") + FCM_SEND_PATH.format(self._project_id)
        # The stock client retries 500/503 itself (4 times, sleeping up to 7 s, ignoring
        # Retry-After): with ours on top, attempts would multiply. One retry policy: ours.
        self._async_client = HttpxAsyncClient(
            credential=self._credential, timeout=timeout, retry_config=HttpxRetry(max_retries=0)
        )
        # The stock httpx client authenticates each request with a google-auth Request, which
        # builds a requests.Session every time, and httpx's pool costs more CPU than the
        # request itself (it rescans its connections and waiting requests at each step):
        # 3 to 7 ms of CPU per message; aiohttp, about 0.4 ms. send_each_async is kept
        # (message encoding, error mapping); only its HTTP client is replaced, by a pool of
        # HTTP/1.1 keep-alive connections behind the same interface (push/fcm_http.py).
        self._async_client = _FcmHttpClient(
            self._credential, self._fcm_url, timeout, self._async_client
        )

    @property
    def async_client(self) -> _FcmHttpClient:
        return self._async_client

    def close(self) -> None:
        # delete_app() calls this synchronously; the stock close() runs asyncio.run(), which
        # fails inside a running loop. FcmPushSender.close() awaits the async client itself.
        self._client.close()


class _FcmHttpClient:
    """What firebase-admin's messaging calls of its HttpxAsyncClient (`request`, raising
    httpx's errors so that its error mapping is unchanged), over `Http1Pool`: a request is one
    write on a keep-alive connection, its answer parsed in C. A success answers only what
    send_each_async reads of it (`json()`); a failure is a real httpx.Response in an httpx
    error. The credential's current token is applied as is: FcmPushSender refreshes it
    before each call, off the event loop (google-auth counts a token as expired minutes
    before it is)."""

    def __init__(self, credential: Any, url: str, timeout: float, stock: HttpxAsyncClient) -> None:
        self._credential = credential
        self._url, self._timeout = url, timeout
        self._headers = {
            **dict(stock.async_client.headers),  # firebase-admin's metrics headers
            "Content-Type": "application/json; charset=UTF-8",
        }
        self._headers.pop("host", None)
        self._headers.pop("content-length", None)
        self._pool: Http1Pool | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _open(self) -> Http1Pool:
        loop = asyncio.get_running_loop()
        if self._pool is None or self._loop is not loop:
            self._loop = loop
            self._pool = Http1Pool(self._url, HTTP_CONNECTIONS, self._timeout)
        return self._pool

    async def request(self, method: str, url: str, *, headers: dict[str, str], json: Any) -> Any:
        sent = {**self._headers, **headers}
        self._credential.apply(sent)
        try:
            answer = await self._open().request(
                method.upper(), urlsplit(url).path, sent, _json_bytes(json)
            )
        except HttpError as error:
            request = httpx.Request(method.upper(), url)
            if error.timeout:
                raise httpx.ReadTimeout(str(error), request=request) from error
            raise httpx.ConnectError(str(error), request=request) from error
        if answer.status >= 400:
            request = httpx.Request(method.upper(), url)
            response = httpx.Response(
                answer.status, headers=answer.headers, content=answer.body, request=request
            )
            raise httpx.HTTPStatusError(f"HTTP {answer.status}", request=request, response=response)
        return _Sent(answer.body)

    async def aclose(self) -> None:
        if self._pool is not None and self._loop is asyncio.get_running_loop():
            await self._pool.close()
        self._pool = self._loop = None


class _Sent:
    """A 2xx answer, as much of an httpx.Response as send_each_async reads."""

    __slots__ = ("content",)

    def __init__(self, content: bytes) -> None:
        self.content = content

    def json(self) -> Any:
        return json.loads(self.content)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class _Verdict(StrEnum):
    TOKEN_INVALID = "token_invalid"  # noqa: S105 - a verdict, not a secret
    TRANSIENT = "transient"  # worth another attempt
    PERMANENT = "permanent"  # the same request would fail again


@dataclass(frozen=True)
class _Failure:
    index: int
    verdict: _Verdict
    reason: str
    retry_after: float | None = None


class FcmPushSender:
    """Sends through firebase-admin's async API with its own named app and endpoint."""

    def __init__(
        self,
        settings: Settings,
        *,
        max_attempts: int | None = None,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        timeout: float = 30.0,
    ) -> None:
        if settings.fcm_credentials_file is None:
            raise ValueError("PUSH_BACKEND=fcm needs FCM_CREDENTIALS_FILE")
        self.max_attempts = max(1, max_attempts or settings.job_max_retries)
        self.base_delay = base_delay
        self.max_delay = max_delay
        certificate = credentials.Certificate(settings.fcm_credentials_file)
        # A named app per sender: the default app is global, and tests hold several senders.
        self._app = firebase_admin.initialize_app(
            certificate, name=f"cjeune-push-{uuid.uuid4().hex}"
        )
        self._credential = certificate.get_credential()
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        # Registered before any send, so messaging.send_each_async(app=...) finds ours.
        self._service = _utils.get_app_service(
            self._app,
            messaging._MESSAGING_ATTRIBUTE,
            lambda app: _EndpointMessagingService(app, settings.fcm_endpoint, timeout),
        )

    async def send(self, messages: Sequence[PushMessage]) -> list[PushOutcome]:
        """Send every message; retry only the transient failures; answer in input order."""
        outcomes: dict[int, PushOutcome] = {}
        pending = list(range(len(messages)))
        for attempt in range(1, self.max_attempts + 1):
            failures = await self._attempt([messages[i] for i in pending])
            retry: list[_Failure] = []
            for position, index in enumerate(pending):
                failure = failures.get(position)
                if failure is None:
                    outcomes[index] = PushOutcome(messages[index], PushResult.SENT)
                elif failure.verdict is _Verdict.TRANSIENT and attempt < self.max_attempts:
                    retry.append(replace(failure, index=index))
                else:
                    outcomes[index] = _final_outcome(messages[index], failure, attempt)
            if not retry:
                break
            pending = [failure.index for failure in retry]
            await asyncio.sleep(self._delay(attempt, retry))
        return [outcomes[i] for i in range(len(messages))]

    async def _attempt(self, messages: Sequence[PushMessage]) -> dict[int, _Failure]:
        """One attempt for each message, in chunks FCM accepts; failures by position."""
        failures: dict[int, _Failure] = {}
        offset = 0
        for chunk in fcm_batches(messages):
            failures.update(
                (offset + position, failure)
                for position, failure in (await self._send_chunk(chunk)).items()
            )
            offset += len(chunk)
        return failures

    async def _send_chunk(self, chunk: Sequence[PushMessage]) -> dict[int, _Failure]:
        """One chunk (≤ 500) in slices sent side by side, never more requests in flight than
        the HTTP pool has connections (requests queued in the pool cost CPU for nothing)."""
        slices = [
            chunk[start : start + IN_FLIGHT_SLICE]
            for start in range(0, len(chunk), IN_FLIGHT_SLICE)
        ]
        answers = await asyncio.gather(*(self._send_slice(part) for part in slices))
        failures: dict[int, _Failure] = {}
        for number, answer in enumerate(answers):
            offset = number * IN_FLIGHT_SLICE
            failures.update(
                (offset + position, replace(failure, index=offset + position))
                for position, failure in answer.items()
            )
        return failures

    async def _send_slice(self, chunk: Sequence[PushMessage]) -> dict[int, _Failure]:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(max(1, HTTP_CONNECTIONS // IN_FLIGHT_SLICE)))
        async with self._slots[1]:
            return await self._send_batch(chunk)

    async def _send_batch(self, chunk: Sequence[PushMessage]) -> dict[int, _Failure]:
        try:
            await self._refresh_access_token()
            batch = await messaging.send_each_async(_fcm_messages(chunk), app=self._app)
        except Exception as error:  # the whole chunk failed the same way (token, transport)
            failure = _classify(error)
            return {position: _Failure(position, *failure) for position in range(len(chunk))}
        return {
            position: _Failure(position, *_classify(response.exception))
            for position, response in enumerate(batch.responses)
            if not response.success
        }

    async def warm(self) -> None:
        """Fetch the OAuth token before the first message needs it: a worker that starts
        cold would otherwise hold its first young person's push (and those queued behind it)
        for the token's round trip, half a second or more."""
        try:
            await self._refresh_access_token()
        except Exception as error:  # the first send will retry and record the failure
            logger.warning("FCM token not fetched at startup: %s", error)

    async def _refresh_access_token(self) -> None:
        # google-auth fetches the OAuth token with blocking `requests`: do it off the event
        # loop, so the first send of the hour does not freeze every other coroutine.
        if not self._credential.valid:
            await asyncio.to_thread(self._credential.refresh, google_auth_requests.Request())

    def _delay(self, attempt: int, retrying: Sequence[_Failure]) -> float:
        """Exponential backoff with jitter, never shorter than what FCM asked for."""
        backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        # Jitter spreads the retries of many workers hit by the same outage.
        backoff += random.uniform(0, backoff / 2)  # noqa: S311 - not cryptographic
        asked = max((f.retry_after or 0.0 for f in retrying), default=0.0)
        return max(backoff, asked)

    async def close(self) -> None:
        """Close the HTTP connections on this loop, then forget the firebase app."""
        await self._service.async_client.aclose()
        firebase_admin.delete_app(self._app)


def fcm_batches(messages: Sequence[PushMessage]) -> Iterator[Sequence[PushMessage]]:
    """Consecutive slices of at most FCM_BATCH_LIMIT messages."""
    for start in range(0, len(messages), FCM_BATCH_LIMIT):
        yield messages[start : start + FCM_BATCH_LIMIT]


def _fcm_messages(messages: Sequence[PushMessage]) -> list[messaging.Message]:
    with warnings.catch_warnings():
        # firebase-admin 7 deprecates `token=` for `fid=` (installation ids); the app
        # registers FCM registration tokens, which FCM v1 still takes as `token`.
        warnings.simplefilter("ignore", DeprecationWarning)
        return [_fcm_message(message) for message in messages]


def _fcm_message(message: PushMessage) -> messaging.Message:
    return messaging.Message(
        token=message.token,
        notification=messaging.Notification(title=message.title, body=message.body),
        data=dict(message.data),
        android=messaging.AndroidConfig(priority="high", collapse_key=message.collapse_key),
        apns=_apns_config(message),
    )


def _apns_config(message: PushMessage) -> messaging.APNSConfig:
    headers = {"apns-priority": "10"}
    if message.collapse_key:
        headers["apns-collapse-id"] = message.collapse_key
    # iOS groups notifications of the same kind in one thread of the notification centre.
    aps = messaging.Aps(sound="default", thread_id=message.data.get("kind"))
    return messaging.APNSConfig(headers=headers, payload=messaging.APNSPayload(aps=aps))


def _classify(error: Exception | None) -> tuple[_Verdict, str, float | None]:
    """What a failed send means for this device: dead token, try again, or give up."""
    reason = _reason(error)
    if isinstance(error, messaging.UnregisteredError | messaging.SenderIdMismatchError):
        return _Verdict.TOKEN_INVALID, reason, None
    if isinstance(error, exceptions.InvalidArgumentError):
        # A malformed payload is our bug, not the device's: only a bad token deletes it.
        verdict = _Verdict.TOKEN_INVALID if _is_about_token(error) else _Verdict.PERMANENT
        return verdict, reason, None
    if isinstance(error, google.auth.exceptions.RefreshError):
        verdict = _Verdict.TRANSIENT if error.retryable else _Verdict.PERMANENT
        return verdict, reason, None
    if isinstance(error, exceptions.FirebaseError) and not _is_transient(error):
        return _Verdict.PERMANENT, reason, None
    return _Verdict.TRANSIENT, reason, _retry_after(error)


def _is_transient(error: exceptions.FirebaseError) -> bool:
    # 429, 500, 503, timeouts; UnknownError wraps transport errors without a response.
    transient = (
        exceptions.ResourceExhaustedError,
        exceptions.UnavailableError,
        exceptions.InternalError,
        exceptions.DeadlineExceededError,
        exceptions.UnknownError,
    )
    return isinstance(error, transient)


def _is_about_token(error: exceptions.InvalidArgumentError) -> bool:
    if "registration token" in str(error).lower():
        return True
    details = _error_body(error).get("error", {}).get("details", [])
    return any(
        violation.get("field") == "message.token"
        for detail in details
        if isinstance(detail, dict)
        for violation in detail.get("fieldViolations", [])
    )


def _error_body(error: exceptions.FirebaseError) -> dict[str, Any]:
    response = error.http_response
    if response is None:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _retry_after(error: Exception | None) -> float | None:
    """Seconds FCM asked us to wait (Retry-After: seconds or an HTTP date), if it did."""
    response = getattr(error, "http_response", None)
    if not isinstance(response, httpx.Response):
        return None
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _reason(error: Exception | None) -> str:
    if error is None:
        return "unknown error"
    response = getattr(error, "http_response", None)
    status = f"HTTP {response.status_code} " if isinstance(response, httpx.Response) else ""
    return f"{status}{type(error).__name__}: {error}"[:MAX_REASON_LENGTH]


def _final_outcome(message: PushMessage, failure: _Failure, attempts: int) -> PushOutcome:
    if failure.verdict is _Verdict.TOKEN_INVALID:
        return PushOutcome(message, PushResult.TOKEN_INVALID, failure.reason)
    plural = "s" if attempts > 1 else ""
    reason = f"after {attempts} attempt{plural}: {failure.reason}"
    return PushOutcome(message, PushResult.FAILED, reason[:MAX_REASON_LENGTH])


def push_sender(settings: Settings) -> PushSender:
    """The configured channel: FCM in production, the outbox file on a developer's machine."""
    if settings.push_backend == "fcm":
        return FcmPushSender(settings)
    return OutboxPushSender(settings.push_outbox_dir)
