"""Shared test helpers: a GraphQL client, a real SMTP server, test data builders."""

from __future__ import annotations

import asyncio
import email
import itertools
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

import httpx
import uvicorn
from aiosmtpd.controller import Controller

_counter = itertools.count(1)


def unique(prefix: str = "x") -> str:
    return f"{prefix}{next(_counter)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def valid_siret(seed: int) -> str:
    """A SIRET with a correct Luhn key, distinct for each seed."""
    from stdnum import luhn

    body = f"{seed:08d}"[-8:]
    siren = body + luhn.calc_check_digit(body)
    nic = "0001"
    return siren + nic + luhn.calc_check_digit(siren + nic)


class Mailbox:
    """Messages received by a real aiosmtpd server on 127.0.0.1.

    It offers PIPELINING (RFC 2920), as the production relays do: aiosmtpd reads commands
    from a buffered stream, one after the other, so a pipelining client is served
    correctly, but it does not say so in its EHLO reply. `pipelining=False` for a server
    that does not offer it."""

    def __init__(self, *, pipelining: bool = True) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0
        self.pipelining = pipelining

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

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
