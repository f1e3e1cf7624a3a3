"""The typed error every mutation can answer with (strawberry union results), and the one
place where a refused business rule (a DomainError) becomes that answer."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, ParamSpec, TypeVar

import strawberry

from domain.core.errors import DomainError
from domain.core.errors import ErrorCode as DomainErrorCode

ErrorCode = strawberry.enum(DomainErrorCode, name="ErrorCode")

Arguments = ParamSpec("Arguments")
Answer = TypeVar("Answer")


@strawberry.type(description="An expected failure, with a French message for the person.")
class UserError:
    code: ErrorCode
    message: str
    field: str | None = strawberry.field(
        default=None, description="The input field at fault, when there is one."
    )

    @classmethod
    def from_domain(cls, error: DomainError) -> UserError:
        return cls(code=error.code, message=error.message, field=error.field)


@strawberry.type
class Done:
    ok: bool = True


DoneResult = Annotated[Done | UserError, strawberry.union("DoneResult")]


def user_errors(
    resolve: Callable[Arguments, Awaitable[Answer]],
) -> Callable[Arguments, Awaitable[Answer | UserError]]:
    """Answer the UserError member of the field's union when the resolver raises a DomainError.

    Resolvers below raise DomainError and never see UserError (they do not import schema/);
    this is the only `except DomainError` of the fields, as Saleor's BaseMutation does once.
    strawberry reads the field's arguments and type from the decorated function: `wraps`
    keeps its name, module (where the string annotations are resolved), annotations and
    `__wrapped__`, and `__signature__` is set for good measure. Anything else still raises.
    """

    @functools.wraps(resolve)
    async def resolve_or_refuse(*args: Arguments.args, **kwargs: Arguments.kwargs):
        try:
            return await resolve(*args, **kwargs)
        except DomainError as error:
            return UserError.from_domain(error)

    resolve_or_refuse.__signature__ = inspect.signature(resolve)  # type: ignore[attr-defined]
    return resolve_or_refuse
