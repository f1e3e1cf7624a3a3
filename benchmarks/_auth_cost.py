"""What the server spends authenticating a request, by kind of credential (--terminals).

The same trivial request (`{ __typename }`, which runs no resolver: the server's cost is the
HTTP layer, GraphQL's fixed work and the credential's check, done for every request) is sent
without a credential, with a person's access token and with a payment terminal's
credential, in rounds whose order rotates, from a closed loop of a few clients in this
process. The server's CPU per request of each kind, less that of the requests without a
credential, is the check's own cost: the figure the terminals' issue compares ("the
credential's check must cost no more than a person's token"), without the noise of a whole
debit around it.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Callable
from typing import Any

import aiohttp

from benchmarks._cpu import CpuMeter

QUERY = {"query": "{ __typename }"}


async def _round(
    url: str, headers: list[dict[str, str]], requests: int, clients: int, meter: CpuMeter
) -> tuple[int, float, float]:
    """20 requests per client to warm up, then `requests` from `clients` clients over
    kept-alive connections, the tills' headers taken in turn: (answered 200, the server's
    CPU seconds, the other processes' cores) of the measured part."""
    answered = sent = 0

    async def client(session: aiohttp.ClientSession, count: int) -> None:
        nonlocal answered, sent
        while sent < count:
            sent += 1
            till = headers[sent % len(headers)]
            async with session.post(f"{url}/graphql", json=QUERY, headers=till) as response:
                await response.read()
                answered += response.status == 200

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(client(session, 20 * clients) for _ in range(clients)))
        answered = sent = 0
        before = meter.snapshot()
        await asyncio.gather(*(client(session, requests) for _ in range(clients)))
        after = meter.snapshot()
    busy = after.groups["server"] - before.groups["server"]
    return answered, busy, CpuMeter.cores(before, after)["others_cpu_cores"]


def compare_authentication(
    url: str,
    headers_by_kind: dict[str, list[dict[str, str]]],
    meter: CpuMeter,
    rounds: int = 3,
    requests: int = 1500,
    clients: int = 4,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Server CPU per request of each kind (median of `rounds`, the order of the kinds
    rotating), and each credential's check: its median less that of the requests without
    one (kind "no_credential"). `headers_by_kind` gives, per kind, the headers of the tills,
    taken in turn so that every credential is checked."""
    kinds = list(headers_by_kind)
    per_round: list[dict[str, Any]] = []
    for number in range(rounds):
        order = kinds[number % len(kinds) :] + kinds[: number % len(kinds)]
        for kind in order:
            answered, busy, others = asyncio.run(
                _round(url, headers_by_kind[kind], requests, clients, meter)
            )
            per_round.append(
                {
                    "round": number + 1,
                    "kind": kind,
                    "answered": answered,
                    "server_cpu_ms_per_request": round(busy / max(1, answered) * 1000, 3),
                    "others_cpu_cores": others,
                }
            )
            say(f"  round {number + 1}, {kind}: {per_round[-1]['server_cpu_ms_per_request']} ms")
    medians = {
        kind: round(
            statistics.median(
                r["server_cpu_ms_per_request"] for r in per_round if r["kind"] == kind
            ),
            3,
        )
        for kind in kinds
    }
    baseline = medians.get("no_credential", 0.0)
    checks = {kind: round(value - baseline, 3) for kind, value in medians.items()}
    return {
        "request": QUERY["query"],
        "rounds": per_round,
        "median_server_cpu_ms_per_request": medians,
        "check_ms_per_request": checks,
        "terminal_check_no_costlier": checks.get("terminal_credential", 0.0)
        <= checks.get("person_token", 0.0),
    }
