"""The pages reached by an emailed link (unsubscribe, a parent's consent) read and write
through the GraphQL schema, executed in-process as the apps do over HTTP: the link's token
is the caller's only credential (an anonymous viewer), so every rule is the API's, once.

A refusal the page explains (an altered or expired link) is the operation's `UserError`;
a database out of reach is the 503 page; anything else is unexpected and raised, as a 500
for the person, logged with context.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from domain.accounts.viewer import Viewer
from domain.core.errors import ErrorCode
from infra.unavailable import DatabaseUnavailable
from resolvers.context import Context


class OperationFailed(RuntimeError):
    """The operation answered errors: a bug, never a refusal the page should explain."""


async def run_operation(
    request: Request, document: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """The `data` of `document` run against the app's schema for this request."""
    context = Context(request=request)
    context.viewer = Viewer(client_address=context.client_address)
    result = await request.app.state.graphql_schema.execute(
        document, variable_values=variables, context_value=context
    )
    if result.errors:
        failed = OperationFailed([error.formatted for error in result.errors])
        codes = {(error.extensions or {}).get("code") for error in result.errors}
        if ErrorCode.SERVICE_UNAVAILABLE in codes:
            # The database is out of reach: the 503 page (server/unavailable.py), not a 500.
            raise DatabaseUnavailable(failed, sent=True) from failed
        raise failed
    return dict(result.data or {})
