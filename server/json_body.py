"""JSON bodies decoded with a bound on their nesting.

The standard library's decoder recurses once per nested array or object: a body of
100,000 brackets raised RecursionError, which no handler expected (500). orjson stops at
1,024 levels with a decoding error, and no GraphQL request needs more than a few: past
`max_depth` the body is refused as too deeply nested (a JSONDecodeError, so that every
caller that handles invalid JSON handles this too: 400 over HTTP, close 4400 on a
WebSocket).
"""

from __future__ import annotations

import json
from typing import Any

import orjson


class JsonTooDeep(json.JSONDecodeError):
    """Arrays and objects nested deeper than allowed."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(f"JSON nested deeper than {max_depth} levels", "", 0)
        self.max_depth = max_depth


def nesting(value: Any, limit: int) -> int:
    """The nesting depth of a decoded value (a scalar is 0, `[]` is 1), counted without
    recursion and only up to `limit` + 1."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest if isinstance(value, dict | list) else 0


def decode(data: str | bytes, max_depth: int) -> Any:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        if "depth" in str(error) or "recursion" in str(error):
            raise JsonTooDeep(max_depth) from None
        raise
    if nesting(value, max_depth) > max_depth:
        raise JsonTooDeep(max_depth)
    return value
