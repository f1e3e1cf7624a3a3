"""GraphQL's own error messages in French, each with a stable code.

Business refusals are French; the apps show GraphQL's validation messages to people too,
so these get French as well: each English pattern of graphql-core (and of strawberry's
HTTP layer) maps to a French sentence and a code clients can switch on:

- GRAPHQL_PARSE_FAILED: the document is not GraphQL (syntax);
- GRAPHQL_VALIDATION_FAILED: it does not fit the schema (unknown field or argument, value
  of the wrong type, missing required argument, unused or unknown variable or fragment…);
- BAD_USER_INPUT: a variable's value does not fit its type;
- TOO_MANY_TOKENS, QUERY_TOO_COMPLEX, QUERY_TOO_DEEP: limits met by graphql-core itself
  (our own limits, schema/limits.py and schema/cost.py, write French already);
- BAD_REQUEST, METHOD_NOT_ALLOWED, TOO_MANY_OPERATIONS, NOT_FOUND: the HTTP request itself.

A message no pattern knows keeps a generic French sentence, its code, and the original
in `extensions.detail`, as does a syntax error (its English detail says where it broke).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLEnumType, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
BAD_REQUEST = "BAD_REQUEST"
INVALID = "Valeur invalide"

# An enum's values by its name, for the sentences that list them (« Valeurs possibles »).
Enums = Mapping[str, Sequence[str]]
Render = Callable[[re.Match[str], Enums], str]


@dataclass(frozen=True, slots=True)
class Rule:
    pattern: re.Pattern[str]
    render: Render
    code: str
    keep_detail: bool = False


@dataclass(frozen=True, slots=True)
class French:
    message: str
    code: str
    detail: str | None  # the original, when the French sentence does not say it all


_rules: list[Rule] = []
_http_rules: list[Rule] = []


def _rule(
    pattern: str,
    template: str | Render,
    code: str = VALIDATION_FAILED,
    *,
    keep_detail: bool = False,
    table: list[Rule] = _rules,
) -> None:
    if isinstance(template, str):

        def render(match: re.Match[str], enums: Enums, text: str = template) -> str:
            return text.format_map({k: v or "" for k, v in match.groupdict().items()})

    else:
        render = template
    table.append(Rule(re.compile(pattern, re.DOTALL), render, code, keep_detail))


N = r"'(?P<{}>[^']+)'"  # a name between single quotes, as graphql-core writes them


def _n(name: str) -> str:
    return N.format(name)


def _nested(match: re.Match[str], enums: Enums, prefix: str) -> str:
    """`prefix`, then the reason translated too (its first letter lowered)."""
    inner = translate(match["reason"], enums)
    if inner is None or inner.detail is not None:
        return f"{prefix}."
    reason = inner.message.removeprefix(f"{INVALID} : ")
    return f"{prefix} : {reason[0].lower()}{reason[1:]}"


# --- parse -------------------------------------------------------------------------------
_rule(
    r"Syntax Error: Document contains more than (?P<n>\d+) tokens\. Parsing aborted\.",
    "Requête trop longue : plus de {n} éléments (mots, signes, valeurs). Analyse interrompue.",
    "TOO_MANY_TOKENS",
)
_rule(
    r"Syntax Error: .*",
    "Erreur de syntaxe dans la requête GraphQL.",
    PARSE_FAILED,
    keep_detail=True,
)

# --- fields, arguments, selections ------------------------------------------------------
_rule(
    rf"Cannot query field {_n('field')} on type {_n('type')}\.",
    "Le champ « {field} » n'existe pas sur le type « {type} ».",
)
_rule(
    rf"Unknown argument {_n('arg')} on field '(?P<type>[^'.]+)\.(?P<field>[^']+)'\.",
    "L'argument « {arg} » n'existe pas pour le champ « {type}.{field} ».",
)
_rule(
    rf"Unknown argument {_n('arg')} on directive '@(?P<directive>[^']+)'\.",
    "L'argument « {arg} » n'existe pas pour la directive « @{directive} ».",
)
_rule(
    r"Argument '(?P<parent>[^'(]+)\((?P<arg>[^:']+):\)' of type "
    + _n("type")
    + r" is required, but it was not provided\.",
    "L'argument « {arg} » de « {parent} » est obligatoire (type « {type} ») mais n'a pas "
    "été fourni.",
)
_rule(
    rf"Field {_n('field')} of type {_n('type')} must have a selection of subfields\.",
    "Le champ « {field} » (type « {type} ») demande une sélection de sous-champs : "
    "{field} {{ … }}.",
)
_rule(
    rf"Field {_n('field')} must not have a selection since type {_n('type')} has no "
    r"subfields\.",
    "Le champ « {field} » (type « {type} ») n'a pas de sous-champs : retirez la sélection.",
)
_rule(
    r"Fields '(?P<name>[^']+)' conflict because .*\. Use different aliases on the fields to "
    r"fetch both if this was intentional\.",
    "Les champs « {name} » se contredisent : donnez-leur des alias différents pour obtenir "
    "les deux.",
    keep_detail=True,
)

# --- values -----------------------------------------------------------------------------
_SCALARS = {
    r"Int cannot represent non-integer value: (?P<value>.*)": "{value} n'est pas un entier.",
    r"Int cannot represent non 32-bit signed integer value: (?P<value>.*)": (
        "{value} dépasse les limites d'un entier (32 bits)."
    ),
    r"Float cannot represent non numeric value: (?P<value>.*)": "{value} n'est pas un nombre.",
    r"String cannot represent a non string value: (?P<value>.*)": (
        "{value} n'est pas une chaîne de caractères."
    ),
    r"Boolean cannot represent a non boolean value: (?P<value>.*)": (
        "{value} n'est pas un booléen (true ou false)."
    ),
    r"ID cannot represent a non-string and non-integer value: (?P<value>.*)": (
        "{value} n'est pas un identifiant (chaîne ou entier)."
    ),
}
for _pattern, _template in _SCALARS.items():
    _rule(_pattern, f"{INVALID} : {_template}")
_rule(
    r"Value cannot represent an? (?P<type>\w+): (?P<value>\"[^\"]*\")\..*",
    INVALID + " : {value} n'est pas une valeur de type « {type} ».",
)


def _unknown_value(enum: str, value: str, enums: Enums) -> str:
    """A value that is not one of `enum`'s, and the ones that are (« Porte-monnaie inconnu »
    for a wallet, in the guide's words)."""
    names = list(enums.get(enum, ()))
    known = ", ".join(names[:-1]) + " ou " + names[-1] if len(names) > 1 else "".join(names)
    if enum == "WalletKind":
        return f"Porte-monnaie inconnu : « {value} ». Les porte-monnaie sont {known}."
    if not names:
        return f"Valeur inconnue pour {enum} : « {value} »."
    return f"Valeur inconnue pour {enum} : « {value} ». Valeurs possibles : {known}."


def _not_enum_value(match: re.Match[str], enums: Enums) -> str:
    """A string (or other scalar) where an enum value was expected: a known value quoted
    is said to be written without quotes; anything else is an unknown value."""
    enum, value = match["enum"], match["value"].strip('"')
    if value in enums.get(enum, ()):
        return f"Une valeur de {enum} s'écrit sans guillemets : {value}."
    return _unknown_value(enum, value, enums)


_rule(
    rf"Value {_n('value')} does not exist in {_n('enum')} enum\.",
    lambda m, enums: _unknown_value(m["enum"], m["value"], enums),
)
_rule(
    rf"Enum {_n('enum')} cannot represent non-(?:enum|string) value: (?P<value>.*?)\.",
    _not_enum_value,
)
_rule(
    rf"Expected value of type {_n('type')} not to include unknown field {_n('field')}, "
    r"found: .*",
    "Le champ « {field} » n'existe pas dans le type « {type} ».",
)
_rule(
    rf"Expected value of non-null type {_n('type')} not to be None\.",
    "Une valeur de type « {type} » est obligatoire : null n'est pas accepté.",
)
_rule(
    rf"Expected a value of non-null type {_n('type')} to be provided\.",
    "Une valeur de type « {type} » est obligatoire.",
)
_rule(
    rf"Expected value of type {_n('type')} to be an object, found: (?P<value>.*)\.",
    "Un objet de type « {type} » est attendu ; reçu {value}.",
)
_rule(
    rf"Expected value of type {_n('type')} to be a list, found: (?P<value>.*)\.",
    "Une liste de type « {type} » est attendue ; reçu {value}.",
)
_rule(
    rf"Expected value of type {_n('type')}, found null\. .*",
    "Une valeur de type « {type} » est attendue : null n'est pas accepté ici.",
)
_rule(
    rf"Expected value of type {_n('type')}, found (?P<value>[^;]*?)(?:; .*)?\.?",
    "Une valeur de type « {type} » est attendue ; reçu {value}.",
)
_rule(
    r"Field '(?P<type>[^'.]+)\.(?P<field>[^']+)' of required type "
    + _n("ftype")
    + r" was not provided\.",
    "Le champ « {field} » de « {type} » est obligatoire (type « {ftype} »).",
)
_rule(
    rf"OneOf Input Object {_n('type')} must specify exactly one key\.",
    "« {type} » demande exactement un de ses champs.",
)

# --- variables --------------------------------------------------------------------------
_rule(
    r"Variable '\$(?P<name>[^']+)' has invalid value(?: at (?P<at>\S+))?: (?P<reason>.*)",
    lambda m, enums: _nested(
        m,
        enums,
        f"La variable « ${m['name']} » a une valeur invalide"
        + (f" (en ${m['name']}{m['at']})" if m["at"] else ""),
    ),
    BAD_USER_INPUT,
)
_rule(
    rf"Variable '\$(?P<name>[^']+)' of required type {_n('type')} was not provided\.",
    "La variable « ${name} » (type « {type} ») est obligatoire.",
    BAD_USER_INPUT,
)
_rule(
    rf"Variable '\$(?P<name>[^']+)' of non-null type {_n('type')} must not be null\.",
    "La variable « ${name} » (type « {type} ») ne peut pas être null.",
    BAD_USER_INPUT,
)
_rule(
    rf"Variable '\$(?P<name>[^']+)' is never used(?: in operation {_n('op')})?\.",
    "La variable « ${name} » est déclarée mais jamais utilisée.",
)
_rule(
    rf"Variable '\$(?P<name>[^']+)' is not defined(?: by operation {_n('op')})?\.",
    "La variable « ${name} » n'est pas déclarée par l'opération.",
)
_rule(
    rf"Variable '\$(?P<name>[^']+)' of type {_n('given')} used in position expecting type "
    rf"{_n('expected')}\.",
    "La variable « ${name} » est de type « {given} », mais « {expected} » est attendu ici.",
)
_rule(
    rf"Variable '\$(?P<name>[^']+)' cannot be non-input type {_n('type')}\.",
    "La variable « ${name} » ne peut pas être du type « {type} » (pas un type d'entrée).",
)
_rule(rf"Unknown type {_n('name')}\.", "Le type « {name} » n'existe pas.")

# --- operations and fragments -----------------------------------------------------------
_KINDS = {
    "operation": "une seule opération nommée",
    "fragment": "un seul fragment nommé",
    "argument": "un seul argument nommé",
    "variable": "une seule variable nommée",
    "input field": "un seul champ nommé",
}
_rule(
    r"There can be only one (?P<kind>operation|fragment|argument|variable|input field) "
    r"named '(?P<name>[^']+)'\.",
    lambda m, enums: f"Il ne peut y avoir qu'{_KINDS[m['kind']]} « {m['name']} ».",
)
_rule(
    r"This anonymous operation must be the only defined operation\.",
    "Une opération sans nom doit être la seule du document.",
)
_rule(rf"Unknown fragment {_n('name')}\.", "Le fragment « {name} » n'est pas défini.")
_rule(rf"Fragment {_n('name')} is never used\.", "Le fragment « {name} » n'est jamais utilisé.")
_rule(
    rf"Cannot spread fragment {_n('name')} within itself.*",
    "Le fragment « {name} » s'inclut lui-même.",
)
_rule(
    rf"Fragment(?: {_n('name')})? cannot be spread here as objects of type {_n('parent')} can "
    rf"never be of type {_n('type')}\.",
    "Ce fragment ne peut pas être utilisé ici : un objet « {parent} » n'est jamais de type "
    "« {type} ».",
)
_rule(
    rf"Fragment(?: {_n('name')})? cannot condition on non composite type {_n('type')}\.",
    "Un fragment porte sur un type objet, interface ou union, pas sur « {type} ».",
)
_rule(
    r"(?:Subscription '[^']+'|Anonymous Subscription) must select only one top level field\.",
    "Un abonnement ne sélectionne qu'un seul champ de premier niveau.",
)
_rule(
    r"(?:Subscription '[^']+'|Anonymous Subscription) must not select an introspection top "
    r"level field\.",
    "Un abonnement ne peut pas sélectionner un champ d'introspection.",
)
_rule(
    r"The (?P<kind>\w+) operation is not supported by the schema\.",
    "Ce schéma n'accepte pas les opérations « {kind} ».",
)
_rule(
    r"The '?(?P<name>[^' ]+)'? definition is not executable\.",
    "La définition « {name} » n'est pas exécutable : un document contient des opérations et "
    "des fragments.",
)
_rule(r"Unknown directive '@(?P<name>[^']+)'\.", "La directive « @{name} » n'existe pas.")
_rule(
    r"Directive '@(?P<name>[^']+)' may not be used on \w+\.",
    "La directive « @{name} » n'est pas permise à cet endroit.",
)
_rule(
    r"The directive '@(?P<name>[^']+)' can only be used once at this location\.",
    "La directive « @{name} » ne s'emploie qu'une fois à cet endroit.",
)
_rule(
    rf"GraphQL introspection has been disabled, but the requested query contained the field "
    rf"{_n('field')}\.",
    "L'introspection du schéma est désactivée (champ « {field} »).",
)
_rule(
    r"Unknown operation named [\"'](?P<name>[^\"']+)[\"']\.",
    "Le document n'a pas d'opération nommée « {name} ».",
)
_rule(
    r"Must provide operation name if query contains multiple operations\.",
    "Le document contient plusieurs opérations : indiquez laquelle exécuter (operationName).",
)

# --- limits graphql-core meets itself ---------------------------------------------------
_rule(
    r"Maximum introspection depth exceeded",
    "Requête d'introspection trop profonde.",
    "QUERY_TOO_DEEP",
)
_rule(
    r"Too many validation errors, error limit reached\. Validation aborted\.",
    "Trop d'erreurs dans la requête : vérification interrompue.",
)
_rule(
    r"Validation aborted\.",
    "Requête trop complexe à vérifier (trop de champs de même nom ou de fragments côte à "
    "côte, ou des fragments imbriqués trop profondément) : simplifiez-la.",
    "QUERY_TOO_COMPLEX",
)


# --- the HTTP request (strawberry's view) -----------------------------------------------
def _http(pattern: str, template: str, code: str = BAD_REQUEST) -> None:
    _rule(pattern, template, code, table=_http_rules)


_http(r"No GraphQL query found in the request", "La demande ne contient pas de requête GraphQL.")
_http(
    r"Can't get GraphQL operation type",
    "Le document ne contient pas d'opération à exécuter.",
    VALIDATION_FAILED,
)
_http(
    r"Unknown operation named \"(?P<name>[^\"]+)\"\.",
    "Le document n'a pas d'opération nommée « {name} ».",
    VALIDATION_FAILED,
)
_http(
    r"(?P<kind>queries|mutations|subscriptions) are not allowed when using (?P<method>\w+)",
    "Ce type d'opération ({kind}) n'est pas permis en {method} : utilisez POST.",
    "METHOD_NOT_ALLOWED",
)
_http(r"Too many operations", "Trop d'opérations dans une même requête.", "TOO_MANY_OPERATIONS")
_http(r"Batching is not enabled", "Les requêtes groupées ne sont pas acceptées.")
_http(r"Unsupported content type", "Type de contenu non pris en charge : envoyez du JSON.")
_http(
    r"Unable to parse request body as JSON",
    "Corps de requête illisible : JSON invalide.",
    "INVALID_JSON",
)
_http(r"Unable to parse the multipart body", "Corps multipart illisible.")
_http(r"File\(s\) missing in form data", "Fichier(s) manquant(s) dans le formulaire.")
_http(
    r"The GraphQL operation's `(?P<key>\w+)` must be an? (?P<kind>\w+) or null, if provided\.",
    "Le champ « {key} » de la demande doit être {kind} ou null.",
)
_http(
    r"GraphQL only supports GET and POST requests\.",
    "Seuls GET et POST sont acceptés.",
    "METHOD_NOT_ALLOWED",
)
_http(r"Not Found", "Page introuvable.", "NOT_FOUND")

_SUGGESTION = re.compile(r" Did you mean .*\?$", re.DOTALL)


def _match(message: str, rules: list[Rule], enums: Enums) -> French | None:
    message = _SUGGESTION.sub("", message)
    for rule in rules:
        match = rule.pattern.fullmatch(message)
        if match is not None:
            said = rule.render(match, enums)
            return French(said, rule.code, message if rule.keep_detail else None)
    return None


def translate(message: str, enums: Enums | None = None) -> French | None:
    """The French of one of graphql-core's messages; None for one no pattern knows.
    `enums` (enum_values of the schema) lets a refused enum value list the valid ones."""
    return _match(message, _rules, enums or {})


def translate_http(reason: str) -> French:
    """The French of one of strawberry's HTTP refusals (a generic one if unknown)."""
    said = _match(reason, _http_rules, {})
    return said or French("Requête refusée.", BAD_REQUEST, reason)


def enum_values(schema: GraphQLSchema) -> dict[str, list[str]]:
    """Every enum of `schema` and its values' names."""
    return {
        name: list(kind.values)
        for name, kind in schema.type_map.items()
        if isinstance(kind, GraphQLEnumType)
    }


def in_french(error: GraphQLError, enums: Enums | None = None) -> GraphQLError:
    """The error in French with its code; an error that has a code already is ours."""
    if (error.extensions or {}).get("code"):
        return error
    french = translate(error.message, enums) or French(
        "Requête GraphQL invalide.", VALIDATION_FAILED, error.message
    )
    extensions = {**(error.extensions or {}), "code": french.code}
    if french.detail is not None:
        extensions["detail"] = french.detail
    return GraphQLError(
        french.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=extensions,
    )


def _graphql_own(error: GraphQLError) -> bool:
    """Raised by graphql-core itself (parse, validation, coercion), not by a resolver."""
    original = error.original_error
    return original is None or (
        isinstance(original, GraphQLError) and original.original_error is None
    )


class FrenchMessages(SchemaExtension):
    """Puts graphql-core's errors of an answer in French. Listed after MaskErrors, so that
    it runs first when the operation ends, and sees errors as graphql-core wrote them."""

    def on_operation(self) -> Iterator[None]:
        yield
        self._translate(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Each result of a WebSocket operation, sent before the operation ends."""
        self._translate(result)
        yield

    def _translate(self, result: Any) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            enums = enum_values(self.execution_context.schema._schema)
            result.errors = [in_french(e, enums) if _graphql_own(e) else e for e in errors]
