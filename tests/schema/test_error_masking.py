"""Unexpected errors reach the client as one masked French message; refusals do not."""

from graphql import GraphQLError

from resolvers.permissions import AccessDenied
from schema import should_mask


def located(original: Exception | None) -> GraphQLError:
    return GraphQLError("message", original_error=original)


def test_unexpected_exceptions_are_masked():
    assert should_mask(located(RuntimeError("connexion perdue à 10.0.0.3")))
    assert should_mask(located(KeyError("secret")))


def test_refusals_and_invalid_queries_are_shown():
    assert not should_mask(located(AccessDenied(authenticated=True)))
    assert not should_mask(located(None))  # validation errors carry no original error
