"""The typed error every mutation can answer with (strawberry union results)."""

from __future__ import annotations

import strawberry

from domain.core.errors import DomainError
from domain.core.errors import ErrorCode as DomainErrorCode

ErrorCode = strawberry.enum(DomainErrorCode, name="ErrorCode")


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
