"""Where a worker's CPU goes, from py-spy's folded stacks (`debit.py --py-spy DIR`).

    uv run python benchmarks/py_spy_report.py DIR [--top 25]

Only the event loop's thread counts (uvicorn's ping thread and idle executor threads are
left out). Each sample is put in the phase of the request it belongs to (authentication,
GraphQL parsing, validation, the resolver, ...) and in the library running at that moment
(the innermost frame that belongs to a known library).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

EVENT_LOOP = "Runner.run (asyncio/runners.py"
# First match wins, so the more specific phases come first.
PHASES = [
    ("authentication (get_context: JWT, session, delegations)", "get_context ("),
    ("GraphQL parsing", "_parse_operation_document ("),
    ("GraphQL validation (with the limit rules)", "validate_document ("),
    ("resolver lookupCard", "lookup_card (resolvers/"),
    ("resolver debitCard", "debit_card (resolvers/"),
    ("GraphQL execution and result shaping", "Schema.execute ("),
    ("strawberry extensions and HTTP view", "GraphQL.__call__ ("),
    ("Starlette middleware", "Starlette.__call__ ("),
    ("asyncpg connection reset on pool release", "Connection.reset ("),
    ("uvicorn HTTP protocol and access log", "uvicorn/protocols/"),
]
LIBRARIES = [
    ("asyncpg pool reset query", "Connection.reset ("),
    ("asyncpg pool", "asyncpg/pool.py"),
    ("asyncpg", "asyncpg/"),
    ("Tortoise ORM + pypika (query building, model hydration)", "tortoise/"),
    ("Tortoise ORM + pypika (query building, model hydration)", "pypika_tortoise/"),
    ("graphql-core", "graphql/"),
    ("strawberry", "strawberry/"),
    ("starlette", "starlette/"),
    ("uvicorn / httptools", "uvicorn/protocols/"),
    ("uvicorn / httptools", "uvicorn/logging"),
    ("logging", "logging/"),
    ("PyJWT", "jwt/"),
    ("json", "json/"),
    ("babel", "babel/"),
    ("our code", "(domain/"),
    ("our code", "(resolvers/"),
    ("our code", "(schema/"),
    ("our code", "(server/"),
    ("our code", "(models/"),
    ("our code", "(push/"),
]
_LINE = re.compile(r":\d+\)$")


def phase_of(stack: str) -> str:
    for name, marker in PHASES:
        if marker in stack:
            return name
    return "event loop (uvloop: socket I/O, scheduling) and other tasks"


def library_of(frames: list[str]) -> str:
    if any("Connection.reset (" in f for f in frames):
        return "asyncpg pool reset query"
    for frame in reversed(frames):
        for name, marker in LIBRARIES:
            if marker in frame:
                return name
    return "stdlib / asyncio"


def report(directory: Path, top: int) -> str:
    phases: Counter[str] = Counter()
    libraries: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    total = 0
    for path in sorted(directory.glob("*.txt")):
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if EVENT_LOOP not in stack:
                continue
            n = int(count)
            frames = stack.split(";")
            total += n
            phases[phase_of(stack)] += n
            libraries[library_of(frames)] += n
            functions[_LINE.sub(")", frames[-1])] += n
    if not total:
        return f"no event-loop samples in {directory}"
    lines = [f"{total} event-loop samples from {directory}", "", "by request phase:"]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in phases.most_common()]
    lines += ["", "by library running:"]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in libraries.most_common()]
    lines += ["", f"top {top} functions (self time):"]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in functions.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(report(args.directory, args.top))


if __name__ == "__main__":
    main()
