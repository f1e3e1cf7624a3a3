"""The cost limit: fields times page sizes, counted before anything runs."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from graphql import OperationDefinitionNode, parse

from infra.settings import Settings
from schema import build_schema
from schema.cost import OperationCost
from server.app import create_app
from tests.factories import young_person
from tests.support import jobs_done

FEED = "query($n: Int!) { feed(first: $n) { items { __typename } nextCursor } }"
RESETS = "mutation Send($email: String!) { %s }"


@pytest.fixture(scope="module")
def schema():
    return build_schema(Settings(environment="test"))


def cost(schema, document: str, variables: dict | None = None, list_size: int = 10) -> int:
    parsed = parse(document)
    [operation] = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    return OperationCost(schema._schema, parsed, variables, list_size).of(operation)


@pytest.mark.parametrize(
    ("document", "variables", "expected"),
    [
        # feed 1 + (items 1 + 20 x __typename 1) + nextCursor 1
        ("{ feed(first: 20) { items { __typename } nextCursor } }", {}, 23),
        (FEED, {"n": 5}, 8),
        # left out: the argument's default page (feed: 20)
        ("{ feed { items { __typename } } }", {}, 22),
        # clamped to the largest page any field serves
        ("{ feed(first: 100000) { items { __typename } } }", {}, 102),
        (FEED, {"n": 0}, 4),
        ("query($n: Int = 50) { feed(first: $n) { items { __typename } } }", {}, 52),
        # a list without a page size: list_size items (10)
        ("{ myCards { code wallets { kind balanceCents } } }", {}, 1 + 10 * (1 + 1 + 10 * 2)),
        # the page size inside an input object argument
        ("{ search(query: {first: 50}) { ... on SearchPage { hits { __typename } } } }", {}, 52),
        (
            "query($q: SearchInput!) "
            "{ search(query: $q) { ... on SearchPage { hits { __typename } } } }",
            {"q": {"first": 7}},
            9,
        ),
        # a fragment counts at each spread, its figures computed once
        (
            "{ ...A ...A } fragment A on Query { feed(first: 3) { items { ...B ...B } } } "
            "fragment B on FeedPost { __typename }",
            {},
            2 * (1 + 1 + 3 * 2),
        ),
    ],
    ids=[
        "literal-page",
        "variable-page",
        "default-page",
        "clamped",
        "at-least-one",
        "variable-default",
        "unpaged-lists",
        "input-object",
        "input-variable",
        "fragments",
    ],
)
def test_cost_is_fields_times_page_sizes(schema, document, variables, expected):
    assert cost(schema, document, variables) == expected


def test_while_validating_a_variable_page_size_counts_as_one(schema):
    assert cost(schema, FEED, None) == 4
    assert cost(schema, FEED, None) <= cost(schema, FEED, {"n": 1})


async def test_an_operation_over_the_cost_limit_is_refused_before_it_runs(settings, mailbox):
    user = await young_person()
    app = create_app(replace(settings, max_query_cost=29), manage_database=False)
    resets = " ".join(f"r{i}: requestPasswordReset(email: $email) {{ ok }}" for i in range(15))

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post(
            "/graphql", json={"query": RESETS % resets, "variables": {"email": user.email}}
        )
    await jobs_done()

    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": 29, "value": 30}
    assert error["message"] == (
        "Requête trop coûteuse (30 points, maximum 29) : "
        "demandez moins de champs ou des pages plus petites (first)."
    )
    assert not [m for m in mailbox.to(user.email) if "Réinitialisation" in m["Subject"]]


async def test_the_cost_counts_the_variables_of_each_request(settings):
    app = create_app(replace(settings, max_query_cost=100), manage_database=False)
    transport = httpx.ASGITransport(app=app)

    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        small = await http.post("/graphql", json={"query": FEED, "variables": {"n": 5}})
        large = await http.post("/graphql", json={"query": FEED, "variables": {"n": 100}})

    # The small page runs (and asks the anonymous caller to sign in); the large one costs
    # 103 and is refused before it runs, although both share one cached validation.
    assert [e["extensions"]["code"] for e in small.json()["errors"]] == ["UNAUTHENTICATED"]
    [refused] = large.json()["errors"]
    assert refused["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": 100, "value": 103}
