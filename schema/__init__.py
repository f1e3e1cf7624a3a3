"""The GraphQL schema: root types, limits and error masking.

`python -m schema` prints the SDL; schema.graphql is that output, committed.
"""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError, OverlappingFieldsCanBeMergedRule
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig

from infra.settings import Settings
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


class CJeuneSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        """Log what went wrong unexpectedly; refusals and invalid queries are expected."""
        unexpected = [
            e
            for e in errors
            if not isinstance(e.original_error, AccessDenied) and e.original_error is not None
        ]
        super().process_errors(unexpected, execution_context)


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
        lambda: MaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE),
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
