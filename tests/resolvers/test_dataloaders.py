"""Nested lists cost one query per kind of object, not one per item."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from strawberry.dataloader import DataLoader

from models.accounts import StaffRole
from models.partners import DelegatePermission
from resolvers.loaders import at_once
from tests.factories import collaborator, partner_team, staff_member, token_for
from tests.support import unique

PARTNERS_WITH_DELEGATES = """
query($first: Int!, $search: String!) {
  partners(first: $first, search: $search) {
    partners { tradeName delegates { isPrincipal person { email } partner { tradeName } } }
  }
}
"""


class QueryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lstrip().upper()
        if message.startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            self.count += 1


@contextmanager
def counting_queries() -> Iterator[QueryCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter, level = QueryCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


async def test_listing_partners_with_their_delegates_costs_the_same_for_2_or_12(gql):
    name = unique("Chargeur")
    for _ in range(12):
        team = await partner_team(name=name)
        await collaborator(team, DelegatePermission.TRANSACTIONS)
    token = await token_for(gql, await staff_member(StaffRole.SUPPORT))
    # On PostgreSQL the session is read once, then kept (domain/accounts/viewer_cache.py): read it
    # before counting, so that both sizes count the same authentication.
    await gql.post("{ me { id } }", token=token)

    costs = {}
    for size in (2, 12):
        with counting_queries() as counter:
            result = await gql.post(
                PARTNERS_WITH_DELEGATES, {"first": size, "search": name}, token=token
            )
        partners = result["data"]["partners"]["partners"]
        assert len(partners) == size and all(len(p["delegates"]) >= 2 for p in partners)
        costs[size] = counter.count
    assert costs[2] >= 4, costs  # the counter does see the queries
    assert costs[2] == costs[12], costs
    assert costs[12] <= 6, costs  # authentication (0-1) + partners + delegates + users + partners


async def test_a_value_the_loader_holds_is_answered_at_once_else_loaded():
    """`at_once` (fields as plain functions): a primed or loaded value comes back as the
    value itself, so graphql-core needs no task for it; another key is loaded, batched."""
    asked: list[list[int]] = []

    async def squares(keys: list[int]) -> list[int]:
        asked.append(list(keys))
        return [k * k for k in keys]

    loader = DataLoader(squares)
    loader.prime(3, 9)

    assert at_once(loader, 3, str) == "9"
    later = at_once(loader, 4, str)
    assert inspect.isawaitable(later)
    assert await later == "16"
    assert at_once(loader, 4, str) == "16"  # loaded by now: at once too
    assert asked == [[4]]
