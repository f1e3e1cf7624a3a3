"""The GraphQL schema: root types, limits and error masking.

`python -m schema` prints the SDL; schema.graphql is that output, committed.
"""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import (
    GraphQLError,
    OperationType,
    OverlappingFieldsCanBeMergedRule,
    get_operation_ast,
    parse,
)
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig

from domain.core.errors import ErrorCode
from infra import unavailable
from infra.settings import Settings
from resolvers.context import Context
from resolvers.loaders import Loaders
from resolvers.permissions import AccessDenied
from schema.cost import cost_limit
from schema.document_cache import document_cache
from schema.execution import CJeuneExecutionContext
from schema.input_guard import RefuseNulCharacters
from schema.limits import Limits, bounded_overlap_rule, limits_rule
from schema.messages import FrenchMessages
from schema.root import Mutation, Query, Subscription

logger = logging.getLogger("cjeune.graphql")

MASKED_MESSAGE = "Une erreur inattendue est survenue. Réessayez plus tard."


def should_mask(error: GraphQLError) -> bool:
    """Show our own refusals and GraphQL's validation errors; hide everything unexpected."""
    original = error.original_error
    if original is None or isinstance(original, AccessDenied):
        return False
    return not isinstance(original, GraphQLError) or original.original_error is not None


SERVICE_UNAVAILABLE = ErrorCode.SERVICE_UNAVAILABLE.value


class CJeuneMaskErrors(MaskErrors):
    """MaskErrors, except that a database that could not answer (a cut connection, a
    locked SQLite file) gets the code SERVICE_UNAVAILABLE: the client may send it again."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if not unavailable.is_unavailable(error.original_error):
            return super().anonymise_error(error)
        return GraphQLError(
            unavailable.MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": SERVICE_UNAVAILABLE},
        )


def _service_unavailable(result: Any) -> bool:
    return any(
        (error.extensions or {}).get("code") == SERVICE_UNAVAILABLE
        for error in getattr(result, "errors", None) or ()
    )


def _is_query(query: str | None, operation_name: str | None) -> bool:
    try:
        operation = get_operation_ast(parse(query or ""), operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation == OperationType.QUERY


class CJeuneSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        """Log what went wrong unexpectedly; refusals and invalid queries are expected, and
        a database out of reach is one line (the client is told to retry)."""
        unexpected = []
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, AccessDenied):
                continue
            if unavailable.is_unavailable(original):
                logger.warning("%s: database unavailable: %s", error.path, original)
                continue
            unexpected.append(error)
        super().process_errors(unexpected, execution_context)

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Any = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> Any:
        """A query (never a mutation: it might have committed) that met a database out of
        reach runs once more: the connections it met were replaced meanwhile."""
        arguments = (
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        result = await super().execute(*arguments)
        if _service_unavailable(result) and _is_query(query, operation_name):
            if isinstance(context_value, Context):
                context_value.loaders = Loaders()  # they keep the failed loads
            result = await super().execute(*arguments)
        return result


def build_schema(settings: Settings) -> strawberry.Schema:
    # The limit rules are built once: a fresh rule class per request would make every
    # document look new to the validation cache.
    limits = Limits(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_query_aliases,
        max_operations=settings.max_operations_per_request,
        max_cost=settings.max_query_cost,
        list_size=settings.query_cost_list_size,
    )
    limit_rules = [limits_rule(limits)]
    substitutes = {
        OverlappingFieldsCanBeMergedRule: bounded_overlap_rule(settings.max_validation_work)
    }
    extensions = [
        # Terminals send the same few documents all day: each is parsed (at most
        # max_query_tokens tokens) and validated (with the limit rules) once per process.
        document_cache(
            max_tokens=settings.max_query_tokens,
            rules=limit_rules,
            substitutes=substitutes,
            maxsize=1024,
        ),
        RefuseNulCharacters,
        cost_limit(max_cost=limits.max_cost, list_size=limits.list_size),
        lambda: CJeuneMaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE),
        # After MaskErrors in the list, so it ends first and sees graphql-core's errors.
        FrenchMessages,
    ]
    if settings.is_production:
        from strawberry.extensions import DisableIntrospection

        extensions.append(DisableIntrospection)
    return CJeuneSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        execution_context_class=CJeuneExecutionContext,
        config=StrawberryConfig(
            disable_field_suggestions=True,
            batching_config={"max_operations": settings.max_operations_per_request},
        ),
    )
