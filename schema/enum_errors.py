"""GraphQL's own refusal of an enum value, said in French: the apps show it to people.

A value outside an enum (a misspelled wallet: `walletKind: "SPORTS"`) is refused by GraphQL
before any resolver runs, with graphql-core's English message. schema/messages.py's
FrenchMessages rewrites those messages with `in_french` (a variable's value, a literal, a
quoted literal) and gives every other error its own pattern's French; `WalletKind` is
named in the guide's words: « Porte-monnaie inconnu ».
"""

from __future__ import annotations

import re

from graphql import GraphQLEnumType, GraphQLError, GraphQLSchema

_SUGGESTION = r"(?: Did you mean .*)?"
_UNKNOWN = re.compile(
    rf"Value '(?P<value>.*)' does not exist in '(?P<enum>\w+)' enum\.{_SUGGESTION}$"
)
_NOT_ENUM = re.compile(
    r"Enum '(?P<enum>\w+)' cannot represent non-(?:enum|string) value: "
    rf"(?P<value>.*)\.{_SUGGESTION}$"
)
_VARIABLE = re.compile(
    r"Variable '\$(?P<name>\w+)' has invalid value(?P<path>[^:]*): (?P<rest>.*)$"
)
_ARGUMENT = re.compile(r"(?P<where>.+?) has invalid value(?P<path>[^:]*): (?P<rest>.*)$")


def _enum_message(text: str, enum_of: dict[str, GraphQLEnumType]) -> str | None:
    unknown, quoted = _UNKNOWN.match(text), _NOT_ENUM.match(text)
    found = unknown or quoted
    if found is None:
        return None
    name, value = found["enum"], found["value"]
    names = list(enum_of[name].values) if name in enum_of else []
    known = ", ".join(names[:-1]) + " ou " + names[-1] if len(names) > 1 else "".join(names)
    value = value.strip('"')
    if quoted and value in names:
        return f"Une valeur de {name} s'écrit sans guillemets : {value}."
    if name == "WalletKind":
        return f"Porte-monnaie inconnu : « {value} ». Les porte-monnaie sont {known}."
    return f"Valeur inconnue pour {name} : « {value} ». Valeurs possibles : {known}."


def in_french(error: GraphQLError, enum_of: dict[str, GraphQLEnumType]) -> GraphQLError:
    """The same error with a French message when it is an enum value refused; else itself."""
    message = error.message
    prefix = ""
    if variable := _VARIABLE.match(message):
        path = variable["path"].removeprefix(" at ")
        prefix = f"Valeur invalide pour ${variable['name']}{path} : "
        message = variable["rest"]
    elif argument := _ARGUMENT.match(message):
        path = argument["path"].removeprefix(" at ")
        prefix = f"Valeur invalide pour {argument['where']}{path} : "
        message = argument["rest"]
    french = _enum_message(message, enum_of)
    if french is None:
        return error
    return GraphQLError(
        prefix + (french[0].lower() + french[1:] if prefix else french),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


def enum_types(schema: GraphQLSchema) -> dict[str, GraphQLEnumType]:
    return {name: t for name, t in schema.type_map.items() if isinstance(t, GraphQLEnumType)}
