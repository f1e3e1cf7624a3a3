"""The map search through the real API: a 10 km radius around Marseille and a map box.

    uv run python benchmarks/search.py              # seed, EXPLAIN, measure, drop
    uv run python benchmarks/search.py --no-index   # without the proposed GiST index
    uv run python benchmarks/search.py --keep       # keep the database (name printed)
    uv run python benchmarks/search.py --reuse NAME # measure a kept database again

A fresh PostgreSQL database is migrated and bulk-loaded with binary COPY: 3,000 partners
(profile and map pin, from `_feed_seed`) and 50,000 published deals and events (one to
three places each, near their partner; 5 % expired, 2 % withdrawn, 10 % of adult themes).
The proposed index `offer_locations_planar` (see search/database.py) is created unless
--no-index. The radius statement the backend sends is captured in-process and EXPLAINed
with and without the index. Then the server runs with `--workers 2` and a closed loop of
clients (one keep-alive connection each) times the radius search and the box search over
HTTP, then the text search (typo queries from TEXT_QUERIES in turn, without and with a
position; the statements of a typo query EXPLAINed first). While `SearchQueries` is not
yet in the root Query, the server is uvicorn on this module's `app` (the root Query plus
`SearchQueries`, nothing else changed). Progress on
stderr, one JSON line on stdout; the database is dropped even on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import httpx

if __name__ == "__main__":  # run as a script, benchmarks/ would shadow the `search` package
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from benchmarks import _feed_seed, _seed
from benchmarks._cpu import CpuMeter
from benchmarks._load import percentile
from benchmarks._server import Server, free_port

MARSEILLE = (43.2965, 5.3698)
MAP_BOX = {"south": 43.27, "west": 5.33, "north": 43.32, "east": 5.41}  # central Marseille
PROPOSED_INDEX = (
    "CREATE INDEX IF NOT EXISTS offer_locations_planar ON offer_locations "
    "USING gist (point(longitude * 0.725, latitude))"
)
SEARCH = """
query Search($query: SearchInput!) {
  search(query: $query) {
    __typename
    ... on SearchPage { nextCursor hits { kind id title subtitle distanceKm latitude longitude
                                          theme isSuper } }
    ... on UserError { code message }
  }
}
"""
THEMES = ("loisirs", "sport", "culture", "soutien_scolaire")
ADULT_THEMES = ("tourisme", "insertion_professionnelle")
DEAL_TYPES = ("discount_euros", "discount_percent", "promo_code", "contest", "goodies")
WORDS = (
    "Réduction Atelier Festival Concert Stage Entrée Séance Cours Initiation Visite Tournoi "
    "Théâtre Cinéma Escalade Kayak Musée Lecture Numérique Danse Judo Natation Exposition"
).split()
# Typed as a young person would, each with typos; every one finds deals once corrected.
TEXT_QUERIES = (
    "natatoin", "escalde", "conssert", "teatre", "cinemma", "musee", "danse pannier",
    "judot", "kayac", "lectur numerique", "tournoi", "exposission calanques",
)  # fmt: skip
# The text phases' p95 targets (ms) by number of clients (issue 25), on PostgreSQL.
TEXT_TARGET_P95_MS = {"4": 30, "1": 15}
_started = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - _started:6.1f} s] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CJEUNE_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument("--offers", type=int, default=50_000)
    parser.add_argument("--partners", type=int, default=3_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument(
        "--concurrency",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[4, 2, 1],
        help="clients in the closed loop, one measurement per number (first: the headline)",
    )
    parser.add_argument("--requests", type=int, default=300, help="per client and query")
    parser.add_argument("--warmup", type=int, default=30, help="per client and query")
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--map-page-size", type=int, default=100)
    parser.add_argument("--no-index", action="store_true")
    parser.add_argument("--skip-text", action="store_true", help="radius and map box only")
    parser.add_argument(
        "--phases",
        type=lambda text: text.split(","),
        default=["radius_10km", "map_box", "text", "text_near"],
        help="which measurements, comma-separated (default: all four)",
    )
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--reuse",
        metavar="NAME",
        help="a database kept by --keep: migrated (new migrations only), not seeded, kept",
    )
    return parser.parse_args(argv)


# --- seeding -----------------------------------------------------------------------------

OFFER_COLUMNS = [
    "id", "partner_id", "kind", "created_at", "first_published_at", "is_super", "withdrawn_at",
    "title", "theme", "deal_type", "event_kind", "valid_from", "valid_until", "adults_only",
    "search_text",
]  # fmt: skip
REVISION_COLUMNS = [
    "id", "offer_id", "number", "status", "title", "description", "theme", "deal_type",
    "event_kind", "conditions", "practical_info", "valid_from", "valid_until", "sessions",
    "places", "image_ids", "created_at", "submitted_at", "decided_at",
]  # fmt: skip
LOCATION_COLUMNS = ["offer_id", "label", "city", "latitude", "longitude"]


async def seed(connection: asyncpg.Connection, args: argparse.Namespace) -> dict[str, int]:
    from domain.offers.search_text import offer_search_text

    sizes = _feed_seed.Sizes(1, args.partners, 1, 0, 0, 0, 0)
    rng = random.Random(13)
    now = datetime.now(UTC).replace(microsecond=0)
    plan = _feed_seed.Plan(sizes, rng, now)
    loader = _feed_seed.Loader(connection, say)
    await loader.copy(
        "partners", _feed_seed.PARTNER_COLUMNS, _feed_seed.partner_rows(plan), args.partners
    )
    profiles = list(_feed_seed.profile_rows(plan, [None] * args.partners))
    await loader.copy("partner_profiles", _feed_seed.PROFILE_COLUMNS, profiles, len(profiles))
    names = {r[0]: r[1] for r in await connection.fetch("SELECT id, trade_name FROM partners")}
    pins = [(p[1], p[5], p[13], p[14]) for p in profiles]  # partner, city, lat, lon
    today = date.today()
    offers, revisions, places = [], [], []
    for _ in range(args.offers):
        partner_id, city, lat, lon = rng.choice(pins)
        offer_id, revision_id = uuid.UUID(int=rng.getrandbits(128), version=4), uuid.uuid4()
        kind = "event" if rng.random() < 0.3 else "deal"
        adult = rng.random() < 0.1
        theme = rng.choice(ADULT_THEMES if adult else THEMES)
        title = f"{rng.choice(WORDS)} {rng.choice(WORDS).lower()} {rng.choice(_feed_seed.PLACES)}"
        start = today - timedelta(days=rng.randint(2, 200))
        end = today - timedelta(days=1) if rng.random() < 0.05 else today + timedelta(120)
        withdrawn = now if rng.random() < 0.02 else None
        deal_type = rng.choice(DEAL_TYPES) if kind == "deal" else None
        event_kind = "festival" if kind == "event" else None
        text = offer_search_text(title, "", [city], names[partner_id], theme)
        offers.append((
            offer_id, partner_id, kind, now, now, kind == "deal" and rng.random() < 0.02,
            withdrawn, title, theme, deal_type, event_kind, start, end, adult, text,
        ))  # fmt: skip
        revisions.append((
            revision_id, offer_id, 1, "approved", title, "Sur présentation de la carte CJeune",
            theme, deal_type, event_kind, "Sur présentation de la carte CJeune", "", start, end,
            "[]", "[]", "[]", now, now, now,
        ))  # fmt: skip
        for n in range(rng.choices((1, 2, 3), (80, 15, 5))[0]):
            jitter = 0.004 if n == 0 else 0.05
            places.append((
                offer_id, "", city, lat + rng.uniform(-jitter, jitter),
                lon + rng.uniform(-jitter, jitter),
            ))  # fmt: skip
    await loader.copy("offers", OFFER_COLUMNS, offers, len(offers))
    await loader.copy("offer_revisions", REVISION_COLUMNS, revisions, len(revisions))
    await loader.copy("offer_locations", LOCATION_COLUMNS, places, len(places))
    await loader.step(
        "publish",
        "UPDATE offers o SET published_revision_id = r.id FROM offer_revisions r "
        "WHERE r.offer_id = o.id",
    )
    await loader.step("vacuum_analyze", "VACUUM (ANALYZE)")
    return {"partners": args.partners, "offers": len(offers), "offer_locations": len(places)}


async def counted(connection: asyncpg.Connection) -> dict[str, int]:
    """The rows of a reused database, as `seed` reports them."""
    tables = ("partners", "offers", "offer_locations")
    return {t: await connection.fetchval(f"SELECT count(*) FROM {t}") for t in tables}  # noqa: S608


# --- EXPLAIN -----------------------------------------------------------------------------


async def captured_statements(
    near: dict[str, float] | None, text: str = ""
) -> list[tuple[str, list[Any]]]:
    """The statements the database backend sends for one page, in this process."""
    from models import sql
    from search import database
    from search.backend import Audience, Near, SearchQuery

    sent: list[tuple[str, list[Any]]] = []
    original = sql._rows

    async def recording(client: Any, statement: str, values: Any) -> list[dict[str, Any]]:
        sent.append((statement, list(values)))
        return await original(client, statement, values)

    sql._rows = recording
    try:
        circle = near and Near(near["latitude"], near["longitude"], near["radiusKm"])
        query = SearchQuery(text=text, near=circle)
        await database.DatabaseSearch().search(query, Audience(False))
    finally:
        sql._rows = original
    return sent


async def explain(
    database_url: str, statement: str, values: list[Any], with_plan: bool = False
) -> dict[str, Any]:
    connection = await asyncpg.connect(database_url)
    try:
        for _ in range(3):  # warm the cache; keep the last
            plan = await connection.fetchval(
                f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement}", *values
            )
    finally:
        await connection.close()
    top = json.loads(plan)[0]
    text = json.dumps(top["Plan"])
    return {
        "execution_ms": round(top["Execution Time"], 2),
        "planning_ms": round(top["Planning Time"], 2),
        "uses_gist_knn": "offer_locations_planar" in text,
        "scans": sorted(set(re.findall(r'"Node Type": "([^"]*Scan)"', text))),
        "rows_read_from_offer_locations": _rows_read(top["Plan"]),
        **({"plan": _plan_lines(top["Plan"])} if with_plan else {}),
    }


def _plan_lines(node: dict[str, Any], depth: int = 0) -> list[str]:
    """The plan as EXPLAIN's text shows it, one line a node (type, relation or index, rows,
    time)."""
    name = node["Node Type"]
    on = node.get("Index Name") or node.get("Relation Name")
    line = (
        f"{'  ' * depth}{name}{f' on {on}' if on else ''} "
        f"(rows={node.get('Actual Rows')} loops={node.get('Actual Loops')} "
        f"time={node.get('Actual Total Time')} ms)"
    )
    lines = [line]
    for child in node.get("Plans", []):
        lines += _plan_lines(child, depth + 1)
    return lines


def _rows_read(node: dict[str, Any]) -> int:
    own = 0
    if node.get("Relation Name") == "offer_locations":
        own = int(node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0))
    return own + sum(_rows_read(child) for child in node.get("Plans", []))


async def explain_radius(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    from infra.database import close_database, open_database
    from infra.settings import get_settings

    await open_database(get_settings())
    try:
        statements = await captured_statements(
            {"latitude": MARSEILLE[0], "longitude": MARSEILLE[1], "radiusKm": 10}
        )
    finally:
        await close_database()
    statement, values = next((s, v) for s, v in statements if "offer_locations l" in s)
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("DROP INDEX IF EXISTS offer_locations_planar")
        without = await explain(database_url, statement, values)
        started = time.perf_counter()
        await connection.execute(PROPOSED_INDEX)
        build_s = round(time.perf_counter() - started, 2)
        await connection.execute("ANALYZE offer_locations")
        with_index = await explain(database_url, statement, values)
        if args.no_index:
            await connection.execute("DROP INDEX offer_locations_planar")
    finally:
        await connection.close()
    say(f"EXPLAIN radius: without index {without}; with index {with_index}")
    return {"without_index": without, "with_index": with_index, "index_build_s": build_s}


async def explain_text(database_url: str) -> dict[str, Any]:
    """EXPLAIN ANALYZE of the statements of a typo query's page, without and with a position:
    the corrections read from `search_terms`, the deals' candidates."""
    from infra.database import close_database, open_database
    from infra.settings import get_settings

    marseille = {"latitude": MARSEILLE[0], "longitude": MARSEILLE[1], "radiusKm": 10}
    explained: dict[str, Any] = {}
    await open_database(get_settings())
    try:
        for label, near in (("text", None), ("text_near", marseille)):
            statements = await captured_statements(near, "conssert")
            corrections = next((s, v) for s, v in statements if "search_terms" in s)
            offers = next((s, v) for s, v in statements if "search_vector" in s and "o.kind" in s)
            explained[label] = {
                "statements": len(statements),
                "offers_statement": offers[0],
                "offers_values": [str(v) for v in offers[1]],
                "offers": await explain(database_url, *offers, with_plan=True),
                "corrections": await explain(database_url, *corrections, with_plan=True),
            }
            say(
                f"EXPLAIN (ANALYZE, BUFFERS) of the {label} page's statement ('conssert'):\n"
                + await explain_text_format(database_url, *offers)
            )
    finally:
        await close_database()
    say(f"EXPLAIN text: {json.dumps(explained)[:3000]}")
    return explained


async def explain_text_format(database_url: str, statement: str, values: list[Any]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) as PostgreSQL prints it (the cache warmed first)."""
    connection = await asyncpg.connect(database_url)
    try:
        for _ in range(3):
            rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *values)
    finally:
        await connection.close()
    return "\n".join(row[0] for row in rows)


# --- the server --------------------------------------------------------------------------


def __getattr__(name: str) -> Any:
    """`app`, for uvicorn: the API with `SearchQueries` added to the root Query, until
    schema/root.py composes it."""
    if name != "app":
        raise AttributeError(name)
    import strawberry

    import schema
    from schema.root import Query
    from schema.search import SearchQueries
    from server.app import create_app

    if not hasattr(Query, "search"):

        @strawberry.type(name="Query")
        class QueryWithSearch(Query, SearchQueries):
            pass

        schema.Query = QueryWithSearch
    try:
        return create_app()
    except AttributeError as error:  # uvicorn would report "attribute app not found"
        raise RuntimeError(f"building the app failed: {error!r}") from error


def search_in_root() -> bool:
    from schema.root import Query

    return "search" in {f.python_name for f in Query.__strawberry_definition__.fields}


async def closed_loop(
    url: str, query: dict[str, Any] | list[dict[str, Any]], clients: int, per_client: int
) -> list[tuple[float, str | None]]:
    """Each client one keep-alive connection, a request as soon as the last answer is read
    (several queries: each client takes them in turn, from its own starting one).
    The clients are aiohttp's (httpx costs about twice the CPU per request, taken from the
    same two cores as the server's)."""
    results: list[tuple[float, str | None]] = []
    queries = query if isinstance(query, list) else [query]
    bodies = [json.dumps({"query": SEARCH, "variables": {"query": q}}).encode() for q in queries]
    headers = {"Content-Type": "application/json"}
    starts = iter(range(clients))

    async def loop() -> None:
        start = next(starts)
        connector = aiohttp.TCPConnector(limit=1)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as client:
            for n in range(per_client):
                body = bodies[(start + n) % len(bodies)]
                started = time.perf_counter()
                error = None
                try:
                    async with client.post("/graphql", data=body, headers=headers) as response:
                        answer = json.loads(await response.read()).get("data") or {}
                    page = answer.get("search") or {}
                    if response.status != 200 or page.get("__typename") != "SearchPage":
                        error = f"{response.status}:{page.get('code') or 'errors'}"
                    elif not page["hits"]:
                        error = "empty"
                except (aiohttp.ClientError, ValueError) as exc:
                    error = f"http:{type(exc).__name__}"
                results.append((time.perf_counter() - started, error))

    await asyncio.gather(*(loop() for _ in range(clients)))
    return results


def summarize(results: list[tuple[float, str | None]], wall: float) -> dict[str, Any]:
    latencies = sorted(s * 1000 for s, _ in results)
    errors = [e for _, e in results if e]
    return {
        "requests": len(results),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:3],
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(latencies[-1], 2),
        "rps": round(len(results) / wall, 1),
    }


async def measure(
    url: str,
    label: str,
    query: dict[str, Any] | list[dict[str, Any]],
    args: argparse.Namespace,
    meter: CpuMeter,
    clients: int,
) -> dict:
    await closed_loop(url, query, clients, args.warmup)
    started, before = time.perf_counter(), meter.snapshot()
    results = await closed_loop(url, query, clients, args.requests)
    figures = summarize(results, time.perf_counter() - started)
    # Cores each group kept busy (bench = this process: the HTTP clients), and CPU ms per
    # request: where the time of a request goes on this shared machine.
    cores = meter.cores(before, meter.snapshot())
    figures["cpu_cores"] = cores
    figures["cpu_ms_per_request"] = {
        k.removesuffix("_cpu_cores"): round(v * 1000 / figures["rps"], 2)
        for k, v in cores.items()
        if k.split("_")[0] in ("server", "postgres", "bench")
    }
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        first = query[0] if isinstance(query, list) else query
        response = await client.post(
            "/graphql", json={"query": SEARCH, "variables": {"query": first}}
        )
        page = response.json()["data"]["search"]
    figures["hits_per_page"] = len(page["hits"])
    if page["hits"] and page["hits"][-1]["distanceKm"] is not None:
        figures["farthest_hit_km"] = round(page["hits"][-1]["distanceKm"], 3)
    say(
        f"{label}, {clients} clients: p50 {figures['p50_ms']} p95 {figures['p95_ms']} "
        f"p99 {figures['p99_ms']} "
        f"max {figures['max_ms']} ms, {figures['rps']} req/s, errors {figures['errors']}"
        f"/{figures['requests']} {figures['error_kinds']}; CPU ms per request "
        f"{figures['cpu_ms_per_request']}"
    )
    return figures


# The map's targets (issue 24), at the headline concurrency: the map box under 15 ms at
# p95; the radius no slower than the 14.4 ms measured before the work on it.
MAP_BOX_TARGET_P95_MS = 15.0
RADIUS_TARGET_P95_MS = 14.4


def map_targets(figures: dict[str, Any]) -> dict[str, Any]:
    """`map_target_met` for the phases measured (a phase not run is None): the map box
    under its target, the radius at most its own."""

    def met(key: str, holds: Callable[[float], bool]) -> bool | None:
        phase = figures.get(key)
        return None if phase is None else phase["errors"] == 0 and holds(phase["p95_ms"])

    verdicts = {
        "map_box": met("map_box", lambda p95: p95 < MAP_BOX_TARGET_P95_MS),
        "radius_10km": met("radius_10km", lambda p95: p95 <= RADIUS_TARGET_P95_MS),
    }
    return {
        "map_targets_p95_ms": {
            "map_box": MAP_BOX_TARGET_P95_MS,
            "radius_10km": RADIUS_TARGET_P95_MS,
        },
        "map_target_met": {**verdicts, "all": all(v is True for v in verdicts.values())},
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    name = args.reuse or f"cjeune_bench_search_{uuid.uuid4().hex[:8]}"
    database_url = f"{args.postgres}/{name}"
    data_dir = tempfile.mkdtemp(prefix="cjeune_bench_search_")
    env = {
        "ENVIRONMENT": "development",
        "DATABASE_URL": database_url,
        "DATABASE_POOL_SIZE": str(args.pool_size),
        "CJEUNE_DATA_DIR": data_dir,
        "RATE_LIMIT_PER_MINUTE": "0",
        "REDIS_URL": "",
    }
    os.environ.update(env)
    from infra.database import run_migrations
    from infra.settings import get_settings, load_settings, use_settings

    use_settings(load_settings())
    server: Server | None = None
    try:
        if not args.reuse:
            asyncio.run(_seed.create_database(args.postgres, name))
        say(f"database {name} {'reused' if args.reuse else 'created'}; migrating")
        asyncio.run(run_migrations(get_settings()))

        async def load() -> dict[str, int]:
            connection = await asyncpg.connect(database_url)
            try:
                return await (counted(connection) if args.reuse else seed(connection, args))
            finally:
                await connection.close()

        rows = asyncio.run(load())
        explained = asyncio.run(explain_radius(args, database_url))
        explained_text = None if args.skip_text else asyncio.run(explain_text(database_url))
        in_root = search_in_root()
        server = Server(
            free_port(),
            args.workers,
            {**os.environ, **env},
            Path(data_dir) / "server.log",
            asgi_app=None if in_root else "benchmarks.search:app",
        )
        server.start()
        server.wait_ready()
        say(f"server ready on {server.url} ({'cjeune serve' if in_root else 'uvicorn shim'})")
        radius = {
            "near": {"latitude": MARSEILLE[0], "longitude": MARSEILLE[1], "radiusKm": 10},
            "first": args.page_size,
        }
        box = {"bbox": MAP_BOX, "first": args.map_page_size}
        text = [{"text": t, "first": args.page_size} for t in TEXT_QUERIES]
        text_near = [{**q, "near": radius["near"]} for q in text]
        meter = CpuMeter(name, lambda: server.process.pid if server.process else None, lambda: None)
        figures: dict[str, Any] = {}
        for label, key, query in (
            ("radius 10 km", "radius_10km", radius),
            ("map box", "map_box", box),
            ("text, typos", "text", text),
            ("text, typos, 10 km around", "text_near", text_near),
        ):
            if key not in args.phases or (key.startswith("text") and args.skip_text):
                continue
            for n, clients in enumerate(args.concurrency):
                measured = asyncio.run(measure(server.url, label, query, args, meter, clients))
                if n == 0:  # the headline, as before: the first concurrency asked
                    figures[key] = {**measured, "by_concurrency": {}}
                figures[key]["by_concurrency"][str(clients)] = {
                    k: measured[k] for k in ("p50_ms", "p95_ms", "p99_ms", "rps", "errors")
                }
        return {
            "benchmark": "search",
            "backend": "database",
            "rows": rows,
            "proposed_index": not args.no_index,
            "workers": args.workers,
            "concurrency": args.concurrency[0],
            "served_by": "cjeune serve" if in_root else "uvicorn benchmarks.search:app",
            "cpu_count": os.cpu_count(),
            "explain_radius": explained,
            "explain_text": explained_text,
            "text_queries": TEXT_QUERIES,
            **figures,
            "target_p95_ms": 30,
            "target_text_p95_ms": TEXT_TARGET_P95_MS,
            "target_met": targets_met(figures),
            **map_targets(figures),
        }
    finally:
        if server is not None:
            server.stop()
        if args.keep or args.reuse:
            say(f"database kept: {database_url}")
        else:
            asyncio.run(_seed.drop_database(args.postgres, name))


def targets_met(figures: dict[str, Any]) -> dict[str, bool]:
    """Each text phase measured at a number of clients with a target: p95 under it."""
    met = {}
    for phase in ("text", "text_near"):
        measured = figures.get(phase, {}).get("by_concurrency", {})
        for clients, target in TEXT_TARGET_P95_MS.items():
            if clients in measured:
                met[f"{phase}_{clients}_clients"] = measured[clients]["p95_ms"] < target
    return met


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    figures = run(args)
    say(f"targets met (text p95 under {TEXT_TARGET_P95_MS} ms): {figures['target_met']}")
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
