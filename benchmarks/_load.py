"""The load generator: an open model, in a process of its own.

Pairs (lookupCard, then debitCard) are launched at the times of a constant arrival rate,
never waiting for earlier answers; a pair's latency runs from its scheduled start, so time
spent queueing anywhere (client, network, server) is counted.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

LOOKUP = """
query Lookup($partnerId: ID!, $code: String!) {
  lookupCard(partnerId: $partnerId, code: $code) {
    __typename
    ... on CardCheck { cardCode state unusableReason pinRequired
                       holder { firstName lastName age }
                       wallets { kind label balanceCents balance } }
    ... on UserError { code message }
  }
}
"""
DEBIT = """
mutation Debit($input: DebitInput!) {
  debitCard(input: $input) {
    __typename
    ... on TransactionSuccess { transaction { id reference amountCents amount status
                                              maskedCardCode walletKind } }
    ... on UserError { code message field }
  }
}
"""
WALLET = "SPORT_CULTURE_LOISIRS"


@dataclass(frozen=True)
class Plan:
    rate: float  # pairs per second
    duration: float  # measured seconds
    warmup: float = 0.0  # seconds at the same rate, not measured


@dataclass
class PairResult:
    scheduled: float  # seconds after the phase start
    latency: float  # from the scheduled start to the debit's answer
    launch_lag: float  # waiting for a free connection of the client's pool
    lookup: float  # service time of each request, from its send
    debit: float
    error: str | None


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest rank."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def _kind(payload: dict[str, Any] | None, field: str) -> tuple[str, dict[str, Any]]:
    result = ((payload or {}).get("data") or {}).get(field)
    if not result:
        errors = (payload or {}).get("errors") or [{}]
        code = (errors[0].get("extensions") or {}).get("code") or errors[0].get("message")
        return f"graphql:{code}", {}
    return result["__typename"], result


class Generator:
    """The tills' HTTP client is aiohttp's (one keep-alive pool of `pool` connections):
    httpx costs about twice its CPU per request, taken from the two cores the server under
    measure has (in production the terminals are elsewhere)."""

    def __init__(
        self,
        url: str,
        tills: list[tuple[str, str]],
        codes: list[str],
        pool: int,
        pair_timeout: float,
    ) -> None:
        self.url, self.tills, self.codes, self.pair_timeout = url, tills, codes, pair_timeout
        self.pool = pool
        self.gate = asyncio.Semaphore(pool)
        self._client: aiohttp.ClientSession | None = None

    @property
    def client(self) -> aiohttp.ClientSession:
        if self._client is None:
            self._client = aiohttp.ClientSession(
                self.url, connector=aiohttp.TCPConnector(limit=self.pool)
            )
        return self._client

    async def pair(self, phase_start: float, scheduled: float) -> PairResult:
        # A till is (partner, Authorization value): a person's « Bearer <access token> »
        # or a payment terminal's « Terminal <credential> ».
        partner_id, authorization = random.choice(self.tills)
        code = random.choice(self.codes)
        headers = {"authorization": authorization, "content-type": "application/json"}
        lookup = debit = math.nan
        # Pairs beyond the connection pool wait here, not in the client's pool; their
        # latency still runs from the scheduled time.
        async with self.gate:
            started = time.perf_counter()
            try:
                lookup, debit, error = await self._lookup_then_debit(
                    partner_id, code, headers, deadline=scheduled + self.pair_timeout
                )
            except TimeoutError:
                error = "timeout"
            except (aiohttp.ClientError, ValueError) as exc:
                error = f"http:{type(exc).__name__}"
        done = time.perf_counter()
        return PairResult(
            scheduled=scheduled - phase_start,
            latency=done - scheduled,
            launch_lag=started - scheduled,
            lookup=lookup,
            debit=debit,
            error=error,
        )

    async def _post(self, body: dict[str, Any], headers: dict[str, str], deadline: float) -> Any:
        timeout = aiohttp.ClientTimeout(total=deadline - time.perf_counter())
        async with self.client.post(
            "/graphql", data=json.dumps(body), headers=headers, timeout=timeout
        ) as response:
            return json.loads(await response.read())

    async def _lookup_then_debit(
        self,
        partner_id: str,
        code: str,
        headers: dict[str, str],
        deadline: float,
    ) -> tuple[float, float, str | None]:
        """(lookup service time, debit service time, error): what a till does, giving up
        at the deadline (each request has the time left as its timeout)."""
        lookup = debit = math.nan
        sent = time.perf_counter()
        if sent >= deadline:
            return lookup, debit, "timeout"
        answer = await self._post(
            {"query": LOOKUP, "variables": {"partnerId": partner_id, "code": code}},
            headers,
            deadline,
        )
        lookup = time.perf_counter() - sent
        kind, check = _kind(answer, "lookupCard")
        if kind != "CardCheck" or check.get("state") != "ACTIVE":
            return lookup, debit, f"lookup:{kind}:{check.get('code') or check.get('state')}"
        debit_input = {
            "partnerId": partner_id,
            "code": code,
            "walletKind": WALLET,
            "amount": "0,01",
            "idempotencyKey": uuid.uuid4().hex,
        }
        sent = time.perf_counter()
        if sent >= deadline:
            return lookup, debit, "timeout"
        answer = await self._post(
            {"query": DEBIT, "variables": {"input": debit_input}}, headers, deadline
        )
        debit = time.perf_counter() - sent
        kind, result = _kind(answer, "debitCard")
        if kind != "TransactionSuccess":
            return lookup, debit, f"debit:{kind}:{result.get('code', '')}"
        return lookup, debit, None

    async def run(self, plan: Plan) -> dict[str, Any]:
        total = round((plan.warmup + plan.duration) * plan.rate)
        interval = 1.0 / plan.rate
        phase_start = time.perf_counter() + 0.05
        tasks = []
        for i in range(total):
            scheduled = phase_start + i * interval
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.pair(phase_start, scheduled)))
        results: list[PairResult] = await asyncio.gather(*tasks)
        return summarize(plan, results)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()


def summarize(plan: Plan, results: list[PairResult]) -> dict[str, Any]:
    measured = [r for r in results if r.scheduled >= plan.warmup]
    ok = [r for r in measured if r.error is None]
    latencies = sorted(r.latency * 1000 for r in measured)
    lookups = sorted(r.lookup * 1000 for r in ok)
    debits = sorted(r.debit * 1000 for r in ok)
    last_done = max((r.scheduled + r.latency for r in measured), default=plan.warmup)
    span = last_done - plan.warmup
    errors = Counter(r.error for r in measured if r.error is not None)

    def ms(value: float) -> float | None:
        return None if math.isnan(value) else round(value, 2)  # JSON has no NaN

    return {
        "target_rate": plan.rate,
        "duration_s": plan.duration,
        "pairs": len(measured),
        "ok": len(ok),
        "ok_including_warmup": sum(r.error is None for r in results),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors.most_common(5)),
        "achieved_rate": round(len(ok) / span, 1) if span > 0 else 0.0,
        "p50_ms": ms(percentile(latencies, 50)),
        "p90_ms": ms(percentile(latencies, 90)),
        "p99_ms": ms(percentile(latencies, 99)),
        "p999_ms": ms(percentile(latencies, 99.9)),
        "max_ms": ms(latencies[-1]) if latencies else None,
        "mean_ms": ms(sum(latencies) / len(latencies)) if latencies else None,
        "lookup_p50_ms": ms(percentile(lookups, 50)),
        "lookup_p99_ms": ms(percentile(lookups, 99)),
        "debit_p50_ms": ms(percentile(debits, 50)),
        "debit_p99_ms": ms(percentile(debits, 99)),
        "max_client_queue_ms": ms(max((r.launch_lag for r in measured), default=0.0) * 1000),
    }


def serve_plans(
    connection: Connection,
    url: str,
    tills: list[tuple[str, str]],
    codes: list[str],
    pool: int,
    pair_timeout: float,
) -> None:
    """The child process: run each Plan received, answer with its summary; None stops."""

    async def main() -> None:
        generator = Generator(url, tills, codes, pool, pair_timeout)
        connection.send("ready")  # started up: what follows is the load's own CPU
        try:
            while True:
                plan = await asyncio.to_thread(connection.recv)
                if plan is None:
                    break
                connection.send(await generator.run(plan))
        finally:
            await generator.aclose()

    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
