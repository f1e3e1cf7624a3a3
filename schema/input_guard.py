"""Refuse the NUL character anywhere in a request before anything runs.

PostgreSQL cannot store it in text, so a NUL reaching a query would surface as an
unexpected error; it is never legitimate in this API's input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

MESSAGE = "Le caractère nul (\\u0000) n'est pas autorisé dans une requête."


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(v) for v in value)
    return False


class RefuseNulCharacters(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query or ""
        if "\x00" in query or "\\u0000" in query.lower() or _contains_nul(context.variables):
            # A result set before execution makes strawberry skip executing the operation.
            context.result = ExecutionResult(
                data=None, errors=[GraphQLError(MESSAGE, extensions={"code": "INVALID_INPUT"})]
            )
        yield
