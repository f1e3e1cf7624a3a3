"""Helpers for tests of payment terminals: create one as a delegate, pair it, and talk to the
API as that terminal."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.support import GraphQLClient

_addresses = itertools.count(1)

CREATE = """
mutation($input: CreateTerminalInput!) {
  createTerminal(input: $input) {
    __typename
    ... on TerminalPairing { pairingCode expiresAt terminal { id name state kind } }
    ... on UserError { code message field }
  }
}
"""
PAIR = """
mutation($code: String!) {
  pairTerminal(code: $code) {
    __typename
    ... on TerminalCredential { credential terminal { id state pairedAt } }
    ... on UserError { code message field }
  }
}
"""


STATUS_QUERY = "{ terminalStatus { terminal { id name } pinRequired serverTime } }"


def as_terminal(gql: GraphQLClient, credential: str) -> GraphQLClient:
    return GraphQLClient(gql.http, None, {**gql.headers, "authorization": f"Terminal {credential}"})


async def create_terminal(
    gql: GraphQLClient, token: str, partner_id: Any, name: str = "Caisse 1", kind: str = "SMART_TPE"
) -> dict[str, Any]:
    answer = await gql.post(
        CREATE,
        {"input": {"partnerId": str(partner_id), "name": name, "kind": kind}},
        token=token,
    )
    created = answer["data"]["createTerminal"]
    assert created["__typename"] == "TerminalPairing", answer
    return created


@asynccontextmanager
async def from_address(gql: GraphQLClient, address: str) -> AsyncIterator[GraphQLClient]:
    """The same app, asked from another client address (wrong pairing codes count per
    address: each pairing of a test comes from its own)."""
    app = gql.http._transport.app  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http, None, dict(gql.headers))


def new_address() -> str:
    """An address no earlier run counted (Redis keeps the counts ten minutes)."""
    return f"fd00::{secrets.token_hex(2)}:{secrets.token_hex(2)}:{next(_addresses):x}"


async def pair(gql: GraphQLClient, code: str, address: str | None = None) -> dict[str, Any]:
    async with from_address(gql, address or new_address()) as terminal:
        answer = await terminal.post(PAIR, {"code": code})
    return answer["data"]["pairTerminal"]


async def paired_terminal(
    gql: GraphQLClient, token: str, partner_id: Any, name: str = "Caisse 1"
) -> tuple[str, str]:
    """(terminal id, credential) of a new terminal of the partner, paired."""
    created = await create_terminal(gql, token, partner_id, name)
    paired = await pair(gql, created["pairingCode"])
    assert paired["__typename"] == "TerminalCredential", paired
    return paired["terminal"]["id"], paired["credential"]
