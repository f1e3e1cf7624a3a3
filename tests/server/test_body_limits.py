"""Request bodies: capped by the app on every route, and JSON nesting bounded.

A 60 MB JSON body was read whole; a body of 100,000 nested brackets answered 500
(RecursionError). These talk to the ASGI app directly, so that they see how much of a
body the app pulled before it answered.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from server.app import create_app
from tests.server.test_http import client

CHUNK = b" " * 65536
SIXTY_MB = 60 * 1024 * 1024
JSON = [(b"content-type", b"application/json")]
TYPENAME = b'{"query": "{ __typename }"}'
ROUTES = ["/graphql", "/consentement-parental?jeton=x", "/desabonnement?jeton=x", "/nulle-part"]
# What each route answers to a body it reads past the limit; the last two answer (a bad
# link, no such page) without reading it.
CUT_OFF = {"/graphql": 413, "/consentement-parental?jeton=x": 413}


async def post(app, path: str, headers: list[tuple[bytes, bytes]], chunks: Iterator[bytes]):
    """POST `chunks` to `app`; the status, the decoded answer and how many chunks it pulled."""
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("203.0.113.9", 40000),
        "server": ("testserver", 80),
    }
    pulled = 0
    upcoming = next(chunks, None)
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal pulled, upcoming
        if upcoming is None:
            await asyncio.sleep(3600)  # the client waits for the answer
        chunk, upcoming = upcoming, next(chunks, None)
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": upcoming is not None}

    async def send(message: dict) -> None:
        sent.append(message)

    async with asyncio.timeout(30):
        await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body) if body.startswith(b"{") else body, pulled


def stream(total: int) -> Iterator[bytes]:
    for _ in range(total // len(CHUNK)):
        yield CHUNK


@pytest.fixture
def small_app(settings):
    return create_app(replace(settings, max_request_bytes=4096), manage_database=False)


@pytest.mark.parametrize("path", ROUTES)
async def test_a_body_announced_too_large_is_refused_before_a_byte_is_read(app, path):
    headers = [*JSON, (b"content-length", str(SIXTY_MB).encode())]

    status, answer, pulled = await post(app, path, headers, stream(SIXTY_MB))

    assert status == 413
    assert pulled == 0
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "REQUEST_TOO_LARGE", "limit": 1024 * 1024}
    assert error["message"] == (
        "Requête trop volumineuse : le corps dépasse la taille permise (1 Mio)."
    )


@pytest.mark.parametrize("path", ROUTES)
async def test_a_body_without_a_length_is_never_read_past_the_limit(app, path):
    status, answer, pulled = await post(app, path, JSON, stream(SIXTY_MB))

    # 1 MiB in 64 KiB chunks: the 17th passes the limit; the other 943 are never read.
    assert pulled <= 17
    if path in CUT_OFF:
        assert (status, pulled) == (413, 17)
        assert answer["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_a_body_at_the_limit_is_answered_and_one_byte_more_is_not(small_app):
    at_limit = TYPENAME + b" " * (4096 - len(TYPENAME))

    answered = await post(small_app, "/graphql", JSON, iter([at_limit]))
    refused = await post(small_app, "/graphql", JSON, iter([at_limit, b" "]))

    assert answered[:2] == (200, {"data": {"__typename": "Query"}})
    assert refused[0] == 413


async def test_a_multipart_body_gets_the_upload_limit(small_app, settings):
    multipart = [(b"content-type", b"multipart/form-data; boundary=x")]
    upload_limit = settings.max_upload_bytes + 1024 * 1024
    length = [(b"content-length", str(upload_limit + 1).encode())]

    # Past the JSON limit but within the upload limit: the view reads it (and refuses it
    # for want of the preflight header, which a real upload carries).
    within = await post(small_app, "/graphql", multipart, stream(8 * len(CHUNK)))
    beyond = await post(small_app, "/graphql", [*multipart, *length], stream(SIXTY_MB))

    assert within[0] == 400 and within[1]["errors"][0]["extensions"]["code"] == (
        "CSRF_PREFLIGHT_REQUIRED"
    )
    assert beyond[0] == 413 and beyond[2] == 0


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,
        nested(100_000),
        json.dumps({"query": "{ __typename }"})[:-1] + f', "variables": {{"a": {nested(40)}}}}}',
        json.dumps([{"query": "{ __typename }", "extensions": {"a": json.loads(nested(33))}}]),
    ],
    ids=["open-brackets", "nested-brackets", "nested-variables", "nested-in-a-batch"],
)
async def test_deeply_nested_json_is_a_400_with_a_code_not_a_500(app, body):
    async with client(app) as http:
        response = await http.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "JSON_TOO_DEEP"
    assert error["message"] == "JSON trop imbriqué : au plus 32 niveaux de tableaux et d'objets."


async def test_nested_variables_of_a_get_are_refused_too(app):
    params = {"query": "{ __typename }", "variables": json.dumps({"a": json.loads(nested(40))})}

    async with client(app) as http:
        response = await http.get("/graphql", params=params)

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "JSON_TOO_DEEP"


async def test_json_within_the_nesting_limit_is_answered(app):
    # The request object, its variables and 30 nested arrays: 32 levels.
    body = {"query": "{ __typename }", "variables": {"a": json.loads(nested(30))}}

    async with client(app) as http:
        response = await http.post("/graphql", json=body)

    assert response.json() == {"data": {"__typename": "Query"}}


async def test_invalid_json_is_a_400_with_a_code(app):
    async with client(app) as http:
        response = await http.post(
            "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
        )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_JSON"


async def test_a_deeply_nested_websocket_message_closes_the_connection_cleanly(live_server):
    async with connect(f"ws://{live_server}/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send('{"type": "connection_init", "payload": ' + nested(100_000) + "}")
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(5):
                await ws.recv()

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
