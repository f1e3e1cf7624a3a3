"""GraphQL's own errors speak French, with a stable code, as business errors do."""

from __future__ import annotations

import json

import pytest
from graphql import GraphQLError

from schema.messages import in_french, translate
from tests.server.test_http import client

PARTNER = '{ partner(id: "1") { tradeName } }'
FEED = "query($n: Int!) { feed(first: $n) { nextCursor } }"
SEARCH = "query($k: [SearchKind!]) { search(query: {kinds: $k}) { __typename } }"


async def ask(app, query: str, variables: dict | None = None) -> dict:
    async with client(app) as http:
        response = await http.post("/graphql", json={"query": query, "variables": variables})
    return response.json()


@pytest.mark.parametrize(
    ("query", "variables", "code", "message"),
    [
        (
            "{ mee { id } }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
            "Le champ « mee » n'existe pas sur le type « Query ».",
        ),
        (
            '{ partner(id: "1", nom: "x") { id } }',
            None,
            "GRAPHQL_VALIDATION_FAILED",
            "L'argument « nom » n'existe pas pour le champ « Query.partner ».",
        ),
        (
            "{ partner { id } }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
            "L'argument « id » de « Query.partner » est obligatoire (type « ID! ») mais n'a pas "
            "été fourni.",
        ),
        (
            '{ feed(first: "dix") { nextCursor } }',
            None,
            "GRAPHQL_VALIDATION_FAILED",
            'Valeur invalide : "dix" n\'est pas un entier.',
        ),
        (
            "{ partners(status: ACTIF) { __typename } }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
            "Valeur inconnue pour PartnerStatus : « ACTIF ». Valeurs possibles : ACTIVE, "
            "SUSPENDED ou TERMINATED.",
        ),
        (
            "{ me }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
            "Le champ « me » (type « Me ») demande une sélection de sous-champs : me { … }.",
        ),
        (
            FEED,
            {},
            "BAD_USER_INPUT",
            "La variable « $n » a une valeur invalide : une valeur de type « Int! » est "
            "obligatoire.",
        ),
        (
            FEED,
            {"n": "dix"},
            "BAD_USER_INPUT",
            "La variable « $n » a une valeur invalide : 'dix' n'est pas un entier.",
        ),
        (
            SEARCH,
            {"k": ["OFFRE"]},
            "BAD_USER_INPUT",
            "La variable « $k » a une valeur invalide (en $k[0]) : valeur inconnue pour "
            "SearchKind : « OFFRE ». Valeurs possibles : DEAL, EVENT, PARTNER ou SERVICE.",
        ),
        (
            "query($n: Int) { __typename }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
            "La variable « $n » est déclarée mais jamais utilisée.",
        ),
        (
            "{ feed(first: $n) { nextCursor } }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
            "La variable « $n » n'est pas déclarée par l'opération.",
        ),
        (
            "{ ...Carte }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
            "Le fragment « Carte » n'est pas défini.",
        ),
    ],
    ids=[
        "unknown-field",
        "unknown-argument",
        "missing-argument",
        "wrong-type",
        "unknown-enum-value",
        "missing-selection",
        "missing-variable",
        "wrong-variable-type",
        "wrong-enum-in-a-variable-list",
        "unused-variable",
        "undeclared-variable",
        "unknown-fragment",
    ],
)
async def test_a_validation_error_is_french_with_a_stable_code(
    app, query, variables, code, message
):
    result = await ask(app, query, variables)

    assert result.get("data") is None
    [error] = result["errors"]
    assert (error["message"], error["extensions"]["code"]) == (message, code)
    assert "detail" not in error["extensions"]


async def test_a_syntax_error_is_french_and_keeps_where_it_broke(app):
    [error] = (await ask(app, '{ partner(id: "1") { id }'))["errors"]

    assert error["message"] == "Erreur de syntaxe dans la requête GraphQL."
    assert error["extensions"] == {
        "code": "GRAPHQL_PARSE_FAILED",
        "detail": "Syntax Error: Expected Name, found <EOF>.",
    }
    assert error["locations"] == [{"line": 1, "column": 26}]


async def test_business_refusals_and_masked_failures_are_left_as_they_are(app):
    [error] = (await ask(app, "{ myCards { code } }"))["errors"]

    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert error["message"] == "Connexion requise : veuillez vous connecter."


@pytest.mark.parametrize(
    ("request_options", "status", "code", "message"),
    [
        (
            {"method": "GET", "params": {"query": "mutation { logout { ok } }"}},
            400,
            "METHOD_NOT_ALLOWED",
            "Ce type d'opération (mutations) n'est pas permis en GET : utilisez POST.",
        ),
        (
            {"method": "POST", "json": {"query": "query A { __typename }", "operationName": "B"}},
            400,
            "GRAPHQL_VALIDATION_FAILED",
            "Le document n'a pas d'opération nommée « B ».",
        ),
        (
            {"method": "POST", "json": {"variables": {}}},
            400,
            "BAD_REQUEST",
            "La demande ne contient pas de requête GraphQL.",
        ),
        (
            {"method": "POST", "content": "query=x", "headers": {"content-type": "text/plain"}},
            400,
            "BAD_REQUEST",
            "Type de contenu non pris en charge : envoyez du JSON.",
        ),
    ],
    ids=["mutation-over-get", "unknown-operation", "no-query", "content-type"],
)
async def test_an_http_refusal_is_a_french_graphql_error(
    app, request_options, status, code, message
):
    method = request_options.pop("method")
    async with client(app) as http:
        response = await http.request(method, "/graphql", **request_options)

    assert response.status_code == status
    [error] = response.json()["errors"]
    assert (error["message"], error["extensions"]["code"]) == (message, code)
    assert error["extensions"]["detail"]  # strawberry's English reason, for developers


def test_an_unknown_message_gets_a_generic_french_one_and_keeps_the_original():
    original = GraphQLError("Something graphql-core will say one day.")

    error = in_french(original)

    assert translate(original.message) is None
    assert error.message == "Requête GraphQL invalide."
    assert error.extensions == {
        "code": "GRAPHQL_VALIDATION_FAILED",
        "detail": "Something graphql-core will say one day.",
    }


def test_no_suggestion_survives_the_translation():
    french = translate("Unknown type 'Carte'. Did you mean 'Card'?")

    assert french is not None
    assert french.message == "Le type « Carte » n'existe pas."
    assert "Card" not in json.dumps(french.message)


async def test_errors_of_an_operation_over_a_websocket_are_french_too(gql, live_server):
    from websockets.asyncio.client import connect

    from tests.factories import token_for, young_person

    token = await token_for(gql, await young_person())
    async with connect(f"ws://{live_server}/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": "subscription { nope }"}}
            )
        )
        message = json.loads(await ws.recv())

    assert message["type"] == "error"
    [error] = message["payload"]
    assert error["message"] == "Le champ « nope » n'existe pas sur le type « Subscription »."
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
