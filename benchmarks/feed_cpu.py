"""CPU milliseconds per feed page in one process: the schema executes `feed.py`'s query for
one young person, without HTTP, without other clients. Steadier than the server's CPU per
request on a shared machine, to compare two versions of the code on the same database.

    uv run python benchmarks/feed_cpu.py --reuse NAME            # a database kept by feed.py
    uv run python benchmarks/feed_cpu.py --reuse NAME --profile  # and cProfile's top functions

Prints one JSON line: the CPU per execution of the first page (process time, after a
warm-up and `server.memory.settle()`, as a served worker has it).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.feed import FEED, LOGO  # noqa: E402


class _Request:
    """What the context reads of a request: no client, no headers."""

    client = None
    headers: ClassVar[dict[str, str]] = {}


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    from domain.accounts.viewer import Viewer
    from infra.database import close_database, open_database
    from infra.settings import load_settings, use_settings
    from models import sql
    from models.accounts import User
    from resolvers.context import Context
    from schema import build_schema
    from server.memory import settle

    settings = load_settings()
    use_settings(settings)
    await open_database(settings)
    try:
        rows = await sql.rows(
            "SELECT user_id FROM follows GROUP BY user_id HAVING count(*) >= 6 "
            "ORDER BY user_id LIMIT 1"
        )
        user = await User.get(id=rows[0]["user_id"])
        schema = build_schema(settings)
        query = FEED.replace("LOGO", LOGO)

        async def page() -> None:
            context = Context(request=_Request(), viewer=Viewer(user=user))  # type: ignore[arg-type]
            variables = {"first": args.page_size, "after": None}
            result = await schema.execute(query, variable_values=variables, context_value=context)
            if result.errors:
                raise SystemExit(f"the feed query fails: {result.errors}")

        for _ in range(args.warmup):
            await page()
        settle()
        started = time.process_time()
        for _ in range(args.pages):
            await page()
        cpu_ms = (time.process_time() - started) / args.pages * 1000
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.pages):
                await page()
            profile.disable()
            pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    finally:
        await close_database()
    return {"benchmark": "feed_cpu", "pages": args.pages, "cpu_ms_per_page": round(cpu_ms, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CJEUNE_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument("--reuse", metavar="NAME", required=True, help="a feed.py --keep database")
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="cProfile's top 30 on stderr")
    args = parser.parse_args()
    os.environ.update(
        {
            "ENVIRONMENT": "development",
            "DATABASE_URL": f"{args.postgres}/{args.reuse}",
            "REDIS_URL": "",
        }
    )
    print(json.dumps(asyncio.run(measure(args))), flush=True)


if __name__ == "__main__":
    main()
