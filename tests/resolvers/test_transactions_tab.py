"""The till's « Transactions » tab: a partner's transactions by Paris day and by cashier, in
pages, each saying whether it can still be cancelled, with its ticket; nobody else's."""

from __future__ import annotations

import uuid
from datetime import timedelta

from domain.core import clock
from models.partners import DelegatePermission
from tests.factories import card_holder, collaborator, partner_team, till, token_for
from tests.support import error_codes

DEBIT = """mutation($input: DebitInput!) { debitCard(input: $input) {
  ... on TransactionSuccess { transaction { id } } ... on UserError { code message } } }"""
CANCEL = """mutation($id: ID!) { cancelTransaction(transactionId: $id) {
  __typename ... on UserError { code } } }"""
TAB = """query($p: ID!, $day: Date, $delegate: ID, $first: Int!, $after: String) {
  transactions(partnerId: $p, day: $day, delegateId: $delegate, first: $first, after: $after) {
    transactions { id amountCents status cancellable createdAt receipt(width: 32)
                   delegate { id email } }
    nextCursor } }"""
SINCE = """query($p: ID!, $since: DateTime, $until: DateTime) {
  transactions(partnerId: $p, since: $since, until: $until) { transactions { id } } }"""


async def debit(gql, team, holder, token, amount="1") -> str:
    variables = {
        "input": {
            "partnerId": str(team.partner.id),
            "code": holder.card.code,
            "walletKind": "SPORT_CULTURE_LOISIRS",
            "amount": amount,
            "idempotencyKey": uuid.uuid4().hex,
        }
    }
    answer = (await gql.post(DEBIT, variables, token=token))["data"]["debitCard"]
    return answer["transaction"]["id"]


async def tab(gql, team, token, **filters) -> dict:
    variables = {"p": str(team.partner.id), "first": 50, **filters}
    answer = await gql.post(TAB, variables, token=token)
    assert not answer.get("errors"), answer
    return answer["data"]["transactions"]


async def test_the_tab_lists_a_paris_day_by_cashier_in_pages_saying_what_can_be_cancelled(gql):
    team, cashier = await till()
    second_cashier = await collaborator(team, DelegatePermission.TRANSACTIONS)
    holder = await card_holder()
    today = clock.paris_today()
    # 23:30 in Paris yesterday: the day before in Paris, whatever the day in UTC.
    late_yesterday = clock.start_of_paris_day(today) - timedelta(minutes=30)
    with clock.frozen(late_yesterday):
        old = await debit(gql, team, holder, await token_for(gql, cashier), "3")
    # 00:30 in Paris today: still yesterday in UTC.
    with clock.frozen(clock.start_of_paris_day(today) + timedelta(minutes=30)):
        first_today = await debit(gql, team, holder, await token_for(gql, cashier), "4")
    token, second = await token_for(gql, cashier), await token_for(gql, second_cashier)
    by_second = await debit(gql, team, holder, second, "5")
    cancelled = await debit(gql, team, holder, token, "6")
    assert (await gql.post(CANCEL, {"id": cancelled}, token=token))["data"]["cancelTransaction"][
        "__typename"
    ] == "TransactionSuccess"

    listed = await tab(gql, team, token, day=today.isoformat())
    assert [t["id"] for t in listed["transactions"]] == [cancelled, by_second, first_today]
    assert [t["cancellable"] for t in listed["transactions"]] == [False, True, True]
    assert all(t["receipt"] and len(t["receipt"][0]) <= 32 for t in listed["transactions"])

    before = await tab(gql, team, token, day=(today - timedelta(days=1)).isoformat())
    assert [(t["id"], t["cancellable"]) for t in before["transactions"]] == [(old, False)]

    # Instants without an offset are Paris time; with one, they are that instant.
    midnight = f"{today.isoformat()}T00:00:00"
    for since, until in (
        (midnight, f"{today.isoformat()}T01:00:00"),
        (
            clock.start_of_paris_day(today).isoformat(),
            (clock.start_of_paris_day(today) + timedelta(hours=1))
            .astimezone(clock.PARIS)
            .isoformat(),
        ),
    ):
        first_hour = await gql.post(
            SINCE, {"p": str(team.partner.id), "since": since, "until": until}, token=token
        )
        assert [t["id"] for t in first_hour["data"]["transactions"]["transactions"]] == [
            first_today
        ]

    mine = await tab(gql, team, token, delegate=str(second_cashier.id))
    assert [t["id"] for t in mine["transactions"]] == [by_second]
    assert mine["transactions"][0]["delegate"]["email"] == second_cashier.email

    seen, cursor = [], None
    while True:
        page = await tab(gql, team, token, first=2, after=cursor)
        seen += [t["id"] for t in page["transactions"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == [cancelled, by_second, first_today, old]


async def test_only_the_partners_till_and_finance_people_see_its_transactions(gql):
    team, cashier = await till()
    holder = await card_holder()
    await debit(gql, team, holder, await token_for(gql, cashier))
    accountant = await collaborator(team, DelegatePermission.FINANCE)
    listed = await tab(gql, team, await token_for(gql, accountant))
    # Finance reads them, but only the till's permission may cancel.
    assert [t["cancellable"] for t in listed["transactions"]] == [False]

    publisher = await collaborator(team, DelegatePermission.OFFERS_AND_POSTS)
    _, other_cashier = await till(await partner_team(name="Voisin"))
    for intruder in (publisher, other_cashier, holder.user):
        refused = await gql.post(
            TAB, {"p": str(team.partner.id), "first": 10}, token=await token_for(gql, intruder)
        )
        assert error_codes(refused) == ["FORBIDDEN"]
        assert refused["data"]["transactions"] is None
