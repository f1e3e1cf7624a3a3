"""The execution context: graphql-core's, with a short path for plain leaf fields.

A map page of 100 hits of nine fields is 900 field executions. For each, graphql-core
builds a resolve info, looks for awaitables twice and walks the completion rules, about
ten function calls to read one attribute. Most of our output fields are "basic" in
strawberry's words (no resolver, no field extension such as an authorization rule:
`getattr` on the object) and of a leaf
type (scalar or enum). For those, when nothing unusual happens, this context reads the
attribute and coerces it directly; an object whose selected fields are all such leaves
(a map hit, `__typename` included) is built in one loop. Anything unusual (an argument,
an exception, a null where the schema says non-null, a value the type refuses, a field
middleware) goes through graphql-core's own path, which then handles the whole object,
so errors and their paths are exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any
from weakref import WeakKeyDictionary, WeakMethod

from graphql import (
    GraphQLObjectType,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# (resolve, coerce, nullable) for a plain leaf field; None for any other field.
LeafPlan = tuple[Callable[[Any], Any], Callable[[Any], Any], bool] | None

_plans: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], LeafPlan]] = WeakKeyDictionary()
_NOT_PLAIN = object()  # a leaf read that graphql-core's path must redo


def _leaf_plan(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> LeafPlan:
    if name == "__typename":
        type_name = parent_type.name
        return (lambda _source: type_name), str, False
    field = schema.get_field(parent_type, name)
    if field is None or field.args:
        return None
    # Only strawberry's "basic" fields: no resolver and no field extension (the
    # authorization rules are field extensions: such a field always takes the full path).
    definition = (field.extensions or {}).get("strawberry-definition")
    if definition is None or not getattr(definition, "is_basic_field", False):
        return None
    leaf = get_nullable_type(field.type)
    if not is_leaf_type(leaf):
        return None
    resolve: Callable[[Any], Any] = field.resolve
    if getattr(definition, "default_resolver", None) is getattr:
        resolve = attrgetter(definition.python_name)  # what strawberry's basic resolver does
    return resolve, leaf.coerce_output_value, not is_non_null_type(field.type)


def _read(plan: tuple[Callable[[Any], Any], Callable[[Any], Any], bool], source: Any) -> Any:
    resolve, coerce, nullable = plan
    try:
        value = resolve(source)
        if value is None:
            return None if nullable else _NOT_PLAIN
        coerced = coerce(value)
    except Exception:  # graphql-core's path raises it again and reports it
        return _NOT_PLAIN
    return _NOT_PLAIN if coerced is None or coerced is Undefined else coerced


def _weakly(method: Callable[..., Any]) -> Callable[..., Any]:
    reference = WeakMethod(method)

    def call(*args: Any, **kwargs: Any) -> Any:
        bound = reference()
        if bound is None:
            raise RuntimeError("the execution this helper belonged to has ended")
        return bound(*args, **kwargs)

    return call


class CJeuneExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core hands resolvers the context's own bound methods, a reference cycle
        # that left every request's execution state (the context, the viewer, the field
        # sets...) to the cyclic collector. Weak methods let reference counting free it all
        # when the request ends; while it runs, the execution keeps the context alive.
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=_weakly(self.gather_async_work), track=_weakly(self.track_async_work)
        )
        plans = _plans.get(self.schema)
        self._leaf_plans = _plans.setdefault(self.schema, {}) if plans is None else plans
        middleware = self.middleware_manager
        self._plain = not (middleware and middleware.middlewares)
        # id(grouped field set) -> (the set, kept alive so its id stays its own; its plans)
        self._leaf_sets: dict[int, tuple[Any, list[tuple[str, Any]] | None]] = {}

    def _plan(self, parent_type: GraphQLObjectType, node: Any) -> LeafPlan:
        if not self._plain or node.arguments:
            return None
        key = (parent_type.name, node.name.value)
        try:
            return self._leaf_plans[key]
        except KeyError:
            plan = self._leaf_plans[key] = _leaf_plan(self.schema, parent_type, key[1])
            return plan

    def _leaf_set(
        self, parent_type: GraphQLObjectType, grouped_field_set: Any
    ) -> list[tuple[str, Any]] | None:
        known = self._leaf_sets.get(id(grouped_field_set))
        if known is None:
            plans = [
                (name, self._plan(parent_type, details[0].node))
                for name, details in grouped_field_set.items()
            ]
            leaves = plans if all(plan is not None for _, plan in plans) else None
            known = self._leaf_sets[id(grouped_field_set)] = (grouped_field_set, leaves)
        return known[1]

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        leaves = self._leaf_set(parent_type, grouped_field_set)
        if leaves is not None:
            results = {}
            for name, plan in leaves:
                value = _read(plan, source_value)
                if value is _NOT_PLAIN:
                    break
                results[name] = value
            else:
                return results
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(parent_type, field_details_list[0].node)
        if plan is not None:
            value = _read(plan, source)
            if value is not _NOT_PLAIN:
                return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
