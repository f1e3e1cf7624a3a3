"""The document limits checked while validating: depth, aliases, operations per document,
and a lower bound of each operation's cost (schema/cost.py).

Each must take time linear in the size of the document. A fragment may be spread several
times, and spread fragments that spread others: expanding the spreads again at every use
(as strawberry's QueryDepthLimiter and MaxAliasesLimiter do) makes 864 bytes of fragments,
each spreading the next one twice, stand for 2^20 selections, and held a process for 10 s.
Here each fragment's figures (its depth, the aliases it brings) are computed once and
reused at every spread, so the work is one visit of each selection of the document.

The figures are those the expansion would give: a fragment spread twice brings its aliases
twice. A spread that closes a cycle counts nothing here (NoFragmentCyclesRule reports it).

Every limit is checked when validation enters the document, before the other rules visit
anything (the cost only if the others pass, so that its walk never goes deeper than
MAX_NESTING); a document over a limit ends its validation there (the errors found are raised
as graphql-core's `ValidationAbortedError`, which `validate` returns as its errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OverlappingFieldsCanBeMergedRule,
    SelectionSetNode,
    ValidationContext,
)
from graphql.validation.validate import ValidationAbortedError

from schema.cost import OperationCost, too_costly_message

# Beyond this many nested selection sets and spreads, a document is refused as too deeply
# nested without looking further: graphql-core's parser allows 200 within a definition.
MAX_NESTING = 200
# Figures are saturated here: 2^50 aliases is as refused as 2^1000, cheaper to add, and
# still an exact integer for a JavaScript client reading the error's `value`.
SATURATED = 2**50


class TooNested(Exception):
    """The walk went deeper than MAX_NESTING selection sets and spreads."""


def limit_error(message: str, code: str, limit: int, value: int) -> GraphQLError:
    """A refusal by one of our limits: French message, stable code, the limit and the value."""
    return ValidationAbortedError(
        message, extensions={"code": code, "limit": limit, "value": min(value, SATURATED)}
    )


@dataclass(frozen=True, slots=True)
class Figures:
    depth: int  # fields with a selection set, nested, on the longest path
    aliases: int  # aliased fields, each spread counted each time


NOTHING = Figures(0, 0)


class DocumentFigures:
    """The figures of a document's selection sets, each fragment's computed once."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._known: dict[str, Figures] = {}
        self._open: set[str] = set()
        self.walked = 0  # selection sets walked: at most one per selection set of the document

    def of(self, selection_set: SelectionSetNode | None, nesting: int = 0) -> Figures:
        if selection_set is None:
            return NOTHING
        if nesting > MAX_NESTING:
            raise TooNested
        self.walked += 1
        depth = aliases = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.alias is not None:
                    aliases += 1
                # Introspection fields do not count (as with strawberry's limiter).
                if selection.selection_set is None or selection.name.value.startswith("__"):
                    continue
                inner = self.of(selection.selection_set, nesting + 1)
                depth = max(depth, 1 + inner.depth)
                aliases += inner.aliases
            else:
                if isinstance(selection, FragmentSpreadNode):
                    inner = self.of_fragment(selection.name.value, nesting + 1)
                elif isinstance(selection, InlineFragmentNode):
                    inner = self.of(selection.selection_set, nesting + 1)
                else:  # pragma: no cover - no other kind of selection exists
                    continue
                depth = max(depth, inner.depth)
                aliases += inner.aliases
        return Figures(depth, min(aliases, SATURATED))

    def of_fragment(self, name: str, nesting: int) -> Figures:
        known = self._known.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None or name in self._open:  # unknown, or a cycle: reported elsewhere
            return NOTHING
        self._open.add(name)
        try:
            figures = self._known[name] = self.of(fragment.selection_set, nesting)
        finally:
            self._open.discard(name)
        return figures


def count(value: int) -> str:
    """A figure for a message: a saturated one is only "plus d'un million"."""
    return f"{value:,}".replace(",", "\u202f") if value < 10**6 else "plus d'un million"


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int
    max_aliases: int
    max_operations: int
    max_cost: int
    list_size: int  # for the cost: the items of a list without a page size


def limits_rule(limits: Limits) -> type[ASTValidationRule]:
    class DocumentLimits(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_args: Any) -> None:
            errors = document_limit_errors(node, limits)
            if not errors:
                errors = cost_errors(
                    OperationCost(self.context.schema, node, None, limits.list_size), node, limits
                )
            for error in errors[:-1]:
                self.report_error(error)
            if errors:
                raise errors[-1]  # ends the validation: the other rules never run

    return DocumentLimits


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def cost_errors(cost: OperationCost, document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """The operations whose cost is over the limit whatever their variables."""
    errors = []
    for operation in _operations(document):
        value = cost.of(operation)
        if value > limits.max_cost:
            message = too_costly_message(value, limits.max_cost)
            errors.append(limit_error(message, "QUERY_TOO_COMPLEX", limits.max_cost, value))
    return errors


def document_limit_errors(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    max_depth, max_aliases, max_operations = (
        limits.max_depth,
        limits.max_aliases,
        limits.max_operations,
    )
    operations = _operations(document)
    errors: list[GraphQLError] = []
    if len(operations) > max_operations:
        errors.append(
            limit_error(
                f"Trop d'opérations dans une même requête ({len(operations)}, "
                f"maximum {max_operations}).",
                "TOO_MANY_OPERATIONS",
                max_operations,
                len(operations),
            )
        )
    figures = DocumentFigures(document)
    aliases = 0
    for operation in operations:
        try:
            found = figures.of(operation.selection_set)
        except TooNested:
            errors.append(
                limit_error(
                    f"Requête trop imbriquée (plus de {MAX_NESTING} niveaux de sélections "
                    "et de fragments).",
                    "QUERY_TOO_DEEP",
                    max_depth,
                    MAX_NESTING,
                )
            )
            return errors
        if found.depth > max_depth:
            name = f"« {operation.name.value} » " if operation.name else ""
            errors.append(
                limit_error(
                    f"L'opération {name}est trop profonde ({count(found.depth)} niveaux, "
                    f"maximum {max_depth}).",
                    "QUERY_TOO_DEEP",
                    max_depth,
                    found.depth,
                )
            )
        aliases = min(aliases + found.aliases, SATURATED)
    if aliases > max_aliases:
        errors.append(
            limit_error(
                f"Trop d'alias dans la requête ({count(aliases)}, maximum {max_aliases}).",
                "TOO_MANY_ALIASES",
                max_aliases,
                aliases,
            )
        )
    return errors


def bounded_overlap_rule(budget: int) -> type[ASTValidationRule]:
    """graphql-core's OverlappingFieldsCanBeMergedRule with a smaller work budget.

    The rule compares every pair of fields that share a response name at one level, fields
    brought by fragments included: its work grows with the square of the document. graphql-
    core meters that work and aborts the validation ("Validation aborted.") once a budget is
    spent; its default (500,000 units) is about a second of CPU here. This subclass starts
    from `budget` instead, without touching the module-wide default.
    """

    class BoundedOverlappingFields(OverlappingFieldsCanBeMergedRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.rule_context.remaining_complexity_budget = budget

    return BoundedOverlappingFields
