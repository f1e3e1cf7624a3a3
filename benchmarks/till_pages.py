"""The till's two page requests (lookup shown, then debit shown) under load, next to the
same pair sent to /graphql, on PostgreSQL.

    uv run python benchmarks/till_pages.py            # about 2 minutes
    uv run python benchmarks/till_pages.py --quick    # about a minute

Built on debit.py's parts: a fresh database seeded through the domain layer, the real
server (`cjeune serve`) in a subprocess, an open-model load generator in another process.
Every cashier signs in twice: through `login` for a bearer token (the GraphQL pairs, the
very documents debit.py sends) and through the sign-in page for a web session (the page
pairs: the htmx requests a browser sends from /partenaires/caisse). The two kinds run one
after the other at the same rate (50 pairs/s), each after its own warm-up; each request's
service time is measured from its send to its answer, on the same client, so the
difference is what the page adds to the GraphQL cost (its session, CSRF check, form,
templates, and the fields the page asks more: the holder's photo and validity, the new
balance). Progress goes to stderr, one JSON line of figures to stdout; the database, the
server and the generator are cleaned up even on failure. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script, benchmarks/ would shadow the `search` package
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import httpx

from benchmarks import _seed
from benchmarks._cpu import CpuMeter
from benchmarks._load import Plan
from benchmarks._page_load import serve_both
from benchmarks._server import Server, free_port, sign_in_all
from benchmarks.debit import background_load, bench_environment, prepare_database, say

KINDS = ("graphql", "pages")
GOAL_MS = 5.0  # what a page may add to its request's GraphQL cost
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="The till's page requests against the same GraphQL pair, at one rate."
    )
    add = parser.add_argument
    add("--quick", action="store_true", help="small data, short phases")
    add(
        "--postgres",
        default=os.environ.get("CJEUNE_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server where the bench database is created and dropped",
    )
    add("--partners", type=int, help="partners, one cashier each (20; quick 5)")
    add("--holders", type=int, help="card holders, 100 € credited (1000; quick 150)")
    add("--workers", type=int, default=2, help="uvicorn worker processes (2)")
    add("--pool-size", type=int, default=10, help="DATABASE_POOL_SIZE per worker (10)")
    add("--rate", type=float, default=50, help="pairs per second of each kind (50)")
    add("--warmup", type=float, help="unmeasured seconds before each kind (5; quick 2)")
    add("--duration", type=float, help="measured seconds of each kind (30; quick 8)")
    add(
        "--rounds",
        type=int,
        help="kinds alternated this many times, figures averaged over the rounds (2; quick 1)",
    )
    add("--pair-timeout", type=float, default=5.0, help="a pair later than this is an error")
    add("--client-connections", type=int, default=64, help="the generator's HTTP pool (64)")
    add("--keep-server-log", metavar="FILE", type=Path, help="copy the server's log here")
    args = parser.parse_args(argv)
    defaults = (
        {"partners": 5, "holders": 150, "warmup": 2.0, "duration": 8.0, "rounds": 1}
        if args.quick
        else {"partners": 20, "holders": 1000, "warmup": 5.0, "duration": 20.0, "rounds": 2}
    )
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    # debit.py's environment reads these.
    args.redis_url = None
    return args


async def open_web_sessions(url: str, emails: list[str], password: str) -> list[tuple[str, str]]:
    """(CSRF token, Cookie header) of a web session per cashier, as a browser gets them:
    the sign-in page, its form, then the till's page (which remembers the partner)."""
    gate = asyncio.Semaphore(4)  # Argon2 verification: a few at a time

    async def one(email: str) -> tuple[str, str]:
        async with gate, httpx.AsyncClient(base_url=url, timeout=30) as browser:
            page = await browser.get("/connexion")
            token = CSRF.search(page.text)
            assert token, "no CSRF token on the sign-in page"
            signed_in = await browser.post(
                "/connexion", data={"csrf": token[1], "email": email, "password": password}
            )
            if signed_in.status_code != 303:
                raise RuntimeError(f"sign-in refused for {email}: {signed_in.status_code}")
            till = await browser.get("/partenaires/caisse")
            token = CSRF.search(till.text)
            if till.status_code != 200 or not token:
                raise RuntimeError(f"no till for {email}: {till.status_code}")
            cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
            return token[1], cookie

    return list(await asyncio.gather(*(one(email) for email in emails)))


class Generator:
    """The generator process (both kinds) and the pipe to it."""

    def __init__(self, url: str, graphql_tills, page_tills, codes, args: argparse.Namespace):
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=serve_both,
            args=(
                child,
                url,
                graphql_tills,
                page_tills,
                codes,
                args.client_connections,
                args.pair_timeout,
            ),
            daemon=True,
        )
        self.process.start()
        if not self.connection.poll(120) or self.connection.recv() != "ready":
            raise RuntimeError("the load generator did not start")

    def run(self, kind: str, plan: Plan) -> dict[str, Any]:
        self.connection.send((kind, plan))
        return self.connection.recv()

    def stop(self) -> None:
        if self.process.is_alive():
            try:
                self.connection.send(None)
            except OSError:
                pass
            self.process.join(timeout=10)
            if self.process.is_alive():
                self.process.terminate()
                self.process.join()


def measure(generator: Generator, meter: CpuMeter, kind: str, plan: Plan) -> dict[str, Any]:
    before = meter.snapshot()
    result = generator.run(kind, plan)
    after = meter.snapshot()
    result.update(meter.cores(before, after))
    wall, answered = after.at - before.at, result.pop("ok_including_warmup")
    result["server_cpu_ms_per_pair"] = (
        round(result["server_cpu_cores"] * wall / answered * 1000, 2) if answered else None
    )
    meter.wait_until_server_idle()
    return result


FIGURES = (
    "lookup_p50_ms",
    "lookup_p99_ms",
    "debit_p50_ms",
    "debit_p99_ms",
    "p50_ms",
    "p99_ms",
    "max_ms",
    "achieved_rate",
    "pairs",
    "errors",
    "error_kinds",
    "server_cpu_cores",
    "postgres_cpu_cores",
    "generator_cpu_cores",
    "others_cpu_cores",
    "server_cpu_ms_per_pair",
)


def averaged(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's mean over the rounds (counts summed, error kinds merged)."""
    merged: dict[str, Any] = {}
    for figure in FIGURES:
        values = [r[figure] for r in rounds if r.get(figure) is not None]
        if figure in ("pairs", "errors"):
            merged[figure] = sum(values)
        elif figure == "error_kinds":
            kinds: dict[str, int] = {}
            for value in values:
                for kind, count in value.items():
                    kinds[kind] = kinds.get(kind, 0) + count
            merged[figure] = kinds
        else:
            merged[figure] = round(sum(values) / len(values), 2) if values else None
    return merged


def page_adds(graphql: dict[str, Any], pages: dict[str, Any]) -> dict[str, float | None]:
    added: dict[str, float | None] = {}
    for figure in ("lookup_p50_ms", "lookup_p99_ms", "debit_p50_ms", "debit_p99_ms"):
        a, b = graphql.get(figure), pages.get(figure)
        added[figure] = round(b - a, 2) if a is not None and b is not None else None
    a, b = graphql.get("server_cpu_ms_per_pair"), pages.get("server_cpu_ms_per_pair")
    added["server_cpu_ms_per_request"] = round((b - a) / 2, 2) if a and b else None
    return added


def run(args: argparse.Namespace) -> dict[str, Any]:
    name = _seed.bench_database_name()
    database_url = f"{args.postgres}/{name}"
    data_dir = tempfile.mkdtemp(prefix="cjeune_bench_")
    env = bench_environment(args, database_url, data_dir)
    os.environ.update(env)

    from infra.settings import load_settings, use_settings

    use_settings(load_settings())
    server: Server | None = None
    generator: Generator | None = None
    meter = CpuMeter(
        name,
        lambda: server.process.pid if server and server.process else None,
        lambda: generator.process.pid if generator else None,
        lambda: [],
    )
    try:
        others_before = background_load(meter, 1.5 if args.quick else 3.0)
        say(f"background load from other processes: {others_before:.2f} cores")
        seeded, _ = asyncio.run(prepare_database(args, name))
        server = Server(free_port(), args.workers, {**os.environ, **env}, Path(data_dir) / "log")
        say(f"starting `cjeune serve --workers {args.workers}` on {server.url}")
        server.start()
        server.wait_ready()
        emails = [t.cashier_email for t in seeded.tills]
        say(f"signing {len(emails)} cashiers in, through `login` and through the sign-in page")
        tokens = asyncio.run(sign_in_all(server.url, emails, seeded.password))
        graphql_tills = [(t.partner_id, f"Bearer {tokens[t.cashier_email]}") for t in seeded.tills]
        page_tills = asyncio.run(open_web_sessions(server.url, emails, seeded.password))
        generator = Generator(server.url, graphql_tills, page_tills, seeded.card_codes, args)
        rounds: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
        for round_number in range(1, args.rounds + 1):
            for kind in KINDS:
                say(
                    f"round {round_number}, {kind}: {args.rate:.0f} pairs/s, "
                    f"{args.warmup:.0f} s warm-up + {args.duration:.0f} s measured"
                )
                plan = Plan(args.rate, args.duration, args.warmup)
                result = measure(generator, meter, kind, plan)
                rounds[kind].append({figure: result.get(figure) for figure in FIGURES})
                say(
                    f"round {round_number}, {kind}: lookup p50 {result['lookup_p50_ms']} p99 "
                    f"{result['lookup_p99_ms']} ms, debit p50 {result['debit_p50_ms']} p99 "
                    f"{result['debit_p99_ms']} ms, errors {result['errors']}/{result['pairs']}, "
                    f"server {result['server_cpu_ms_per_pair']} ms CPU/pair, others "
                    f"{result['others_cpu_cores']} cores"
                )
        results = {kind: averaged(rounds[kind]) for kind in KINDS}
        added = page_adds(results["graphql"], results["pages"])
        per_request = [added[f] for f in ("lookup_p50_ms", "debit_p50_ms")]
        return {
            "benchmark": "till_pages",
            "quick": args.quick,
            "workers": args.workers,
            "pool_size_per_worker": args.pool_size,
            "partners": args.partners,
            "card_holders": args.holders,
            "cpu_count": os.cpu_count(),
            "others_cpu_cores_before": round(others_before, 2),
            "rate": args.rate,
            "rounds": args.rounds,
            "graphql": results["graphql"],
            "pages": results["pages"],
            "page_adds_ms": added,
            "goal_ms": GOAL_MS,
            "goal_met_at_p50": all(v is not None and v < GOAL_MS for v in per_request),
            "each_round": rounds,
        }
    finally:
        if generator is not None:
            generator.stop()
        if server is not None:
            server.stop()
            if args.keep_server_log and server.log_path.exists():
                shutil.copyfile(server.log_path, args.keep_server_log)
        asyncio.run(_seed.drop_database(args.postgres, name))
        say(f"database {name} dropped")
        shutil.rmtree(data_dir, ignore_errors=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    figures = run(parse_args(argv))
    print(json.dumps(figures, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
