"""Each GraphQL document is parsed and validated once per process, found again by its text.

Tills send the same few documents all day. Strawberry's ParserCache and ValidationCache did
this job in two extensions, but the validation cache is keyed by the parsed document, and a
graphql-core node hashes by walking its whole tree on every lookup: for the till's debit
document that walk cost more than the rest of the preparation. Here one bounded table,
keyed by the query text (a string hashes once and keeps its hash), holds the document and
the errors its validation found.

The parse keeps its token limit (a document longer than `max_tokens` is refused before it
is parsed to the end), and validation runs `rules` first (this schema's limits, which may
end the validation before the other rules start) then every rule the operation carries
(graphql-core's, with any of them replaced as `substitutes` says, and in production the
introspection ban): a cached result is reused only for the same rules.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from graphql import ASTValidationRule, DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document


@dataclass(slots=True)
class _Entry:
    document: DocumentNode
    errors: dict[tuple[type[ASTValidationRule], ...], list[GraphQLError]] = field(
        default_factory=dict
    )


class DocumentTable:
    """Parsed documents by query text, least recently used dropped beyond `maxsize`."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, query: str) -> _Entry | None:
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
        return entry

    def put(self, query: str, document: DocumentNode) -> _Entry:
        entry = self._entries[query] = _Entry(document)
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        return entry


Rule = type[ASTValidationRule]


def document_cache(
    *,
    max_tokens: int,
    rules: Sequence[Rule],
    substitutes: Mapping[Rule, Rule] | None = None,
    maxsize: int = 1024,
) -> Callable[[], SchemaExtension]:
    """An extension factory for one schema: its table lives as long as the schema."""
    table = DocumentTable(maxsize)
    first_rules = tuple(rules)
    replaced = dict(substitutes or {})

    class DocumentCache(SchemaExtension):
        documents = table
        entry: _Entry | None = None  # this request's, found by on_parse, reused by on_validate

        def on_operation(self) -> Iterator[None]:
            context = self.execution_context
            context.parse_options["max_tokens"] = max_tokens
            context.validation_rules = first_rules + tuple(
                replaced.get(rule, rule) for rule in context.validation_rules
            )
            yield

        def on_parse(self) -> Iterator[None]:
            context = self.execution_context
            query = context.query
            if query and context.graphql_document is None:
                self.entry = table.get(query)
                if self.entry is None:
                    try:
                        self.entry = table.put(query, parse(query, **context.parse_options))
                    except GraphQLError:
                        pass  # strawberry parses it again and reports the error
                if self.entry is not None:
                    context.graphql_document = self.entry.document
            yield

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            entry = self.entry
            if entry is not None and entry.document is context.graphql_document:
                rules = context.validation_rules
                errors = entry.errors.get(rules)
                if errors is None:
                    errors = entry.errors[rules] = validate_document(
                        context.schema._schema, entry.document, rules
                    )
                context.pre_execution_errors = list(errors)
            yield

    return DocumentCache
