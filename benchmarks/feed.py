"""A young person's news feed through the real API: the first page and a deep one.

    uv run python benchmarks/feed.py                # seed a département, measure, drop it
    uv run python benchmarks/feed.py --keep         # ... and keep the database (name printed)
    uv run python benchmarks/feed.py --reuse NAME   # measure again on a kept database
    uv run python benchmarks/feed.py --scale 0.01   # a small département, for a quick look

A fresh PostgreSQL database `cjeune_bench_feed_<random>` is migrated and bulk-loaded with a
realistic département (`_feed_seed.py`: 400,000 young people, 3,000 partners, 200,000
posts, 2,000,000 follows at scale 1.0). The real server (`cjeune serve`) runs in a
subprocess; a sample of young people who follow someone sign in; the cursors of their
deep page are collected by paging through their feed. Then a closed loop (a few clients,
each sending its next request when the last is answered, over keep-alive connections)
times single requests for the first page, then for the deep page. Optionally, the server
is restarted with PostgreSQL logging every statement of the bench database, to count the
SQL statements per page and time them. Progress goes to stderr, one JSON line of figures
to stdout. The server and the database (unless --keep or --reuse) are cleaned up even on
failure. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from benchmarks import _feed_seed, _seed
from benchmarks._cpu import CpuMeter
from benchmarks._load import percentile
from benchmarks._server import Server, free_port, sign_in_all
from benchmarks.debit import background_load, bench_environment, say

LOGO = "logo { url(size: SMALL) }"
FEED = """
query Feed($first: Int!, $after: String) {
  feed(first: $first, after: $after) {
    nextCursor
    items {
      __typename
      ... on FeedPost { post { id body createdAt likeCount likedByMe
                               images { url(size: MEDIUM) }
                               partner { id tradeName LOGO } } }
      ... on FeedHighlight { highlight { id title body publishedAt } }
    }
  }
}
"""
Job = tuple[str, str | None]  # (access token, cursor of the page; None for the first)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="The feed's first and deep pages through the real API, on a seeded "
        "département (one JSON line on stdout).",
    )
    add = parser.add_argument
    add(
        "--postgres",
        default=os.environ.get("CJEUNE_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server where the bench database is created and dropped",
    )
    add("--scale", type=float, default=1.0, help="1.0 = 400,000 young people etc. (1.0)")
    add("--seed", type=int, default=13, help="random seed of the data and the sampling (13)")
    add("--keep", action="store_true", help="keep the seeded database (its name is printed)")
    add("--reuse", metavar="NAME", help="measure on a database kept by --keep: no seeding")
    add("--workers", type=int, default=2, help="uvicorn worker processes (2)")
    add("--pool-size", type=int, default=10, help="DATABASE_POOL_SIZE per worker (10)")
    add("--sample-users", type=int, default=200, help="young people signed in (200)")
    add("--page-size", type=int, default=20, help="feed(first: …) (20)")
    add("--deep-page", type=int, default=10, help="the deep page's number (10)")
    add("--concurrency", type=int, default=4, help="clients of the closed loop (4)")
    add("--requests", type=int, default=500, help="timed requests per client and page (500)")
    add("--warmup", type=int, default=50, help="untimed requests per client first (50)")
    add(
        "--spread",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="connect the clients evenly over the workers (default); --no-spread leaves it "
        "to the kernel, which tends to give all of them to one worker",
    )
    add("--target-p95-ms", type=float, default=20, help="the p95 target of both pages (20)")
    add(
        "--target-server-cpu-ms",
        type=float,
        default=4,
        help="the server's CPU per request, target of both pages (4)",
    )
    add(
        "--target-statements",
        type=float,
        default=5,
        help="SQL statements per page, target of both pages (5; needs --count-queries)",
    )
    add(
        "--count-queries",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="restart the server with every statement logged, to count and time the SQL "
        "of each page (default: on when --postgres-log is readable)",
    )
    add(
        "--postgres-log",
        type=Path,
        default=Path("/var/log/postgresql/postgresql-15-main.log"),
        help="the PostgreSQL server's log file, read for --count-queries",
    )
    add("--keep-server-log", metavar="FILE", type=Path, help="copy the server's log here")
    add(
        "--py-spy",
        metavar="DIR",
        type=Path,
        help="record every worker with py-spy during each page's timed requests (folded "
        "stacks in DIR/first_page and DIR/page_N; summarise with "
        "benchmarks/py_spy_report.py); the profiler takes CPU: profile in a run of its own",
    )
    args = parser.parse_args(argv)
    args.redis_url = None  # bench_environment's: the embedded default, as a developer runs it
    return args


# --- The database ------------------------------------------------------------------------


async def seed_database(args: argparse.Namespace, name: str) -> dict[str, Any]:
    """Create, migrate and seed; the summary is kept as the database's comment for --reuse."""
    from infra.database import run_migrations
    from infra.settings import get_settings

    await _seed.create_database(args.postgres, name)
    say(f"database {name} created; migrating")
    await run_migrations(get_settings())
    sizes = _feed_seed.Sizes.scaled(args.scale)
    connection = await asyncpg.connect(f"{args.postgres}/{name}")
    try:
        seeded = await _feed_seed.seed(connection, sizes, random_seed=args.seed, say=say)
        summary = {"scale": args.scale, "rows": seeded.rows, "seconds": seeded.seconds}
        comment = json.dumps(summary).replace("'", "''")
        await connection.execute(f"COMMENT ON DATABASE \"{name}\" IS '{comment}'")
    finally:
        await connection.close()
    say(f"seeded in {seeded.seconds['total']:.0f} s: {_feed_seed.describe(seeded)}")
    return summary


async def seed_summary(server_url: str, name: str) -> dict[str, Any]:
    admin = await asyncpg.connect(f"{server_url}/postgres")
    try:
        comment = await admin.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            name,
        )
    finally:
        await admin.close()
    if not comment:
        raise SystemExit(f"{name} is not a database seeded by benchmarks/feed.py --keep")
    return json.loads(comment)


async def sample_young_people(database_url: str, n: int, seed: int) -> list[str]:
    """Emails of n young people who follow at least one partner, drawn at random."""
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(f"SELECT setseed({(seed % 1000) / 1000})")
        rows = await connection.fetch(
            "SELECT u.email FROM users u WHERE u.kind = 'young_person' AND u.is_active "
            "AND EXISTS (SELECT 1 FROM follows f WHERE f.user_id = u.id) "
            "ORDER BY random() LIMIT $1",
            n,
        )
    finally:
        await connection.close()
    return [r["email"] for r in rows]


async def log_every_statement(server_url: str, name: str, on: bool) -> None:
    """Only new sessions see the change: the server is restarted around it."""
    admin = await asyncpg.connect(f"{server_url}/postgres")
    try:
        setting = "SET log_min_duration_statement = 0" if on else "RESET log_min_duration_statement"
        await admin.execute(f'ALTER DATABASE "{name}" {setting}')
    finally:
        await admin.close()


# --- Requests ----------------------------------------------------------------------------


def problem(response: httpx.Response) -> str | None:
    """None for a feed page; otherwise what went wrong, in a few words."""
    if response.status_code != 200:
        return f"http:{response.status_code}"
    payload = response.json()
    if payload.get("errors"):
        return f"graphql:{payload['errors'][0].get('message', '')[:80]}"
    feed = (payload.get("data") or {}).get("feed")
    if not isinstance(feed, dict) or not isinstance(feed.get("items"), list):
        return "no feed in the answer"
    return None


async def feed_page(
    client: httpx.AsyncClient, query: str, job: Job, first: int
) -> tuple[httpx.Response, float]:
    token, after = job
    sent = time.perf_counter()
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": {"first": first, "after": after}},
        headers={"authorization": f"Bearer {token}"},
    )
    return response, time.perf_counter() - sent


async def settle_query(client: httpx.AsyncClient, token: str, first: int) -> tuple[str, list[str]]:
    """The feed query, without `partner { logo }` if the API has no logo yet."""
    dropped: list[str] = []
    query = FEED.replace("LOGO", LOGO)
    response, _ = await feed_page(client, query, (token, None), first)
    error = problem(response)
    if error and "logo" in error:
        dropped.append("partner.logo")
        query = FEED.replace("LOGO", "")
        response, _ = await feed_page(client, query, (token, None), first)
        error = problem(response)
    if error:
        raise SystemExit(f"the feed query fails: {error}")
    return query, dropped


async def collect_deep_cursors(
    client: httpx.AsyncClient, query: str, tokens: list[str], args: argparse.Namespace
) -> tuple[list[Job], Counter[str]]:
    """For each young person whose feed is deep enough, the cursor of the deep page,
    found by following nextCursor from the first page."""
    gate = asyncio.Semaphore(args.concurrency)
    errors: Counter[str] = Counter()

    async def walk(token: str) -> Job | None:
        after = None
        for _ in range(args.deep_page - 1):
            async with gate:
                response, _ = await feed_page(client, query, (token, after), args.page_size)
            if error := problem(response):
                errors[error] += 1
                return None
            after = response.json()["data"]["feed"]["nextCursor"]
            if after is None:
                return None  # a shorter feed than that
        return token, after

    walked = await asyncio.gather(*(walk(t) for t in tokens))
    return [job for job in walked if job is not None], errors


class ClosedLoop:
    """`concurrency` clients, one keep-alive connection each, each sending its next request
    as soon as the last is answered."""

    def __init__(self, url: str, query: str, args: argparse.Namespace, rng: random.Random):
        self.url, self.query, self.args, self.rng = url, query, args, rng
        self.clients = [self._client() for _ in range(args.concurrency)]

    def _client(self) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        return httpx.AsyncClient(base_url=self.url, limits=limits, timeout=httpx.Timeout(30))

    async def spread(self, jobs: list[Job], server: Server) -> None:
        """Connect the clients so that each worker holds its share of the connections, as
        with many clients or a load balancer. Left alone, clients connecting at once all
        land on one worker. Each client connects while those already connected keep their
        workers busy (a busy worker accepts later); one that lands on a worker holding
        its share already reconnects."""
        share = math.ceil(len(self.clients) / self.args.workers)
        placed = 0
        stop = asyncio.Event()

        async def keep_busy(client: httpx.AsyncClient) -> None:
            while not stop.is_set():
                await feed_page(client, self.query, self.rng.choice(jobs), self.args.page_size)

        busy = []
        try:
            for i in range(len(self.clients)):
                for _ in range(30):
                    await feed_page(
                        self.clients[i], self.query, self.rng.choice(jobs), self.args.page_size
                    )
                    if max(connections_per_worker(server)) <= share:
                        placed += 1
                        break
                    await self.clients[i].aclose()
                    self.clients[i] = self._client()
                busy.append(asyncio.create_task(keep_busy(self.clients[i])))
        finally:
            stop.set()
            await asyncio.gather(*busy)
        if placed < len(self.clients):
            say(f"could not spread the connections evenly: {connections_per_worker(server)}")

    async def run(self, jobs: list[Job], per_client: int) -> list[tuple[float, str | None]]:
        results: list[tuple[float, str | None]] = []

        async def loop(client: httpx.AsyncClient) -> None:
            for _ in range(per_client):
                job = self.rng.choice(jobs)
                started = time.perf_counter()
                try:
                    response, seconds = await feed_page(
                        client, self.query, job, self.args.page_size
                    )
                    error = problem(response)
                except (httpx.HTTPError, ValueError) as exc:
                    seconds, error = time.perf_counter() - started, f"http:{type(exc).__name__}"
                results.append((seconds, error))

        await asyncio.gather(*(loop(c) for c in self.clients))
        return results

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


def summarize(results: list[tuple[float, str | None]], wall: float) -> dict[str, Any]:
    latencies = sorted(seconds * 1000 for seconds, _ in results)
    errors = Counter(error for _, error in results if error)

    def ms(p: float) -> float | None:
        value = percentile(latencies, p)
        return None if math.isnan(value) else round(value, 2)

    return {
        "requests": len(results),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors.most_common(3)),
        "p50_ms": ms(50),
        "p95_ms": ms(95),
        "p99_ms": ms(99),
        "max_ms": round(latencies[-1], 2) if latencies else None,
        "mean_ms": round(sum(latencies) / len(latencies), 2) if latencies else None,
        "rps": round(len(results) / wall, 1) if wall > 0 else None,
    }


async def measure_page(
    label: str, loop: ClosedLoop, jobs: list[Job], meter: CpuMeter, server: Server
) -> dict[str, Any]:
    args = loop.args
    await loop.run(jobs, args.warmup)
    spread = connections_per_worker(server)
    profilers = (
        start_py_spy(server.worker_pids(), args.py_spy / label.replace(" ", "_"))
        if args.py_spy
        else []
    )
    before = meter.snapshot()
    results = await loop.run(jobs, args.requests)
    after = meter.snapshot()
    stop_py_spy(profilers)
    wall = after.at - before.at
    figures = summarize(results, wall)
    figures["connections_per_worker"] = spread
    cores = meter.cores(before, after)
    for group in ("server", "postgres"):
        busy = cores[f"{group}_cpu_cores"] * wall
        figures[f"{group}_cpu_ms_per_request"] = round(busy / max(1, len(results)) * 1000, 2)
    figures["client_cpu_cores"] = cores["bench_cpu_cores"]
    figures["others_cpu_cores"] = cores["others_cpu_cores"]
    kinds = f" {figures['error_kinds']}" if figures["error_kinds"] else ""
    say(
        f"{label}: p50 {figures['p50_ms']} p95 {figures['p95_ms']} p99 {figures['p99_ms']} "
        f"max {figures['max_ms']} ms, {figures['rps']} req/s, errors "
        f"{figures['errors']}/{figures['requests']}{kinds}; CPU per request: server "
        f"{figures['server_cpu_ms_per_request']} ms, postgres "
        f"{figures['postgres_cpu_ms_per_request']} ms; cores: client "
        f"{figures['client_cpu_cores']}, others {figures['others_cpu_cores']}; "
        f"connections per worker {spread}"
    )
    return figures


def start_py_spy(pids: list[int], out: Path) -> list[subprocess.Popen[bytes]]:
    """py-spy on each worker until stop_py_spy (folded stacks, one file per worker)."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        say("py-spy not found (uv pip install py-spy): not profiled")
        return []
    out.mkdir(parents=True, exist_ok=True)
    command = [py_spy, "record", "--rate", "200", "--nonblocking", "--format", "raw"]
    return [
        subprocess.Popen(  # noqa: S603 - the profiler, on our own workers
            [*command, "--pid", str(pid), "-o", str(out / f"{pid}.txt")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]


def stop_py_spy(profilers: list[subprocess.Popen[bytes]]) -> None:
    """py-spy writes its file when interrupted."""
    for profiler in profilers:
        profiler.send_signal(signal.SIGINT)
    for profiler in profilers:
        profiler.wait(timeout=30)


def connections_per_worker(server: Server) -> list[int]:
    """The clients' open connections held by each worker (the kernel, not uvicorn, decides
    which worker accepts a connection: a few keep-alive clients are rarely spread evenly)."""
    port = f":{server.port:04X}"
    sockets = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1].endswith(port) and fields[3] == "01":  # ESTABLISHED, server side
                sockets.add(f"socket:[{fields[9]}]")
    counts = []
    for pid in server.worker_pids():
        held = 0
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                held += os.readlink(fd) in sockets
            except OSError:
                continue
        counts.append(held)
    return counts


# --- SQL statements per page, from PostgreSQL's log ----------------------------------------

_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
_DURATION = re.compile(r"duration: ([\d.]+) ms  (parse|bind|execute|statement)[^:]*: (.*)", re.S)


def statements_in_log(text: str, database: str) -> list[tuple[str, str, float]]:
    """(phase, statement, ms) of each `duration:` entry of the database, in order."""
    entries: list[str] = []
    for line in text.splitlines():
        if _LOG_LINE.match(line):
            entries.append(line)
        elif entries:  # a statement on several lines
            entries[-1] += "\n" + line
    found = []
    for entry in entries:
        if f"@{database} " not in entry.split("LOG:", 1)[0]:
            continue
        match = _DURATION.search(entry)
        if match:
            sql = " ".join(match.group(3).split())
            found.append((match.group(2), sql, float(match.group(1))))
    return found


def _shorten(sql: str) -> str:
    """The statement without its column list: `SELECT … FROM "posts" WHERE …`."""
    return re.sub(r"^SELECT (?:(?! FROM ).){60,} FROM ", "SELECT … FROM ", sql, count=1)[:200]


def statement_profile(entries: list[tuple[str, str, float]], requests: int) -> dict[str, Any]:
    count: Counter[str] = Counter()
    ms: defaultdict[str, float] = defaultdict(float)
    for phase, sql, duration in entries:
        ms[sql] += duration  # parse + bind + execute
        if phase in ("execute", "statement"):
            count[sql] += 1
    slowest = sorted(ms, key=ms.__getitem__, reverse=True)
    return {
        "statements_per_request": round(sum(count.values()) / requests, 2),
        "db_ms_per_request": round(sum(ms.values()) / requests, 2),
        "by_time": [
            {
                "per_request": round(count[sql] / requests, 2),
                "ms_per_request": round(ms[sql] / requests, 3),
                "sql": _shorten(sql),
            }
            for sql in slowest[:8]
        ],
        "_full_sql": slowest[:8],
    }


def _read_from(path: Path, offset: int) -> str:
    with path.open("rb") as file:
        file.seek(offset)
        return file.read().decode("utf-8", "replace")


async def logged_requests(
    url: str, query: str, jobs: list[Job], args: argparse.Namespace, log: Path, database: str
) -> dict[str, Any]:
    """Requests one at a time over one connection (one worker): their statements in the log."""
    rng = random.Random(args.seed)
    n = 20
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        # This worker's prepared statements and caches; and each session once, as in the
        # timed runs, where every session has been read before (the viewer cache,
        # domain/accounts/viewer_cache.py, then holds it).
        for job in {token: (token, after) for token, after in jobs}.values():
            await feed_page(client, query, job, args.page_size)
        await asyncio.sleep(0.3)
        offset = (await asyncio.to_thread(log.stat)).st_size
        for _ in range(n):
            response, _ = await feed_page(client, query, rng.choice(jobs), args.page_size)
            if error := problem(response):
                raise RuntimeError(f"a logged request failed: {error}")
        await asyncio.sleep(0.5)  # the log is written by the server's backends
    text = await asyncio.to_thread(_read_from, log, offset)
    return statement_profile(statements_in_log(text, database), n)


def count_queries(
    args: argparse.Namespace, env: dict[str, str], log_dir: Path, name: str, query: str,
    pages: dict[str, list[Job]],
) -> dict[str, Any] | None:  # fmt: skip
    log = args.postgres_log
    if not os.access(log, os.R_OK):
        say(f"statements not counted: cannot read the PostgreSQL log {log} (--postgres-log)")
        return None
    say("counting statements: the server restarted with every statement logged")
    asyncio.run(log_every_statement(args.postgres, name, on=True))
    server = Server(free_port(), args.workers, env, log_dir / "server-logged.log")
    try:
        server.start()
        server.wait_ready()
        counted = {
            page: asyncio.run(logged_requests(server.url, query, jobs, args, log, name))
            for page, jobs in pages.items()
        }
    finally:
        server.stop()
        asyncio.run(log_every_statement(args.postgres, name, on=False))
    for page, profile in counted.items():
        say(
            f"{page}: {profile['statements_per_request']} statements per request, "
            f"{profile['db_ms_per_request']} ms in PostgreSQL; the slowest:"
        )
        for line, sql in zip(profile["by_time"], profile.pop("_full_sql"), strict=True):
            say(f"  {line['per_request']}× {line['ms_per_request']} ms/request  {sql}")
    return counted


# --- The run -----------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    name = args.reuse or f"cjeune_bench_feed_{secrets.token_hex(5)}"
    database_url = f"{args.postgres}/{name}"
    data_dir = Path(tempfile.mkdtemp(prefix="cjeune_bench_feed_"))
    env = bench_environment(args, database_url, str(data_dir))
    os.environ.update(env)  # the migrations in this process read the same settings

    from infra.settings import load_settings, use_settings

    use_settings(load_settings())
    server: Server | None = None
    meter = CpuMeter(
        name, lambda: server.process.pid if server and server.process else None, lambda: None
    )
    created = False
    try:
        others_before = background_load(meter)
        say(f"background load from other processes: {others_before:.2f} cores")
        if args.reuse:
            summary = asyncio.run(seed_summary(args.postgres, name))
            say(f"reusing {name} (scale {summary['scale']}): no seeding")
        else:
            created = True
            summary = asyncio.run(seed_database(args, name))
        emails = asyncio.run(sample_young_people(database_url, args.sample_users, args.seed))
        server = Server(free_port(), args.workers, {**os.environ, **env}, data_dir / "server.log")
        say(f"starting `cjeune serve --workers {args.workers}` on {server.url}")
        server.start()
        server.wait_ready()
        say(f"server ready; signing {len(emails)} young people in")
        tokens = list(asyncio.run(sign_in_all(server.url, emails, _feed_seed.PASSWORD)).values())
        query, dropped, pages, first, deep = asyncio.run(measure(server, tokens, args, meter))
        server.stop()
        queries = (
            count_queries(args, {**os.environ, **env}, data_dir, name, query, pages)
            if args.count_queries
            else None
        )
        errors = first["errors"] + deep["errors"]
        met = target_met(args, first, deep, queries)
        return {
            "benchmark": "feed",
            "database": name if (args.keep or args.reuse) else None,
            "reused": bool(args.reuse),
            "scale": summary["scale"],
            "rows": summary["rows"],
            "seed_seconds": summary["seconds"]["total"],
            "seed_seconds_by_step": summary["seconds"],
            "workers": args.workers,
            "pool_size_per_worker": args.pool_size,
            "cpu_count": os.cpu_count(),
            "others_cpu_cores_before": round(others_before, 2),
            "sample_users": len(tokens),
            "deep_sample_users": len(pages["deep_page"]),
            "page_size": args.page_size,
            "deep_page_number": args.deep_page,
            "concurrency": args.concurrency,
            "connections_spread": args.spread,
            "requests_per_client": args.requests,
            "query_dropped": dropped,
            "first_page": first,
            "deep_page": deep,
            "errors": errors,
            "queries": queries,
            "targets": {
                "p95_ms_below": args.target_p95_ms,
                "server_cpu_ms_per_request_at_most": args.target_server_cpu_ms,
                "statements_per_page_at_most": args.target_statements,
            },
            "target_met": met,
        }
    finally:
        if server is not None:
            server.stop()
            if args.keep_server_log and server.log_path.exists():
                shutil.copyfile(server.log_path, args.keep_server_log)
        if created and not args.keep:
            asyncio.run(_seed.drop_database(args.postgres, name))  # IF EXISTS: always safe
            say(f"database {name} dropped")
        elif created:
            say(f"database {name} kept: measure again with --reuse {name}")
        shutil.rmtree(data_dir, ignore_errors=True)


def target_met(
    args: argparse.Namespace,
    first: dict[str, Any],
    deep: dict[str, Any],
    queries: dict[str, Any] | None,
) -> dict[str, bool | None]:
    """Each target, for both pages; `all` only if every one is met (statements: None
    when they were not counted)."""
    pages = (first, deep)
    met: dict[str, bool | None] = {
        "no_errors": all(page["errors"] == 0 for page in pages),
        "p95": all(
            page["p95_ms"] is not None and page["p95_ms"] < args.target_p95_ms for page in pages
        ),
        "server_cpu": all(
            page["server_cpu_ms_per_request"] <= args.target_server_cpu_ms for page in pages
        ),
        "statements": None
        if queries is None
        else all(
            profile["statements_per_request"] <= args.target_statements
            for profile in queries.values()
        ),
    }
    met["all"] = all(value is True for value in met.values())
    return met


async def measure(
    server: Server, tokens: list[str], args: argparse.Namespace, meter: CpuMeter
) -> tuple[str, list[str], dict[str, list[Job]], dict[str, Any], dict[str, Any]]:
    url = server.url
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        query, dropped = await settle_query(client, tokens[0], args.page_size)
        if dropped:
            say(f"the API has no {', '.join(dropped)} yet: left out of the query")
        say(f"collecting page-{args.deep_page} cursors (pages 1 to {args.deep_page - 1} of each)")
        deep_jobs, errors = await collect_deep_cursors(client, query, tokens, args)
    if errors:
        raise SystemExit(f"feed pages failed while collecting cursors: {dict(errors)}")
    if not deep_jobs:
        raise SystemExit(f"no young person of the sample has {args.deep_page} pages of feed")
    say(f"{len(deep_jobs)} of {len(tokens)} feeds have a page {args.deep_page}")
    pages = {"first_page": [(t, None) for t in tokens], "deep_page": deep_jobs}
    loop = ClosedLoop(url, query, args, random.Random(args.seed))
    if args.spread:
        await loop.spread(pages["first_page"], server)
    per = f"{args.concurrency} clients × ({args.warmup} warm-up + {args.requests} timed)"
    try:
        say(f"first page: {per}")
        first = await measure_page("first page", loop, pages["first_page"], meter, server)
        say(f"page {args.deep_page}: {per}")
        deep = await measure_page(f"page {args.deep_page}", loop, deep_jobs, meter, server)
    finally:
        await loop.aclose()
    return query, dropped, pages, first, deep


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _interrupt)  # a terminated run still cleans up
    figures = run(parse_args(argv))
    print(json.dumps(figures, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
