"""A validation rule capping the number of operations one GraphQL document may define."""

from __future__ import annotations

from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, OperationDefinitionNode


def max_operations_rule(limit: int) -> type[ASTValidationRule]:
    class MaxOperations(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_args: Any) -> None:
            count = sum(isinstance(d, OperationDefinitionNode) for d in node.definitions)
            if count > limit:
                self.report_error(
                    GraphQLError(
                        f"Trop d'opérations dans une même requête ({count}, maximum {limit}).",
                        node,
                    )
                )

    return MaxOperations
