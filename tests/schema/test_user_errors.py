"""@user_errors: a refused business rule becomes the UserError answer of the field's union,
and strawberry still sees the field exactly as written (arguments, defaults, answer type)."""

from __future__ import annotations

import inspect
from typing import Annotated

import pytest
import strawberry

from domain.core.errors import invalid
from schema.errors import Done, DoneResult, UserError, user_errors

RENAME = """
mutation Rename($name: String!) {
  rename(name: $name) {
    __typename
    ... on UserError { code message field }
  }
}
"""


@strawberry.type
class Named:
    name: str


NamedResult = Annotated[Named | UserError, strawberry.union("NamedResult")]


async def _rename(name: str) -> Named:
    if not name.strip():
        raise invalid("name", "Le nom est obligatoire.")
    if name == "boom":
        raise RuntimeError("not a refusal")
    return Named(name=name.strip())


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Rename, politely.")
    @user_errors
    async def rename(self, name: str, shout: bool = False) -> NamedResult:
        named = await _rename(name)
        return Named(name=named.name.upper()) if shout else named

    @strawberry.mutation
    @user_errors
    async def forget(self) -> DoneResult:
        return Done()


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type(name="Mutation")
class PlainMutation:
    @strawberry.mutation(description="Rename, politely.")
    async def rename(self, name: str, shout: bool = False) -> NamedResult:
        return await _rename(name)

    @strawberry.mutation
    async def forget(self) -> DoneResult:
        return Done()


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)


def test_the_field_reads_as_if_undecorated():
    plain = strawberry.Schema(query=Query, mutation=PlainMutation)
    assert str(SCHEMA) == str(plain)
    assert "rename(name: String!, shout: Boolean! = false): NamedResult!" in str(SCHEMA)


async def test_a_refused_rule_is_the_user_error_member():
    result = await SCHEMA.execute(RENAME, variable_values={"name": " "})
    assert result.errors is None
    assert result.data == {
        "rename": {
            "__typename": "UserError",
            "code": "INVALID_INPUT",
            "message": "Le nom est obligatoire.",
            "field": "name",
        }
    }


async def test_the_answer_passes_through_with_its_arguments():
    result = await SCHEMA.execute(
        'mutation { rename(name: " Zoé ", shout: true) { ... on Named { name } } }'
    )
    assert result.errors is None
    assert result.data == {"rename": {"name": "ZOÉ"}}


async def test_an_unexpected_error_still_fails_the_field():
    result = await SCHEMA.execute('mutation { rename(name: "boom") { __typename } }')
    assert result.data is None
    assert result.errors is not None
    assert "not a refusal" in result.errors[0].message


async def test_the_wrapper_is_a_coroutine_function_with_the_resolvers_signature():
    async def resolve(info: object, first: int = 20) -> Done:
        return Done()

    wrapped = user_errors(resolve)
    assert inspect.iscoroutinefunction(wrapped)  # strawberry awaits it
    assert inspect.signature(wrapped) == inspect.signature(resolve)
    assert wrapped.__annotations__ == resolve.__annotations__
    assert (wrapped.__name__, wrapped.__module__) == (resolve.__name__, resolve.__module__)
    with pytest.raises(TypeError):
        await wrapped(None, 20, "one argument too many")
