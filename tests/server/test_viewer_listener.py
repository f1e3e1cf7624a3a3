"""On PostgreSQL, each process keeps its viewers' rows while the database announces every
change to them (migrations/0022_viewer_changes.py, server/viewer_listener.py)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from domain.accounts.viewer_cache import viewers
from server import viewer_listener
from tests.conftest import BACKEND
from tests.factories import till, token_for, young_person
from tests.support import error_codes

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="LISTEN/NOTIFY is PostgreSQL's")

ME = "{ me { firstName } }"
LOOKUP = 'query($p: ID!) { lookupCard(partnerId: $p, code: "INCONNU") { __typename } }'


@pytest.fixture
async def sql(database_url: str):
    connection = await asyncpg.connect(database_url)
    yield connection
    await connection.close()


async def signed_in(gql):
    person = await young_person()
    token = await token_for(gql, person)
    assert (await gql.post(ME, token=token))["data"]["me"] == {"firstName": "Jade"}
    return person, token


async def test_a_session_is_read_once_then_served_from_memory(gql, sql) -> None:
    person, token = await signed_in(gql)
    assert viewers.active and len(viewers) > 0

    # A change the database does not announce (triggers off for this session) is not seen:
    # the proof that the second request did not read the session.
    await sql.execute("SET session_replication_role = replica")
    await sql.execute("UPDATE users SET first_name = 'Inès' WHERE id = $1", person.id)
    await sql.execute("SET session_replication_role = DEFAULT")
    assert (await gql.post(ME, token=token))["data"]["me"] == {"firstName": "Jade"}

    await sql.execute("UPDATE users SET last_name = last_name WHERE id = $1", person.id)
    assert (await gql.post(ME, token=token))["data"]["me"] == {"firstName": "Inès"}


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1",
        "UPDATE users SET is_active = false WHERE id = $1",
    ],
    ids=["session revoked", "account closed"],
)
async def test_a_change_made_anywhere_ends_the_session_at_once(gql, sql, change: str) -> None:
    person, token = await signed_in(gql)

    await sql.execute(change, person.id)

    refused = await gql.post(ME, token=token)
    assert refused["data"]["me"] is None and error_codes(refused) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE delegates SET status = 'revoked' WHERE user_id = $1",
        "UPDATE partners SET status = 'suspended' "
        "WHERE id IN (SELECT partner_id FROM delegates WHERE user_id = $1)",
    ],
    ids=["delegation revoked", "partner suspended"],
)
async def test_a_delegation_that_ends_stops_the_till_at_once(gql, sql, change: str) -> None:
    team, cashier = await till()
    token = await token_for(gql, cashier)
    variables = {"p": str(team.partner.id)}
    allowed = await gql.post(LOOKUP, variables, token=token)
    assert allowed["data"]["lookupCard"] == {"__typename": "UserError"}

    await sql.execute(change, cashier.id)

    refused = await gql.post(LOOKUP, variables, token=token)
    assert refused["data"] is None and error_codes(refused) == ["FORBIDDEN"]


async def test_without_its_listener_the_cache_serves_nothing_until_it_is_back(gql, sql) -> None:
    person, token = await signed_in(gql)
    backend = viewer_listener.listening_backend()
    assert backend is not None
    assert await sql.fetchval("SELECT pg_terminate_backend($1)", backend)
    for _ in range(100):
        if not viewers.active:
            break
        await asyncio.sleep(0.01)
    assert not viewers.active and len(viewers) == 0

    # Meanwhile every request reads its viewer: a change is seen without any announcement.
    await sql.execute("SET session_replication_role = replica")
    await sql.execute("UPDATE users SET first_name = 'Inès' WHERE id = $1", person.id)
    await sql.execute("SET session_replication_role = DEFAULT")
    assert (await gql.post(ME, token=token))["data"]["me"] == {"firstName": "Inès"}

    for _ in range(500):
        if viewers.active:
            break
        await asyncio.sleep(0.01)
    assert viewers.active and viewer_listener.listening_backend() not in (None, backend)
