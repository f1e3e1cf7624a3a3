"""The till's pages under an open-model load, in the generator's process (see _load.py).

A pair is what a cashier's browser sends with htmx: POST /partenaires/caisse (the lookup,
answered with the holder's fragment), then POST /partenaires/caisse/paiement (the debit,
answered with the success fragment), each with the web session's cookies and its CSRF
token. The same process also runs debit.py's GraphQL pairs (`Generator`), so both kinds
are measured by the same client, at the same rate, against the same server.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
import uuid
from multiprocessing.connection import Connection

import aiohttp

from benchmarks._load import WALLET, Generator, PairResult, Plan

LOOKUP_PAGE = "/partenaires/caisse"
DEBIT_PAGE = "/partenaires/caisse/paiement"
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1/partenaires/caisse"}


class PageGenerator(Generator):
    """`tills`: (CSRF token, Cookie header) of each signed-in cashier's web session."""

    @property
    def client(self) -> aiohttp.ClientSession:
        if self._client is None:
            self._client = aiohttp.ClientSession(
                self.url,
                connector=aiohttp.TCPConnector(limit=self.pool),
                cookie_jar=aiohttp.DummyCookieJar(),  # each till's cookies are sent by hand
            )
        return self._client

    async def pair(self, phase_start: float, scheduled: float) -> PairResult:
        csrf, cookie = random.choice(self.tills)
        code = random.choice(self.codes)
        lookup = debit = math.nan
        async with self.gate:
            started = time.perf_counter()
            try:
                lookup, debit, error = await self._pages(
                    csrf, cookie, code, deadline=scheduled + self.pair_timeout
                )
            except TimeoutError:
                error = "timeout"
            except aiohttp.ClientError as exc:
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

    async def _form(
        self, path: str, form: dict[str, str], cookie: str, deadline: float
    ) -> tuple[int, bytes]:
        timeout = aiohttp.ClientTimeout(total=deadline - time.perf_counter())
        headers = {**HTMX, "Cookie": cookie}
        async with self.client.post(path, data=form, headers=headers, timeout=timeout) as answer:
            return answer.status, await answer.read()

    async def _pages(
        self, csrf: str, cookie: str, code: str, deadline: float
    ) -> tuple[float, float, str | None]:
        lookup = debit = math.nan
        sent = time.perf_counter()
        if sent >= deadline:
            return lookup, debit, "timeout"
        status, body = await self._form(LOOKUP_PAGE, {"csrf": csrf, "code": code}, cookie, deadline)
        lookup = time.perf_counter() - sent
        if status != 200 or b'id="debit-form"' not in body:
            return lookup, debit, f"lookup:{status}"
        form = {
            "csrf": csrf,
            "code": code,
            "wallet": WALLET,
            "amount": "0,01",
            "idempotency_key": uuid.uuid4().hex,
        }
        sent = time.perf_counter()
        if sent >= deadline:
            return lookup, debit, "timeout"
        status, body = await self._form(DEBIT_PAGE, form, cookie, deadline)
        debit = time.perf_counter() - sent
        if status != 200 or b'id="payment-done"' not in body:
            return lookup, debit, f"debit:{status}"
        return lookup, debit, None


def serve_both(
    connection: Connection,
    url: str,
    graphql_tills: list[tuple[str, str]],
    page_tills: list[tuple[str, str]],
    codes: list[str],
    pool: int,
    pair_timeout: float,
) -> None:
    """The child process: run each (kind, Plan) received with that kind's generator,
    answer with its summary; None stops."""

    async def main() -> None:
        generators = {
            "graphql": Generator(url, graphql_tills, codes, pool, pair_timeout),
            "pages": PageGenerator(url, page_tills, codes, pool, pair_timeout),
        }
        connection.send("ready")
        try:
            while True:
                message = await asyncio.to_thread(connection.recv)
                if message is None:
                    break
                kind, plan = message
                assert isinstance(plan, Plan)
                connection.send(await generators[kind].run(plan))
        finally:
            for generator in generators.values():
                await generator.aclose()

    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
