"""The short path for plain leaf fields answers exactly what graphql-core's path answers.

Each document runs on the same schema twice, once with graphql-core's (strawberry's)
execution context and once with ours; data and errors (message, path) must be equal.
"""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.execution import CJeuneExecutionContext


class Refused(strawberry.permission.BasePermission):
    message = "Refusé."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Child:
    name: str


@strawberry.type
class Item:
    id: strawberry.ID
    label: str
    score: float | None
    count: int
    colour: Colour | None
    must: str
    child: Child | None
    secret: str | None = strawberry.field(
        default="chut", permission_classes=[Refused]
    )  # a plain attribute behind a field extension: never the short path

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.label.upper() * times

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError("cassé")


def _items() -> list[Item]:
    ok = Item(
        id=strawberry.ID("1"), label="a", score=1.5, count=2, colour=Colour.RED, must="m",
        child=Child(name="c"),
    )  # fmt: skip
    missing = Item(
        id=strawberry.ID("2"), label="b", score=None, count=3, colour=None,
        must=None,  # type: ignore[arg-type]  # a null where the schema says non-null
        child=None,
    )  # fmt: skip
    wrong = Item(
        id=strawberry.ID("3"), label="c", score=2.0,
        count="pas un nombre",  # type: ignore[arg-type]  # a value Int refuses
        colour="vert",  # type: ignore[arg-type]  # a value the enum refuses
        must="m", child=None,
    )  # fmt: skip
    return [ok, missing, wrong]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return _items()

    @strawberry.field
    def first(self) -> Item:
        return _items()[0]


def _schema(context: type) -> strawberry.Schema:
    return strawberry.Schema(query=Query, execution_context_class=context)


def _run(context: type, document: str) -> dict[str, Any]:
    result = _schema(context).execute_sync(document)
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return {"data": result.data, "errors": errors}


DOCUMENTS = {
    "plain leaves": "{ first { __typename id label score count colour must } }",
    "null for a non-null": "{ items { id must } }",
    "refused values": "{ items { id count } }",
    "refused enum": "{ items { id colour } }",
    "nullable nulls": "{ items { score colour child { name } } }",
    "arguments and resolvers": "{ items { shout(times: 2) broken label } }",
    "aliases": "{ first { a: label b: label id2: id } }",
    "skip and include": "{ first { label @skip(if: true) id @include(if: true) } }",
    "fragments": "{ items { ...F } } fragment F on Item { id label child { __typename name } }",
    "a guarded attribute": "{ first { id secret } }",
}


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_same_answer_as_graphql_core(document: str) -> None:
    ours = _run(CJeuneExecutionContext, document)
    reference = _run(StrawberryGraphQLCoreExecutionContext, document)
    assert ours == reference


def test_the_cases_are_not_all_clean() -> None:
    """The comparisons above cover errors, not only happy paths."""
    assert _run(CJeuneExecutionContext, DOCUMENTS["null for a non-null"])["errors"] == [
        ("Cannot return null for non-nullable field Item.must.", ("items", 1, "must"))
    ]
    assert _run(CJeuneExecutionContext, DOCUMENTS["a guarded attribute"]) == {
        "data": {"first": {"id": "1", "secret": None}},
        "errors": [("Refusé.", ("first", "secret"))],
    }
    refused = _run(CJeuneExecutionContext, DOCUMENTS["refused values"])
    assert refused["data"]["items"][2] is None and len(refused["errors"]) == 1
    assert _run(CJeuneExecutionContext, DOCUMENTS["plain leaves"])["data"] == {
        "first": {
            "__typename": "Item", "id": "1", "label": "a", "score": 1.5, "count": 2,
            "colour": "RED", "must": "m",
        }
    }  # fmt: skip


def test_the_short_path_is_taken_for_plain_leaves() -> None:
    """A list of plain objects is built without graphql-core's per-field execution."""
    calls = []

    class Counting(CJeuneExecutionContext):
        def build_resolve_info(self, *args: Any, **kwargs: Any) -> Any:
            calls.append(args[0])
            return super().build_resolve_info(*args, **kwargs)

    result = _schema(Counting).execute_sync("{ items { id label score } }")
    assert result.errors is None
    assert len(calls) == 1  # `items` only: no resolve info for the 9 leaves
