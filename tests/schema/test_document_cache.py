"""Documents are parsed and validated once per text, with the token limit and every rule."""

from __future__ import annotations

import pytest
import strawberry
from strawberry.extensions import DisableIntrospection, MaxAliasesLimiter

from schema.document_cache import DocumentTable, document_cache

ALIASES = MaxAliasesLimiter(max_alias_count=2).validation_rules


@strawberry.type
class Query:
    @strawberry.field
    def greeting(self, name: str) -> str:
        return f"Bonjour {name}"


def schema_with(*extensions, max_tokens: int = 50):
    cache = document_cache(max_tokens=max_tokens, rules=ALIASES, maxsize=8)
    return strawberry.Schema(query=Query, extensions=[cache, *extensions]), cache.documents


async def test_a_document_is_parsed_once_and_answers_each_time_with_its_variables() -> None:
    schema, documents = schema_with()
    query = "query($n: String!) { greeting(name: $n) }"

    first = await schema.execute(query, variable_values={"n": "Léa"})
    document = documents.get(query).document
    second = await schema.execute(query, variable_values={"n": "Noé"})

    assert first.data == {"greeting": "Bonjour Léa"} and first.errors is None
    assert second.data == {"greeting": "Bonjour Noé"} and second.errors is None
    assert len(documents) == 1 and documents.get(query).document is document


async def test_an_invalid_document_is_refused_every_time_with_the_same_error() -> None:
    schema, documents = schema_with()
    query = "{ nope }"

    answers = [await schema.execute(query) for _ in range(2)]

    for answer in answers:
        assert answer.data is None
        assert [e.message for e in answer.errors] == ["Cannot query field 'nope' on type 'Query'."]
    assert len(documents) == 1


async def test_the_schema_rules_apply_to_a_cached_document() -> None:
    schema, _ = schema_with()
    query = '{ a: greeting(name: "x") b: greeting(name: "y") c: greeting(name: "z") }'

    for _ in range(2):
        answer = await schema.execute(query)
        assert answer.data is None
        assert "3 aliases found. Allowed: 2" in answer.errors[0].message


async def test_rules_added_by_other_extensions_are_part_of_the_cached_result() -> None:
    open_schema, _ = schema_with()
    closed_schema, _ = schema_with(DisableIntrospection)
    query = "{ __schema { queryType { name } } }"

    assert (await open_schema.execute(query)).errors is None
    for _ in range(2):
        refused = await closed_schema.execute(query)
        assert refused.data is None and "introspection" in refused.errors[0].message.lower()


@pytest.mark.parametrize("repeat", [1, 2])
async def test_a_document_over_the_token_limit_is_refused_and_not_kept(repeat: int) -> None:
    schema, documents = schema_with(max_tokens=10)
    query = '{ a: greeting(name: "x") b: greeting(name: "y") }'

    for _ in range(repeat):
        answer = await schema.execute(query)
        assert answer.data is None
        assert answer.errors[0].message == (
            "Syntax Error: Document contains more than 10 tokens. Parsing aborted."
        )
    assert len(documents) == 0


async def test_a_syntax_error_is_reported_by_strawberry() -> None:
    schema, documents = schema_with()

    answer = await schema.execute("{ greeting(name: ")

    assert answer.data is None and answer.errors[0].message.startswith("Syntax Error")
    assert len(documents) == 0


def test_the_table_keeps_the_most_recently_used_documents() -> None:
    from graphql import parse

    table = DocumentTable(maxsize=2)
    for text in ("{ a }", "{ b }"):
        table.put(text, parse(text))
    table.get("{ a }")  # used again: "{ b }" is now the oldest
    table.put("{ c }", parse("{ c }"))

    assert len(table) == 2
    assert table.get("{ b }") is None
    assert table.get("{ a }") is not None and table.get("{ c }") is not None
