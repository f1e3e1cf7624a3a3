"""The HTTP surface as a client meets it: probes, /graphql transports, document limits,
production hardening, rate limiting and the WebSocket handshake, through the real app."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from infra.settings import Settings
from models.accounts import User
from server.app import create_app
from server.ratelimit import WINDOW_SECONDS
from tests.factories import token_for, young_person
from tests.servers import redis_database_url
from tests.support import Mailbox, jobs_done
from workers.broker import configure_broker

TYPENAME = "{ __typename }"
MISSPELLED_FIELD = "{ mee { id } }"
INTROSPECTION = "{ __schema { types { name } } }"
REQUEST_RESET = """
mutation Send($email: String!) { requestPasswordReset(email: $email) { ok } }
"""
RESET_SUBJECT = "Réinitialisation"
RATE_LIMITED_MESSAGE = "Trop de requêtes : réessayez dans une minute."
PRODUCTION = {
    "environment": "production",
    "secret_key": "Hex6sf2TdgKAVb8v9GNfumdk2mbeuIlCp9_mg1Aq8YQnXHxYph6tVI2bPP5gHvyl",
    "database_url": "postgres://cjeune@db.internal:5432/cjeune",
    "email_backend": "smtp",
    "push_backend": "fcm",
    "fcm_credentials_file": Path("/run/secrets/fcm.json"),
    "department_iban": "FR7630004001000001000123456",
}
REDIS_URL = redis_database_url(15)


def nested_me(levels: int, through_fragment: bool = False) -> str:
    """`levels` object fields under `me`: `me { delegations { partner { delegates ... } } }`."""
    chain = (["partner", "delegates"] * levels)[: levels - 1]
    selection = "id"
    for name in reversed(chain):
        selection = f"{name} {{ {selection} }}"
    if through_fragment:
        return (
            f"fragment Deep on Delegation {{ {selection} }} "
            "query Send { me { delegations { ...Deep } } }"
        )
    return f"query Send {{ me {{ delegations {{ {selection} }} }} }}"


def aliased_resets(count: int) -> str:
    fields = " ".join(f"r{i}: requestPasswordReset(email: $email) {{ ok }}" for i in range(count))
    return f"mutation Send($email: String!) {{ {fields} }}"


def reset_with_tokens(count: int) -> str:
    """Nine padding queries and the reset, `count` tokens in all. The padding is a long list
    value in queries that are validated but not run: the same field hundreds of times in
    one selection would be refused as too costly to validate (QUERY_TOO_COMPLEX)."""
    values = count - 21 - 9 * 18  # the reset is 21 tokens, each padding query 18 and its list
    sizes = [values // 9 + (i < values % 9) for i in range(9)]
    queries = " ".join(
        f"query P{i} {{ search(query: {{kinds: [{' '.join(['DEAL'] * n)}]}}) {{ __typename }} }}"
        for i, n in enumerate(sizes)
    )
    return f"{queries} {REQUEST_RESET}"


def operations_then_reset(count: int) -> str:
    queries = " ".join(f"query Q{i} {{ __typename }}" for i in range(count - 1))
    return f"{queries} {REQUEST_RESET}"


@asynccontextmanager
async def client(app: Starlette, address: str = "203.0.113.7") -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def resets_sent(mailbox: Mailbox, user: User) -> list[EmailMessage]:
    await jobs_done()
    return [m for m in mailbox.to(user.email) if RESET_SUBJECT in m["Subject"]]


def unique_address() -> str:
    """A client address no earlier run used, so shared Redis windows never collide."""
    return "2001:db8::" + ":".join(uuid.uuid4().hex[i : i + 4] for i in range(0, 16, 4))


async def away_from_a_window_boundary() -> None:
    remaining = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if remaining < 3:
        await asyncio.sleep(remaining + 0.1)


# --- probes and transports -------------------------------------------------------------


async def test_health_probes_answer_ok(app):
    async with client(app) as http:
        health, ready = await http.get("/healthz"), await http.get("/readyz")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "ok"})


@pytest.mark.parametrize(
    ("method", "request_options"),
    [
        ("POST", {"json": {"query": TYPENAME}}),
        ("GET", {"params": {"query": TYPENAME}}),
    ],
)
async def test_query_answers_over_post_and_get_without_redirect(app, method, request_options):
    async with client(app) as http:
        response = await http.request(method, "/graphql", **request_options)

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_mutation_over_get_is_refused_and_does_not_run(app, mailbox):
    user = await young_person()
    params = {"query": REQUEST_RESET, "variables": json.dumps({"email": user.email})}

    async with client(app) as http:
        refused = await http.get("/graphql", params=params)
        assert refused.status_code == 400
        assert (await resets_sent(mailbox, user)) == []
        # The same mutation over POST does send the email: the GET refusal is what stopped it.
        sent = await http.post(
            "/graphql", json={"query": REQUEST_RESET, "variables": {"email": user.email}}
        )

    assert sent.json() == {"data": {"requestPasswordReset": {"ok": True}}}
    assert len(await resets_sent(mailbox, user)) == 1


# --- document limits -------------------------------------------------------------------


async def send(app: Starlette, document: str, email: str) -> dict:
    """Post `document`, asking for its operation named Send, with `$email` bound."""
    async with client(app) as http:
        response = await http.post(
            "/graphql",
            json={"query": document, "variables": {"email": email}, "operationName": "Send"},
        )
    return response.json()


@pytest.mark.parametrize(
    ("document", "code", "message"),
    [
        (
            nested_me(10),
            "QUERY_TOO_DEEP",
            "L'opération « Send » est trop profonde (11 niveaux, maximum 10).",
        ),
        (
            nested_me(10, through_fragment=True),
            "QUERY_TOO_DEEP",
            "L'opération « Send » est trop profonde (11 niveaux, maximum 10).",
        ),
        (aliased_resets(16), "TOO_MANY_ALIASES", "Trop d'alias dans la requête (16, maximum 15)."),
        (reset_with_tokens(2001), "TOO_MANY_TOKENS", "Requête trop longue : plus de 2000 éléments"),
        (
            operations_then_reset(11),
            "TOO_MANY_OPERATIONS",
            "Trop d'opérations dans une même requête (11, maximum 10).",
        ),
    ],
    ids=["depth", "depth-through-fragment", "aliases", "tokens", "operations"],
)
async def test_document_over_a_limit_is_refused_before_anything_runs(
    app, mailbox, document, code, message
):
    user = await young_person()

    result = await send(app, document, user.email)

    assert result["data"] is None
    [error] = result["errors"]
    assert error["extensions"]["code"] == code
    assert message in error["message"], result
    assert (await resets_sent(mailbox, user)) == []


@pytest.mark.parametrize(
    "document",
    [
        aliased_resets(15),
        reset_with_tokens(2000),
        operations_then_reset(10),
    ],
    ids=["aliases", "tokens", "operations"],
)
async def test_mutation_at_a_limit_runs(app, mailbox, document):
    user = await young_person()

    result = await send(app, document, user.email)

    assert "errors" not in result, result
    assert await resets_sent(mailbox, user)


async def test_query_at_the_depth_limit_runs(settings):
    # Five nested lists of delegates would cost 10^5 (QUERY_TOO_COMPLEX): only depth here.
    app = create_app(replace(settings, max_query_cost=10**6), manage_database=False)

    result = await send(app, nested_me(9), "")

    # It ran: the anonymous caller is told to sign in, not that the query is too deep.
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]


async def test_batch_of_more_than_ten_operations_is_refused(app, mailbox):
    user = await young_person()
    operation = {"query": REQUEST_RESET, "variables": {"email": user.email}}

    async with client(app) as http:
        response = await http.post("/graphql", json=[operation] * 11)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["message"] == "Trop d'opérations dans une même requête."
    assert error["extensions"]["code"] == "TOO_MANY_OPERATIONS"
    assert (await resets_sent(mailbox, user)) == []


async def test_batch_of_two_operations_answers_both(app, mailbox):
    user = await young_person()

    async with client(app) as http:
        response = await http.post(
            "/graphql",
            json=[
                {"query": TYPENAME},
                {"query": REQUEST_RESET, "variables": {"email": user.email}},
            ],
        )

    assert response.status_code == 200
    assert response.json() == [
        {"data": {"__typename": "Query"}},
        {"data": {"requestPasswordReset": {"ok": True}}},
    ]
    assert len(await resets_sent(mailbox, user)) == 1


async def test_misspelled_field_gets_no_suggestion(app):
    async with client(app) as http:
        result = (await http.post("/graphql", json={"query": MISSPELLED_FIELD})).json()

    [error] = result["errors"]
    assert error["message"] == "Le champ « mee » n'existe pas sur le type « Query »."
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


# --- production hardening --------------------------------------------------------------


@pytest.fixture
async def production(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    production_settings = replace(settings, **PRODUCTION, redis_url=REDIS_URL)
    async with client(create_app(production_settings, manage_database=False)) as http:
        yield http
    configure_broker(settings)  # jobs go back in-process for the other tests


async def test_production_serves_queries_without_graphiql_or_introspection(production):
    page = await production.get("/graphql", headers={"accept": "text/html"})
    schema = (await production.post("/graphql", json={"query": INTROSPECTION})).json()
    query = await production.post("/graphql", json={"query": TYPENAME})

    assert "graphiql" not in page.text.lower()
    assert page.status_code != 200
    assert schema["data"] is None
    assert schema["errors"][0]["message"] == (
        "L'introspection du schéma est désactivée (champ « __schema »)."
    )
    assert query.json() == {"data": {"__typename": "Query"}}


async def test_development_serves_graphiql_and_introspection(settings):
    app = create_app(replace(settings, environment="development"), manage_database=False)

    async with client(app) as http:
        page = await http.get("/graphql", headers={"accept": "text/html"})
        schema = (await http.post("/graphql", json={"query": INTROSPECTION})).json()

    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert {"name": "Query"} in schema["data"]["__schema"]["types"]


# --- rate limiting ---------------------------------------------------------------------


@asynccontextmanager
async def limited_app(settings: Settings, redis_url: str | None) -> AsyncIterator[Starlette]:
    app = create_app(
        replace(settings, rate_limit_per_minute=5, redis_url=redis_url), manage_database=False
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.mark.parametrize("redis_url", [None, REDIS_URL], ids=["memory", "redis"])
async def test_sixth_request_in_a_minute_is_refused_for_that_address_only(settings, redis_url):
    await away_from_a_window_boundary()

    async with limited_app(settings, redis_url) as app:
        async with client(app, unique_address()) as http:
            allowed = [
                (await http.post("/graphql", json={"query": TYPENAME})).status_code
                for _ in range(5)
            ]
            refused = await http.post("/graphql", json={"query": TYPENAME})
            probe = await http.get("/healthz")
        async with client(app, unique_address()) as http:
            neighbour = await http.post("/graphql", json={"query": TYPENAME})

    assert allowed == [200] * 5
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    [error] = refused.json()["errors"]
    assert (error["message"], error["extensions"]["code"]) == (RATE_LIMITED_MESSAGE, "RATE_LIMITED")
    assert probe.status_code == 200
    assert neighbour.status_code == 200


async def test_redis_counts_one_address_across_every_api_process(settings, monkeypatch):
    from infra.counters import RedisCounter

    # Each process sends its counts at each flush (every second in production).
    monkeypatch.setattr(RedisCounter, "FLUSH_EVERY_SECONDS", 0.05)
    address, statuses = unique_address(), []
    await away_from_a_window_boundary()

    async with (
        limited_app(settings, REDIS_URL) as first,
        limited_app(settings, REDIS_URL) as second,
    ):
        for app in (first, second, first, second, first, second):
            async with client(app, address) as http:
                response = await http.post("/graphql", json={"query": TYPENAME})
            statuses.append(response.status_code)
            await asyncio.sleep(0.2)  # a flush of each process

    assert statuses == [200] * 5 + [429]


# --- WebSocket -------------------------------------------------------------------------


@pytest.fixture
def ws_url(live_server: str) -> str:
    return f"ws://{live_server}/graphql"


async def reply_to_init(ws: ClientConnection, payload: dict) -> dict:
    async with asyncio.timeout(5):
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        return json.loads(await ws.recv())


async def test_legacy_graphql_ws_protocol_is_refused(ws_url):
    async with connect(ws_url, subprotocols=["graphql-ws"]) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await reply_to_init(ws, {})

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406


async def test_graphql_transport_ws_with_a_valid_token_is_acknowledged(gql, ws_url):
    token = await token_for(gql, await young_person())

    async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        ack = await reply_to_init(ws, {"authorization": f"Bearer {token}"})

    assert ws.subprotocol == "graphql-transport-ws"
    assert ack["type"] == "connection_ack"


@pytest.mark.parametrize(
    "payload", [{}, {"authorization": "Bearer pas-un-jeton"}], ids=["no-token", "invalid-token"]
)
async def test_connection_init_without_a_valid_token_is_closed(ws_url, payload):
    async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await reply_to_init(ws, payload)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_websocket_from_a_foreign_origin_is_refused(ws_url):
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            ws_url, subprotocols=["graphql-transport-ws"], origin="https://pirate.example"
        ):
            pass

    assert refused.value.response.status_code == 403


def _graphql_view(app: Starlette):
    from starlette.routing import Route

    from server.graphql_view import CJeuneGraphQL

    [view] = [
        r.endpoint
        for r in app.routes
        if isinstance(r, Route) and isinstance(r.endpoint, CJeuneGraphQL)
    ]
    return view


def test_answers_are_compact_utf8_json_and_what_orjson_refuses_still_encodes(app):
    view = _graphql_view(app)
    assert view.encode_json({"titre": "Théâtre à 5\u00a0€", "km": 1.5}) == (
        '{"titre":"Théâtre à 5\u00a0€","km":1.5}'
    )
    # A JSON scalar may hold what orjson refuses: the standard encoder takes over.
    assert json.loads(view.encode_json({"grand": 2**70, 3: "clé entière"})) == {
        "grand": 2**70,
        "3": "clé entière",
    }


async def test_a_french_refusal_travels_as_utf8_not_escaped(app, gql):
    stranger = await token_for(gql, await young_person())
    async with client(app) as http:
        response = await http.post(
            "/graphql",
            json={"query": "{ schoolYears { label } }"},
            headers={"authorization": f"Bearer {stranger}"},
        )
    assert response.headers["content-type"].startswith("application/json")
    assert "accéder à cette information".encode() in response.content
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
