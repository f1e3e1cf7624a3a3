"""The cost limit: what an operation asks for, counted before it runs.

Depth and aliases do not bound the work of a query: ten nested pages of a hundred items
are within both. As GitHub's GraphQL API and graphql-armor do, each operation gets a cost
before execution and is refused above `max_cost`:

- every field costs 1;
- a page size (a `first`, `last` or `limit` argument, or such a field of an input object
  argument, as `search(query: {first: 50})`) multiplies what is selected under the list it
  pages: on a list field, its own subtree; on a page object
  (`myFavorites(first: 20) { offers … }`), the subtree of each list field directly under
  it. The size is the literal, or the variable's value, or the argument's default when it
  is left out; clamped to 1…100, the largest page any field serves;
- a list field without a page size (a person's cards, a partner's delegates) counts
  `list_size` items.

So `myFavorites(first: 20) { offers { id kind } nextCursor }` costs 1 + (1 + 20 × 2) + 1
= 43.

Variable values change the cost, so it is counted for each request, after validation.
Validation counts it too, with each page size given by a variable taken as 1: that lower
bound refuses a document that no variables could make cheap enough (a fragment fan-out)
before graphql-core's own rules spend time on it, and the refusal is cached with the
document. Each fragment's figures are computed once per count and reused at every spread
(a fragment spread twice by each of twenty others is counted once, its cost multiplied),
so a count takes time linear in the size of the document.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_list_type,
)
from graphql.type import SchemaMetaFieldDef, TypeMetaFieldDef
from strawberry.extensions import SchemaExtension

SIZE_ARGUMENTS = ("first", "last", "limit")
MAX_PAGE = 100  # no field serves more items per page (resolvers clamp `first`)
SATURATED = 2**50  # as refused as anything larger, and exact for a JavaScript client

# (fixed, per_item): a selection set costs fixed + per_item x (the page size it inherits
# from a page object above it, or list_size): per_item is what its unpaged lists select.
Figures = tuple[int, int]


def _add(a: int, b: int) -> int:
    return min(a + b, SATURATED)


def _times(a: int, b: int) -> int:
    return min(a * b, SATURATED)


class OperationCost:
    """The cost of a document's operations for one request's variable values."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        list_size: int,
    ) -> None:
        self.schema = schema
        # Without the variables (while validating), a page size given by a variable counts
        # as 1, the least it can be: the cost is then a lower bound of every request's.
        self.lower_bound = variables is None
        self.variables = variables or {}
        self.list_size = list_size
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._known: dict[str, Figures] = {}
        self._open: set[str] = set()
        self.walked = 0  # selection sets walked: at most one per selection set of the document

    def of(self, operation: OperationDefinitionNode) -> int:
        if not self.lower_bound:  # a variable left out takes its default in the operation
            defaults = {
                d.variable.name.value: int(d.default_value.value)
                for d in operation.variable_definitions or ()
                if isinstance(d.default_value, IntValueNode)
            }
            self.variables = {**defaults, **self.variables}
        root = self.schema.get_root_type(operation.operation)
        return self._total(self._of(operation.selection_set, root), None)

    def _total(self, figures: Figures, page_size: int | None) -> int:
        fixed, per_item = figures
        return _add(fixed, _times(per_item, self.list_size if page_size is None else page_size))

    def _of(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None) -> Figures:
        self.walked += 1
        fixed = per_item = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                figures = self._of_field(selection, parent)
            elif isinstance(selection, FragmentSpreadNode):
                figures = self._of_fragment(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                figures = self._of(selection.selection_set, inner)
            else:  # pragma: no cover - no other kind of selection exists
                continue
            fixed, per_item = _add(fixed, figures[0]), _add(per_item, figures[1])
        return fixed, per_item

    def _of_field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Figures:
        field = self._field(parent, node.name.value)
        if field is None or node.selection_set is None:
            return 1, 0
        size = self._page_size(node, field)
        inner = self._of(node.selection_set, get_named_type(field.type))
        if is_list_type(get_nullable_type(field.type)):
            if size is None:  # sized by the page object above, or list_size
                return 1, self._total(inner, None)
            return _add(1, _times(size, self._total(inner, None))), 0
        return _add(1, self._total(inner, size)), 0

    def _of_fragment(self, name: str) -> Figures:
        known = self._known.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None or name in self._open:  # reported by validation
            return 0, 0
        self._open.add(name)
        try:
            condition = self.schema.get_type(fragment.type_condition.name.value)
            figures = self._known[name] = self._of(fragment.selection_set, condition)
        finally:
            self._open.discard(name)
        return figures

    def _field(self, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        if name == "__schema" and parent is self.schema.query_type:
            return SchemaMetaFieldDef
        if name == "__type" and parent is self.schema.query_type:
            return TypeMetaFieldDef
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return parent.fields.get(name)
        return None

    def _page_size(self, node: FieldNode, field: GraphQLField) -> int | None:
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        for name, argument in field.args.items():
            if name in SIZE_ARGUMENTS:
                size = self._int(given.get(name), argument.default_value)
            else:
                input_type = get_named_type(argument.type)
                if not isinstance(input_type, GraphQLInputObjectType):
                    continue
                size = self._size_in_input(given.get(name), input_type)
            if size is not None:
                return max(1, min(size, MAX_PAGE))
        return None

    def _size_in_input(
        self, value: ValueNode | None, input_type: GraphQLInputObjectType
    ) -> int | None:
        """The page size inside an input object argument (`search(query: {first: 50})`)."""
        for name in SIZE_ARGUMENTS:
            field = input_type.fields.get(name)
            if field is None:
                continue
            if isinstance(value, ObjectValueNode):
                inner = next((f.value for f in value.fields or () if f.name.value == name), None)
                return self._int(inner, field.default_value)
            if isinstance(value, VariableNode):
                if self.lower_bound:
                    return 1
                given = self.variables.get(value.name.value)
                if isinstance(given, dict) and isinstance(given.get(name), int):
                    return int(given[name])
            return field.default_value if isinstance(field.default_value, int) else None
        return None

    def _int(self, value: ValueNode | None, default: Any) -> int | None:
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            if self.lower_bound:
                return 1
            given = self.variables.get(value.name.value)
            if isinstance(given, int) and not isinstance(given, bool):
                return given
        return default if isinstance(default, int) and not isinstance(default, bool) else None


def cost_limit(*, max_cost: int, list_size: int) -> type[SchemaExtension]:
    class CostLimit(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            document = context.graphql_document
            if context.result is None and document is not None:
                operation = get_operation_ast(document, context.operation_name)
                if operation is not None:
                    schema = context.schema._schema
                    cost = OperationCost(schema, document, context.variables, list_size)
                    value = cost.of(operation)
                    if value > max_cost:
                        # A result set before execution makes strawberry skip executing.
                        error = GraphQLError(
                            too_costly_message(value, max_cost),
                            extensions={
                                "code": "QUERY_TOO_COMPLEX",
                                "limit": max_cost,
                                "value": value,
                            },
                        )
                        context.result = ExecutionResult(data=None, errors=[error])
            yield

    return CostLimit


def _figure(value: int) -> str:
    """12 345 with a narrow no-break space, as French writes it."""
    return f"{value:,}".replace(",", "\u202f") if value < 10**9 else "plus d'un milliard de"


def too_costly_message(value: int, max_cost: int) -> str:
    return (
        f"Requête trop coûteuse ({_figure(value)} points, maximum {_figure(max_cost)}) : "
        "demandez moins de champs ou des pages plus petites (first)."
    )
