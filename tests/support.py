"""Shared test helpers: a GraphQL client, a real SMTP server, test data builders."""

from __future__ import annotations

import asyncio
import email
import itertools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

import httpx
import uvicorn
from aiosmtpd.controller import Controller
from redis.asyncio import Redis

from server import viewer_listener
from tests.servers import free_port, redis_database_url

_counter = itertools.count(1)


def unique(prefix: str = "x") -> str:
    return f"{prefix}{next(_counter)}"


def valid_siret(seed: int) -> str:
    """A SIRET with a correct Luhn key, distinct for each seed."""
    from stdnum import luhn

    body = f"{seed:08d}"[-8:]
    siren = body + luhn.calc_check_digit(body)
    nic = "0001"
    return siren + nic + luhn.calc_check_digit(siren + nic)


REDIS_CLAIM_KEY = "cjeune:tests:claimed"


async def claim_redis_database(holder: str, seconds: int) -> str:
    """An empty database of 1 to 14 of the session's Redis, marked taken by `holder` for
    `seconds` (the mark goes with the database's `flushdb` once its user is done)."""
    for db in range(1, 15):
        url = redis_database_url(db)
        client = Redis.from_url(url)
        try:
            if await client.set(REDIS_CLAIM_KEY, holder, nx=True, ex=seconds):
                if await client.dbsize() == 1:
                    return url
                await client.delete(REDIS_CLAIM_KEY)
        finally:
            await client.aclose()
    raise RuntimeError("no empty Redis database between 1 and 14")


def offer_pipelining(session: Any, hostname: str, responses: list[str]) -> list[str]:
    """aiosmtpd's EHLO reply with PIPELINING (RFC 2920), as production relays give it:
    aiosmtpd reads commands from a buffered stream, one after the other, so it serves a
    pipelining client correctly, but it does not say so."""
    session.host_name = hostname
    responses.insert(-1, "250-PIPELINING")
    return responses


class Mailbox:
    """Messages received by a real aiosmtpd server on 127.0.0.1, offering PIPELINING
    (`offer_pipelining`) unless `pipelining=False`."""

    def __init__(self, *, pipelining: bool = True) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0
        self.pipelining = pipelining
        self.refused: set[str] = set()  # addresses answered "550 unknown" at RCPT (a bounce)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        if self.pipelining:
            return offer_pipelining(session, hostname, responses)
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    async def wait_for(
        self, to: str, subject_contains: str = "", timeout: float = 5
    ) -> EmailMessage:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for message in reversed(self.messages):
                if message["To"] == to and subject_contains in message["Subject"]:
                    return message
            await asyncio.sleep(0.02)
        raise AssertionError(f"no email to {to} with {subject_contains!r}")

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def start_smtp(mailbox: Mailbox) -> Controller:
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    return controller


def link_token(message: EmailMessage) -> str:
    body = message.get_body(("plain",)).get_content()
    match = re.search(r"jeton=([A-Za-z0-9_\-]+)", body)
    assert match, body
    return match.group(1)


@dataclass
class GraphQLClient:
    http: httpx.AsyncClient
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        # What the test committed so far reaches the viewer cache first (on PostgreSQL, a
        # change reaches it a few milliseconds after its commit).
        await viewer_listener.settle()
        headers = dict(self.headers)
        bearer = token or self.token
        if bearer:
            headers["authorization"] = f"Bearer {bearer}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        return response.json()

    def as_(self, token: str | None) -> GraphQLClient:
        return GraphQLClient(self.http, token, self.headers)


def error_codes(result: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code", "") for e in result.get("errors") or []]


@asynccontextmanager
async def silent_redis() -> AsyncIterator[str]:
    """The URL of a server that accepts connections and never answers (a Redis hung, or
    behind a broken network)."""
    held: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield f"redis://127.0.0.1:{server.sockets[0].getsockname()[1]}/0"
    finally:
        for writer in held:
            writer.close()
        server.close()


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Serve `app` with a real uvicorn on 127.0.0.1 in this event loop; yields host:port."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(5):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def jobs_done() -> None:
    """Wait for the jobs this process kicked (emails, deliveries) to finish: the tests run
    them in-process, as the embedded default does."""
    from workers.broker import broker

    await broker.wait_all()
